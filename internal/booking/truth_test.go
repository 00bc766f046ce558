package booking_test

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/practice"
)

const (
	practiceAddress = "12 Harbour Street, Suite 4, Portland"
	practiceVideo   = "https://video.example.org/room/riverbend"
)

func TestLocationFollowsTheClientsChoice(t *testing.T) {
	t.Parallel()
	settings := practice.Settings{Address: practiceAddress, VideoLink: practiceVideo}
	own := booking.Clinician{Address: "3 Elm Road", VideoLink: "https://video.example.org/maya"}
	cases := []struct {
		name, format string
		clin         booking.Clinician
		want         booking.Place
		text         string
	}{
		{"in person: the practice's address, never the link", "in_person", booking.Clinician{}, booking.Place{Address: practiceAddress}, practiceAddress},
		{"in person: the clinician's own address first", "in_person", own, booking.Place{Address: "3 Elm Road"}, "3 Elm Road"},
		{"video: the practice's link", "video", booking.Clinician{}, booking.Place{VideoLink: practiceVideo}, practiceVideo},
		{"video: the clinician's own link first", "video", own, booking.Place{VideoLink: "https://video.example.org/maya"}, "https://video.example.org/maya"},
		{"either: both, labelled", "either", booking.Clinician{}, booking.Place{Address: practiceAddress, VideoLink: practiceVideo},
			"In person: " + practiceAddress + " / Video: " + practiceVideo},
		{"not answered: both, labelled", "", booking.Clinician{}, booking.Place{Address: practiceAddress, VideoLink: practiceVideo},
			"In person: " + practiceAddress + " / Video: " + practiceVideo},
	}
	for _, c := range cases {
		got := booking.Location(consult.Format(c.format), settings, c.clin)
		if got != c.want || got.Text() != c.text {
			t.Errorf("%s: %+v %q, want %+v %q", c.name, got, got.Text(), c.want, c.text)
		}
	}
	if got := booking.Location("in_person", practice.Settings{VideoLink: practiceVideo}, booking.Clinician{}); got.Text() != "" {
		t.Errorf("in person without an address gave %q; a video link is not a place to come to", got.Text())
	}
}

// setPlace gives the practice an address and a default video link.
func (e *env) setPlace() {
	e.t.Helper()
	p := practice.NewService(e.db, e.clock.Now)
	s, err := p.Get(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	s.Address, s.VideoLink = practiceAddress, practiceVideo
	if err := p.Save(e.db, s); err != nil {
		e.t.Fatal(err)
	}
}

func locationOf(m sentMail) string {
	loc, _ := m.calendar.Events()[0].Props.Text(ical.PropLocation)
	return loc
}

// An in-person client is told the address — in the email, the invitation
// and the manage page — and never only a video link; a video client gets
// the link; either gets both, labelled.
func TestBookingTellsThePlaceTheClientChose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setPlace()
	ctx := context.Background()
	for i, c := range []struct {
		format, wantLocation string
		inText, notInText    []string
	}{
		{"in_person", practiceAddress, []string{"In person: " + practiceAddress}, []string{practiceVideo}},
		{"video", practiceVideo, []string{"Video:     " + practiceVideo}, []string{practiceAddress}},
		{"either", "In person: " + practiceAddress + " / Video: " + practiceVideo, []string{"In person: " + practiceAddress, "Video:     " + practiceVideo}, nil},
	} {
		r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Cy", Email: c.format + "@example.org", SessionFormat: c.format, Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		start := e.at([]string{"09:00", "10:00", "11:00"}[i])
		conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: start}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range e.mails(conf.ID) {
			if got := locationOf(m); got != c.wantLocation {
				t.Errorf("%s: invitation to %s has LOCATION %q, want %q", c.format, m.to, got, c.wantLocation)
			}
			for _, want := range c.inText {
				if !strings.Contains(m.text, want) {
					t.Errorf("%s: email to %s does not say %q:\n%s", c.format, m.to, want, m.text)
				}
			}
			for _, bad := range c.notInText {
				if strings.Contains(m.text, bad) || strings.Contains(m.html, bad) {
					t.Errorf("%s: email to %s mentions %q", c.format, m.to, bad)
				}
			}
		}
		b, err := e.svc.ByManageToken(ctx, conf.ManageToken)
		if err != nil {
			t.Fatal(err)
		}
		if b.Location != c.wantLocation {
			t.Errorf("%s: manage page location %q, want %q", c.format, b.Location, c.wantLocation)
		}
	}
}

