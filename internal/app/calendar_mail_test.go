package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
	"github.com/firststep/firststep/internal/config"
)

// mimePart is one leaf part of an email, decoded.
type mimePart struct {
	mediaType   string
	params      map[string]string
	disposition string
	dispParams  map[string]string
	body        []byte
}

// emailParts walks a raw email's MIME tree and returns its content type and
// every leaf part with its transfer encoding undone.
func emailParts(t *testing.T, raw string) (string, []mimePart) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("parse email: %v", err)
	}
	top, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("email Content-Type: %v", err)
	}
	var parts []mimePart
	var walk func(r io.Reader, boundary string)
	walk = func(r io.Reader, boundary string) {
		mr := multipart.NewReader(r, boundary)
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("read part: %v", err)
			}
			mt, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			if strings.HasPrefix(mt, "multipart/") {
				walk(p, ps["boundary"])
				continue
			}
			body, err := io.ReadAll(p) // quoted-printable is undone by the reader
			if err != nil {
				t.Fatal(err)
			}
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
				if body, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), "")); err != nil {
					t.Fatalf("%s part: %v", mt, err)
				}
			}
			part := mimePart{mediaType: mt, params: ps, body: body}
			if cd := p.Header.Get("Content-Disposition"); cd != "" {
				part.disposition, part.dispParams, _ = mime.ParseMediaType(cd)
			}
			parts = append(parts, part)
		}
	}
	if strings.HasPrefix(top, "multipart/") {
		walk(msg.Body, params["boundary"])
	}
	return top, parts
}

func partsOfType(parts []mimePart, mediaType string) []mimePart {
	var out []mimePart
	for _, p := range parts {
		if p.mediaType == mediaType {
			out = append(out, p)
		}
	}
	return out
}

func decodeInto(t *testing.T, res *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestBookingWithSharedAddresses books for clients whose addresses are the
// clinician's or the practice's sending address: the booking succeeds,
// every invitation names each address once, and nobody is invited to an
// event that shows them as its organizer.
func TestBookingWithSharedAddresses(t *testing.T) {
	t.Parallel()
	const from = "appointments@riverbend.example"
	a := newApp(t, func(c *config.Config) { c.MailFrom = "Riverbend Therapy <" + from + ">" })
	maya := seedClinician(t, a, "Maya Lindqvist", "individual", "couple") // maya@example.org
	c := newClient(t, a, "192.0.2.31")
	slots := slotsOf(t, c, "kind=couple&tz=America/New_York&from="+tomorrow())

	for i, tc := range []struct {
		name, body string
		// per recipient (lower-cased): whether the email carries an invitation
		invited map[string]bool
		// the ATTENDEE addresses every invitation lists
		attendees []string
	}{
		{
			name: "client uses the clinician's address",
			body: `{"kind":"individual","name":"Client","email":"Maya@Example.org","consent":true}`,
			// Two emails reach the one mailbox: the client's (manage link) and
			// the clinician's (staff link); the event lists the address once.
			invited:   map[string]bool{"maya@example.org": true},
			attendees: []string{"maya@example.org"},
		},
		{
			name: "partner uses the practice's sending address",
			body: `{"kind":"couple","name":"Client","email":"ann@example.org","partner_name":"Bo","partner_email":"` + strings.ToUpper(from) + `","consent":true}`,
			invited: map[string]bool{"ann@example.org": true, "maya@example.org": true,
				strings.ToLower(from): false},
			attendees: []string{"maya@example.org", "ann@example.org"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.postJSON("/api/v1/intakes", tc.body)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("intake = %d: %s", res.StatusCode, readBody(t, res))
			}
			var in struct{ Token string }
			decodeInto(t, res, &in)
			res = c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, in.Token, maya.ID, slots[i*2].Start))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("book = %d: %s", res.StatusCode, readBody(t, res))
			}
			var booked struct{ ID int64 }
			decodeInto(t, res, &booked)

			var rows []struct {
				Recipients string
				Raw        string
			}
			if err := a.DB.Table("outbox_messages").Select("recipients, raw").Where("booking_id = ?", booked.ID).Order("id").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 {
				t.Fatal("no emails queued")
			}
			for _, r := range rows {
				msg, err := mail.ReadMessage(strings.NewReader(r.Raw))
				if err != nil {
					t.Fatal(err)
				}
				to, err := mail.ParseAddress(msg.Header.Get("To"))
				if err != nil {
					t.Fatal(err)
				}
				addr := strings.ToLower(to.Address)
				want, known := tc.invited[addr]
				if !known {
					t.Errorf("email to unexpected %s", addr)
					continue
				}
				_, parts := emailParts(t, r.Raw)
				texts := partsOfType(parts, "text/plain")
				if len(texts) != 1 {
					t.Fatalf("to %s: no text body", addr)
				}
				text := string(texts[0].body)
				cals := partsOfType(parts, "text/calendar")
				if !want {
					if len(cals) != 0 || len(partsOfType(parts, "application/ics")) != 0 {
						t.Errorf("to %s (the organizer's address): carries an invitation", addr)
					}
					if strings.Contains(text, "calendar invitation") || !strings.Contains(text, "/bookings/") {
						t.Errorf("to %s: the text speaks of an invitation it lacks, or lacks the manage link:\n%s", addr, text)
					}
					continue
				}
				// RSVP=FALSE: a client is told that answering the invitation
				// changes nothing, and where changes are made.
				if strings.Contains(text, "/bookings/") && !strings.Contains(text, "declining it there does not cancel") {
					t.Errorf("to %s: the text does not say that declining in the calendar does not cancel:\n%s", addr, text)
				}
				if len(cals) != 1 {
					t.Fatalf("to %s: %d calendar parts, want 1", addr, len(cals))
				}
				cal, err := ical.NewDecoder(bytes.NewReader(cals[0].body)).Decode()
				if err != nil {
					t.Fatalf("to %s: calendar: %v", addr, err)
				}
				ev := cal.Events()[0]
				var got []string
				for _, p := range ev.Props.Values(ical.PropAttendee) {
					got = append(got, strings.ToLower(strings.TrimPrefix(p.Value, "mailto:")))
				}
				if strings.Join(got, " ") != strings.Join(tc.attendees, " ") {
					t.Errorf("to %s: attendees %q, want %q", addr, got, tc.attendees)
				}
				if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Value != "mailto:"+from {
					t.Errorf("to %s: ORGANIZER %v, want mailto:%s", addr, org, from)
				}
			}
		})
	}
}

