package invite

import (
	"strings"
	"testing"
	"time"
)

// validInvitation is a complete first REQUEST used as the base of the tests.
func validInvitation() Invitation {
	return Invitation{
		Method:      MethodRequest,
		UID:         "booking-42@riverbend.example",
		Sequence:    0,
		Stamp:       time.Date(2025, 3, 1, 15, 4, 5, 0, time.UTC),
		Start:       time.Date(2025, 3, 6, 14, 0, 0, 0, time.UTC),
		End:         time.Date(2025, 3, 6, 14, 20, 0, 0, time.UTC),
		Summary:     "Consultation — Riverbend Therapy",
		Location:    "https://meet.riverbend.example/r/7f3k-29qa",
		Description: "Your free 20-minute consultation.",
		Organizer:   Person{Name: "Riverbend Therapy", Email: "appointments@riverbend.example"},
		Attendees: []Person{
			{Name: "Dr. Maya Lindqvist", Email: "maya.lindqvist@riverbend.example"},
			{Name: "Jordan Reyes", Email: "jordan.reyes@example.com"},
		},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		edit    func(*Invitation)
		wantErr string // empty: valid
	}{
		{name: "valid request", edit: func(*Invitation) {}},
		{name: "valid cancel", edit: func(i *Invitation) { i.Method, i.Sequence = MethodCancel, 1 }},
		{name: "attendee without name", edit: func(i *Invitation) { i.Attendees[1].Name = "" }},
		{name: "control characters in free text are cleaned, not rejected", edit: func(i *Invitation) {
			i.Attendees[1].Name = "Jordan\r\nReyes"
			i.Description = "a\x00b"
		}},
		{name: "unknown method", edit: func(i *Invitation) { i.Method = "PUBLISH" }, wantErr: "unsupported method"},
		{name: "lower-case method", edit: func(i *Invitation) { i.Method = "request" }, wantErr: "unsupported method"},
		{name: "empty UID", edit: func(i *Invitation) { i.UID = " " }, wantErr: "UID is empty"},
		{name: "UID with newline", edit: func(i *Invitation) { i.UID = "a\nb" }, wantErr: "control characters"},
		{name: "negative sequence", edit: func(i *Invitation) { i.Sequence = -1 }, wantErr: "negative sequence"},
		{name: "cancel at sequence 0", edit: func(i *Invitation) { i.Method = MethodCancel }, wantErr: "CANCEL needs a sequence"},
		{name: "zero stamp", edit: func(i *Invitation) { i.Stamp = time.Time{} }, wantErr: "DTSTAMP"},
		{name: "zero start", edit: func(i *Invitation) { i.Start = time.Time{} }, wantErr: "start and end are required"},
		{name: "end equals start", edit: func(i *Invitation) { i.End = i.Start }, wantErr: "is not after start"},
		{name: "end before start", edit: func(i *Invitation) { i.End = i.Start.Add(-time.Minute) }, wantErr: "is not after start"},
		{name: "blank summary", edit: func(i *Invitation) { i.Summary = "\r\n\t" }, wantErr: "summary is empty"},
		{name: "relative URL", edit: func(i *Invitation) { i.URL = "/bookings/42" }, wantErr: "not an absolute http(s) URL"},
		{name: "javascript URL", edit: func(i *Invitation) { i.URL = "javascript:alert(1)" }, wantErr: "not an absolute http(s) URL"},
		{name: "URL with CRLF", edit: func(i *Invitation) { i.URL = "https://x.example/\r\nA:B" }, wantErr: "control characters"},
		{name: "organizer without email", edit: func(i *Invitation) { i.Organizer.Email = "" }, wantErr: "organizer: email is empty"},
		{name: "organizer with display name", edit: func(i *Invitation) { i.Organizer.Email = "Riverbend <a@riverbend.example>" }, wantErr: "organizer:"},
		{name: "attendee email with CRLF", edit: func(i *Invitation) { i.Attendees[0].Email = "a@x.example\r\nX-Evil: 1" }, wantErr: "attendee 0:"},
		{name: "attendee email not an address", edit: func(i *Invitation) { i.Attendees[1].Email = "jordan" }, wantErr: "attendee 1:"},
		{name: "no attendees", edit: func(i *Invitation) { i.Attendees = nil }, wantErr: "no attendees"},
		// One mailbox for two people (a couple, a clinician trying the
		// booking page) is one attendee, not an error; see
		// TestEncodeOneAttendeePerAddress.
		{name: "two attendees with one address", edit: func(i *Invitation) {
			i.Attendees[1].Email = strings.ToUpper(i.Attendees[0].Email)
		}},
		{name: "only the organizer attends", edit: func(i *Invitation) {
			i.Attendees = []Person{{Name: "Jordan", Email: "Appointments@Riverbend.example"}}
		}, wantErr: "no attendees besides the organizer"},
		{name: "conference not http(s)", edit: func(i *Invitation) { i.Conference = "zoommtg://join?x=1" }, wantErr: "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := validInvitation()
			tt.edit(&inv)
			err := inv.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Validate() = nil, want error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.wantErr)
			case err != nil && !strings.HasPrefix(err.Error(), "invite: "):
				t.Errorf("error %q lacks the package prefix", err)
			}
			if tt.wantErr != "" {
				if _, err := inv.Encode(); err == nil {
					t.Error("Encode() succeeded on an invalid invitation")
				}
			}
		})
	}
}