// Sending the time and clinician the booking already has changes nothing:
// the SEQUENCE stays and nobody is emailed.
func TestRescheduleToTheSameTimeChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, _ := e.couple("ann@example.org")
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("10:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.mails(conf.ID))
	for _, req := range []booking.Request{
		{ClinicianID: e.maya.ID, Start: e.at("10:00")},
		{Start: e.at("10:00").In(e.ny)}, // the same instant, clinician left out
	} {
		b, err := e.svc.Reschedule(ctx, conf.ManageToken, req)
		if err != nil {
			t.Fatal(err)
		}
		if !b.Unchanged || b.Sequence != 0 || !b.Start.Equal(e.at("10:00")) {
			t.Errorf("same time again: %+v, want unchanged at SEQUENCE 0", b)
		}
	}
	if n := len(e.mails(conf.ID)); n != before {
		t.Errorf("a change that changed nothing sent %d emails", n-before)
	}
	b, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{Start: e.at("11:00")})
	if err != nil || b.Unchanged || b.Sequence != 1 {
		t.Errorf("a real change after it: %+v, %v", b, err)
	}
}

// The previous clinician's cancellation describes the consultation they
// had — its time, place and summary — and removes only them (RFC 5546
// §3.2.5): it lists only them and does not cancel the event for everyone.
func TestPreviousClinicianIsCancelledWithTheirOwnTimeAndPlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	mayaRoom, err := e.svc.CreateClinician(ctx, booking.ClinicianInput{Name: "Rae Moss", Email: "rae@example.org",
		Offers: []string{"individual"}, TimeZone: "America/New_York", Address: "3 Elm Road"})
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := e.svc.Availability(ctx, e.maya.ID)
	if _, err := e.svc.SetAvailability(ctx, mayaRoom.ID, rules.Input()); err != nil {
		t.Fatal(err)
	}
	r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Cy", Email: "cy@example.org", SessionFormat: "in_person", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: mayaRoom.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	booked := e.mails(conf.ID)
	if _, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{ClinicianID: e.sam.ID, Start: e.at("11:00")}); err != nil {
		t.Fatal(err)
	}
	var cancel *sentMail
	for _, m := range e.mails(conf.ID)[len(booked):] {
		if strings.Contains(m.to, "rae@example.org") {
			m := m
			cancel = &m
		}
	}
	if cancel == nil {
		t.Fatal("the previous clinician got no email")
	}
	method, uid, seq, status, start, attendees := event(t, *cancel)
	_, uid0, _, _, _, _ := event(t, booked[0])
	ev := cancel.calendar.Events()[0]
	end, _ := ev.DateTimeEnd(e.ny)
	summary, _ := ev.Props.Text(ical.PropSummary)
	if cancel.method != "CANCEL" || method != "CANCEL" || uid != uid0 || seq != "1" {
		t.Errorf("method %s/%s uid %s seq %s", cancel.method, method, uid, seq)
	}
	if status != "" {
		t.Errorf("STATUS:%s cancels the event for everyone; removing one attendee carries no STATUS", status)
	}
	if !start.Equal(e.at("09:00")) || !end.Equal(e.at("09:50")) {
		t.Errorf("DTSTART %v DTEND %v, want the previous clinician's 09:00–09:50", start, end)
	}
	if loc := locationOf(*cancel); loc != "3 Elm Road" {
		t.Errorf("LOCATION %q, want the previous clinician's room", loc)
	}
	if !strings.HasPrefix(summary, "Consultation — ") {
		t.Errorf("SUMMARY %q", summary)
	}
	if strings.Join(attendees, ",") != "rae@example.org" {
		t.Errorf("attendees %v, want only the previous clinician", attendees)
	}
	if when := "Wednesday, December 2, 2026 at 9:00 AM EST"; !strings.Contains(cancel.text, when) || !strings.Contains(cancel.subject, when) {
		t.Errorf("the email does not name the old time %q:\n%s\n%s", when, cancel.subject, cancel.text)
	}
}