// The display name of FIRSTSTEP_MAIL_FROM is the practice's name in From,
// ORGANIZER and SUMMARY until an admin saves the practice's own; the sender
// name stays the operator's until an admin sets one.
func TestOperatorSenderNameStandsUntilAnAdminSetsOne(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *config.Config) { c.MailFrom = "Northside Counselling <hello@northside.example>" })
	maya := seedClinician(t, a, "Maya Lindqvist", "individual")
	c := newClient(t, a, "192.0.2.32")
	slots := slotsOf(t, c, "kind=individual&tz=UTC&from="+tomorrow())
	ctx := context.Background()

	check := func(slot int, wantFrom, wantSummary string) {
		t.Helper()
		token := newIntakeToken(t, c, "individual", fmt.Sprintf("client%d@example.org", slot))
		res := c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, token, maya.ID, slots[slot].Start))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("book = %d: %s", res.StatusCode, readBody(t, res))
		}
		var booked struct{ ID int64 }
		decodeInto(t, res, &booked)
		var raws []string
		if err := a.DB.Table("outbox_messages").Where("booking_id = ?", booked.ID).Order("id").Pluck("raw", &raws).Error; err != nil || len(raws) == 0 {
			t.Fatalf("emails: %v (%d)", err, len(raws))
		}
		for _, raw := range raws {
			msg, err := mail.ReadMessage(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			from, err := mail.ParseAddress(msg.Header.Get("From"))
			if err != nil || from.Name != wantFrom || from.Address != "hello@northside.example" {
				t.Errorf("From = %v (%v), want %q <hello@northside.example>", from, err, wantFrom)
			}
			_, parts := emailParts(t, raw)
			cal, err := ical.NewDecoder(bytes.NewReader(partsOfType(parts, "text/calendar")[0].body)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			ev := cal.Events()[0]
			if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Params.Get(ical.ParamCommonName) != wantFrom {
				t.Errorf("ORGANIZER = %+v, want CN %q", org, wantFrom)
			}
			if s, _ := ev.Props.Text(ical.PropSummary); s != wantSummary {
				t.Errorf("SUMMARY = %q, want %q", s, wantSummary)
			}
		}
	}
	check(0, "Northside Counselling", "Consultation — Northside Counselling")

	// An admin saves the settings form, which shows the current settings,
	// changing only the practice's name.
	form, err := a.Practice.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	form.Name = "Riverbend Therapy"
	if err := a.Practice.Save(a.DB, form); err != nil {
		t.Fatal(err)
	}
	check(2, "Northside Counselling", "Consultation — Riverbend Therapy")

	form.SenderName = "Riverbend Front Desk"
	if err := a.Practice.Save(a.DB, form); err != nil {
		t.Fatal(err)
	}
	check(4, "Riverbend Front Desk", "Consultation — Riverbend Therapy")
}

