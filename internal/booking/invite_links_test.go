package booking_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/practice"
)

// Each invitation links its own reader's page (URL), offers the video
// meeting as a CONFERENCE, and is private in shared calendars.
func TestInvitationsCarryTheReadersLinkAndTheVideoMeeting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const video = "https://video.example.org/r/maya-7f3k"
	settings := practice.Defaults()
	settings.Name, settings.VideoLink = "Riverbend Therapy", video
	if err := practice.NewService(e.db, e.clock.Now).Save(e.db, settings); err != nil {
		t.Fatal(err)
	}
	r, in := e.couple("ann@example.org")
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("10:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mails := e.mails(conf.ID)
	if len(mails) != 3 {
		t.Fatalf("%d emails, want 3", len(mails))
	}
	staffURL := "https://book.example.org/staff/intakes/" + strconv.FormatInt(in.ID, 10)
	for i, m := range mails {
		if len(m.attachment) == 0 || !bytes.Equal(m.attachment, m.ics) {
			t.Errorf("%s: invite.ics attachment differs from the inline calendar", m.to)
		}
		ev := m.calendar.Events()[0]
		var want string
		if i < 2 { // client and partner: their own manage link, as in the text
			at := strings.Index(m.text, "https://book.example.org/bookings/")
			if at < 0 {
				t.Fatalf("%s: no manage link in the text", m.to)
			}
			want = strings.Fields(m.text[at:])[0]
		} else {
			want = staffURL
		}
		if u, err := ev.Props.URI(ical.PropURL); err != nil || u == nil || u.String() != want {
			t.Errorf("%s: URL = %v (%v), want %s", m.to, u, err, want)
		}
		c := ev.Props.Get("CONFERENCE")
		if c == nil || c.Value != video || c.Params.Get(ical.ParamValue) != "URI" || c.Params.Get("FEATURE") != "VIDEO" {
			t.Errorf("%s: CONFERENCE = %+v, want VALUE=URI;FEATURE=VIDEO:%s", m.to, c, video)
		}
		if class, _ := ev.Props.Text(ical.PropClass); class != "PRIVATE" {
			t.Errorf("%s: CLASS = %q, want PRIVATE", m.to, class)
		}
		for _, p := range ev.Props.Values(ical.PropAttendee) {
			if p.Params.Get(ical.ParamRSVP) != "FALSE" {
				t.Errorf("%s: attendee %s asks for a reply (RSVP=%s) that nobody reads", m.to, p.Value, p.Params.Get(ical.ParamRSVP))
			}
		}
	}
}