// notYetCouple is a couple whose partner does not know about the request.
func (e *env) notYetCouple(email string) intake.Receipt {
	e.t.Helper()
	r, err := e.intakes.Submit(context.Background(), intake.Input{Kind: "couple", Name: "Ann", Email: email,
		PartnerName: "Bo", PartnerEmail: "bo." + email, PartnerAware: "not_yet", Consent: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// partnerTouched reports whether anything was ever queued for, or any
// manage link issued to, address.
func (e *env) partnerTouched(address string) (emails, links int64) {
	e.t.Helper()
	if err := e.db.Table("outbox_messages").Where("recipients LIKE ?", "%"+address+"%").Count(&emails).Error; err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.Table("booking_links").Where("email = ?", address).Count(&links).Error; err != nil {
		e.t.Fatal(err)
	}
	return emails, links
}

// Safety: a partner who does not know about the request yet gets no email,
// no invitation and no manage link — not when the consultation is booked,
// moved or cancelled — until the client says they may be contacted.
func TestPartnerWhoDoesNotKnowYetIsNeverContacted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r := e.notYetCouple("ann@example.org")
	partner := "bo.ann@example.org"
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{Start: e.at("10:00")}); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.mails(conf.ID) {
		_, _, _, _, _, attendees := event(t, m)
		if strings.Contains(strings.Join(attendees, ","), partner) || strings.Contains(m.to, partner) {
			t.Errorf("email to %s names the partner: %v", m.to, attendees)
		}
	}
	if emails, links := e.partnerTouched(partner); emails != 0 || links != 0 {
		t.Fatalf("partner who does not know yet: %d emails, %d manage links", emails, links)
	}
	b, _ := e.svc.ByManageToken(ctx, conf.ManageToken)
	if !b.PartnerWaiting {
		t.Error("the manage page does not know the partner is waiting")
	}
	if _, err := e.svc.Cancel(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	if emails, links := e.partnerTouched(partner); emails != 0 || links != 0 {
		t.Fatalf("after cancelling: %d emails, %d manage links to the partner", emails, links)
	}
}

// Once the client says their partner may be contacted, the partner gets
// the invitation as it stands (REQUEST, current SEQUENCE) and their own
// manage link; later changes reach them too. Allowing again sends nothing.
func TestPartnerIsInvitedOnceTheClientAllowsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r := e.notYetCouple("ann@example.org")
	partner := "bo.ann@example.org"
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{Start: e.at("10:00")}); err != nil {
		t.Fatal(err)
	}
	before := len(e.mails(conf.ID))
	if err := e.svc.AllowPartnerContact(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	mails := e.mails(conf.ID)[before:]
	if len(mails) != 1 || !strings.Contains(mails[0].to, partner) {
		t.Fatalf("after allowing: %d emails %v, want one to the partner", len(mails), mails)
	}
	method, _, seq, _, start, attendees := event(t, mails[0])
	if method != "REQUEST" || seq != "1" || !start.Equal(e.at("10:00")) {
		t.Errorf("partner's invitation: %s seq %s start %v, want REQUEST at the current SEQUENCE 1, 10:00", method, seq, start)
	}
	if strings.Join(attendees, ",") != "maya@example.org,ann@example.org,"+partner {
		t.Errorf("attendees %v", attendees)
	}
	i := strings.Index(mails[0].text, "https://book.example.org/bookings/")
	if i < 0 {
		t.Fatalf("no manage link for the partner:\n%s", mails[0].text)
	}
	token := strings.TrimPrefix(strings.Fields(mails[0].text[i:])[0], "https://book.example.org/bookings/")
	if b, err := e.svc.ByManageToken(ctx, token); err != nil || b.ID != conf.ID || b.PartnerWaiting {
		t.Errorf("the partner's own link: %+v, %v", b, err)
	}
	if err := e.svc.AllowPartnerContact(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mails(conf.ID)); n != before+1 {
		t.Errorf("allowing twice sent %d more emails", n-before-1)
	}
	if _, err := e.svc.Cancel(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	if emails, _ := e.partnerTouched(partner); emails != 2 {
		t.Errorf("the partner got %d emails, want the invitation and the cancellation", emails)
	}
}

// Allowed before a time is chosen (from the request's page), the partner is
// invited with everyone when the consultation is booked.
func TestPartnerAllowedBeforeBookingIsInvitedWithEveryone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r := e.notYetCouple("ann@example.org")
	if err := e.svc.AllowPartnerContactByRequest(ctx, r.Token); err != nil {
		t.Fatal(err)
	}
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if emails, links := e.partnerTouched("bo.ann@example.org"); emails != 1 || links != 1 {
		t.Errorf("partner allowed before booking: %d emails, %d links; want 1 and 1", emails, links)
	}
	in, _ := e.intakes.Get(ctx, r.ID)
	if in.PartnerContactAllowedAt == nil || in.PartnerContactAllowedBy != intake.AllowedByClient {
		t.Errorf("permission not recorded: %v %q", in.PartnerContactAllowedAt, in.PartnerContactAllowedBy)
	}
	_ = conf
}

// A clinician who moves rooms (or changes their video link) does not leave
// booked clients with the old place: everyone invited to an upcoming
// consultation whose place changed gets an updated invitation; one whose
// place did not change (a video consultation when the address moved) gets
// nothing.
func TestClinicianPlaceChangeUpdatesTheInvitationsItAffects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	in := booking.ClinicianInput{Name: "Rae Moss", Email: "rae@example.org", Offers: []string{"individual"},
		TimeZone: "America/New_York", Address: "3 Elm Road", VideoLink: "https://video.example.org/rae"}
	rae, err := e.svc.CreateClinician(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := e.svc.Availability(ctx, e.maya.ID)
	if _, err := e.svc.SetAvailability(ctx, rae.ID, rules.Input()); err != nil {
		t.Fatal(err)
	}
	book := func(format, start string) booking.Confirmation {
		r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Cy", Email: format + "@example.org", SessionFormat: format, Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: rae.ID, Start: e.at(start)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return conf
	}
	inPerson, video := book("in_person", "09:00"), book("video", "10:00")
	in.Address = "40 Quay Street, Room 2"
	if _, _, err := e.svc.UpdateClinicianTx(e.db, rae.ID, in, true); err != nil {
		t.Fatal(err)
	}
	mails := e.mails(inPerson.ID)[2:]
	if len(mails) != 2 {
		t.Fatalf("%d emails after the room moved, want the client's and the clinician's", len(mails))
	}
	for _, m := range mails {
		method, _, seq, _, start, _ := event(t, m)
		if method != "REQUEST" || seq != "1" || !start.Equal(e.at("09:00")) || locationOf(m) != in.Address || !strings.HasPrefix(m.subject, "New place") {
			t.Errorf("to %s: %s seq %s start %v location %q subject %q", m.to, method, seq, start, locationOf(m), m.subject)
		}
	}
	if n := len(e.mails(video.ID)); n != 2 {
		t.Errorf("a video consultation got %d emails when only the address changed", n-2)
	}
}
