package staffui

import (
	"testing"
	"time"
)

func TestIntakeBookingView(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	start := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		b          IntakeBooking
		manage     bool
		status     string
		canChange  bool
		clientWhen string
	}{
		{"upcoming, front desk", IntakeBooking{Start: start, End: start.Add(time.Hour), ClientTimeZone: "Europe/Berlin", Changeable: true}, true,
			"Booked", true, "Wed, Dec 2, 2026 at 4:00 PM CET (Europe/Berlin)"},
		{"upcoming, clinician", IntakeBooking{Start: start, End: start.Add(time.Hour), Changeable: true}, false, "Booked", false, ""},
		{"cancelled", IntakeBooking{Start: start, End: start.Add(time.Hour), Cancelled: true}, true, "Cancelled", false, ""},
		{"started", IntakeBooking{Start: now.Add(-time.Minute), End: now.Add(time.Hour)}, true, "Past", false, ""},
		{"unknown client zone", IntakeBooking{Start: start, End: start.Add(time.Hour), ClientTimeZone: "Mars/Olympus", Changeable: true}, true, "Booked", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := intakeBookingView(c.b, ny, c.manage)
			if v.StatusLabel != c.status || v.CanChange != c.canChange || v.ClientWhen != c.clientWhen {
				t.Errorf("got %q, can change %v, client %q; want %q, %v, %q", v.StatusLabel, v.CanChange, v.ClientWhen, c.status, c.canChange, c.clientWhen)
			}
		})
	}
	// The words of each email's codes come from the adapter; the subject
	// stands in for an email whose purpose has no words.
	v := intakeBookingView(IntakeBooking{Start: start, End: start.Add(time.Hour), Emails: []IntakeEmail{
		{Recipients: []string{"a@example.org"}, Subject: "Consultation booked", About: "Invitation to the client", Status: "failed",
			StatusWords: "Refused by the mail server", Attempts: 1, LastError: "550 5.1.1 No such mailbox", Problem: "The recipient's address does not exist."},
		{Recipients: []string{"b@example.org"}, Subject: "Consultation booked", Status: "sent", StatusWords: "Delivered", Attempts: 1},
	}}, ny, true)
	if v.When != "Wed, Dec 2, 2026 at 10:00 AM EST" || len(v.Emails) != 2 || v.Emails[0].StatusLabel != "Refused by the mail server" ||
		v.Emails[0].About != "Invitation to the client" || v.Emails[0].Problem != "The recipient's address does not exist." ||
		v.Emails[1].StatusLabel != "Delivered" || v.Emails[1].About != "Consultation booked" {
		t.Errorf("view %+v", v)
	}
}