// Saving a setting that has nothing to do with the name (here the change
// cut-off) before any name was chosen keeps the operator's name: the
// practice is named after FIRSTSTEP_MAIL_FROM until an admin names it, never
// after the placeholder the settings would otherwise hold.
func TestSavingOtherSettingsKeepsTheOperatorsName(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *config.Config) { c.MailFrom = "Northside Counselling <hello@northside.example>" })
	ctx := context.Background()
	st, err := a.Practice.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "Northside Counselling" {
		t.Fatalf("unsaved practice name = %q, want the operator's", st.Name)
	}
	st.ChangeCutoffHours = 12
	if err := a.Practice.Save(a.DB, st); err != nil {
		t.Fatal(err)
	}
	saved, err := a.Practice.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Name != "Northside Counselling" || saved.EmailName("Northside Counselling") != "Northside Counselling" {
		t.Errorf("after saving the cut-off the practice is named %q (emails %q)", saved.Name, saved.EmailName("Northside Counselling"))
	}
}

// A solo practice sends from the clinician's own address: the clinician is
// the organizer, not also an attendee, and a booking in which everyone is
// that one address still succeeds (with no invitation to anyone).
func TestBookingWhenTheClinicianIsTheSender(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *config.Config) { c.MailFrom = "Maya Lindqvist <maya@example.org>" })
	maya := seedClinician(t, a, "Maya Lindqvist", "individual") // maya@example.org
	c := newClient(t, a, "192.0.2.34")
	slots := slotsOf(t, c, "kind=individual&tz=UTC&from="+tomorrow())
	for i, tc := range []struct {
		client    string
		calendars map[string][]string // recipient → the ATTENDEEs of its invitation; nil: no invitation
	}{
		{"ann@example.org", map[string][]string{"ann@example.org": {"ann@example.org"}, "maya@example.org": nil}},
		{"maya@example.org", map[string][]string{"maya@example.org": nil}},
	} {
		token := newIntakeToken(t, c, "individual", tc.client)
		res := c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, token, maya.ID, slots[i*2].Start))
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("client %s: book = %d: %s", tc.client, res.StatusCode, readBody(t, res))
		}
		var booked struct{ ID int64 }
		decodeInto(t, res, &booked)
		var raws []string
		if err := a.DB.Table("outbox_messages").Where("booking_id = ?", booked.ID).Order("id").Pluck("raw", &raws).Error; err != nil || len(raws) != 2 {
			t.Fatalf("client %s: %d emails (%v), want 2", tc.client, len(raws), err)
		}
		for _, raw := range raws {
			msg, _ := mail.ReadMessage(strings.NewReader(raw))
			to, _ := mail.ParseAddress(msg.Header.Get("To"))
			want := tc.calendars[to.Address]
			_, parts := emailParts(t, raw)
			cals := partsOfType(parts, "text/calendar")
			if want == nil {
				if len(cals) != 0 {
					t.Errorf("client %s: the email to %s invites the organizer", tc.client, to.Address)
				}
				continue
			}
			if len(cals) != 1 {
				t.Fatalf("client %s: the email to %s has %d invitations", tc.client, to.Address, len(cals))
			}
			cal, err := ical.NewDecoder(bytes.NewReader(cals[0].body)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range cal.Events()[0].Props.Values(ical.PropAttendee) {
				got = append(got, strings.TrimPrefix(p.Value, "mailto:"))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("client %s: attendees %q, want %q", tc.client, got, want)
			}
		}
	}
}
