package booking_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

// intakeClients is the real intake service seen through booking's interface.
type intakeClients struct{ svc *intake.Service }

func client(in intake.Intake) booking.Client {
	return booking.Client{IntakeID: in.ID, Kind: in.Kind, Name: in.Name, Email: in.Email,
		PartnerName: in.PartnerName, PartnerEmail: in.PartnerContactEmail(), PartnerWaiting: in.PartnerWaiting(),
		TimeZone: in.TimeZone, SessionFormat: consult.Format(in.SessionFormat)}
}
func (a intakeClients) ClientByToken(tx *gorm.DB, token string) (booking.Client, error) {
	in, err := a.svc.ByTokenTx(tx, token)
	return client(in), err
}
func (a intakeClients) ClientByID(tx *gorm.DB, id int64) (booking.Client, error) {
	in, err := a.svc.GetTx(tx, id)
	return client(in), err
}
func (a intakeClients) MarkBooked(tx *gorm.DB, id int64, now time.Time) error {
	return a.svc.MarkBooked(tx, id, now)
}
func (a intakeClients) Kinds(tx *gorm.DB, ids []int64) (map[int64]consult.Kind, error) {
	return a.svc.KindsTx(tx, ids)
}
func (a intakeClients) AllowPartnerContact(tx *gorm.DB, id int64, byStaff bool, now time.Time) (bool, error) {
	by := intake.AllowedByClient
	if byStaff {
		by = intake.AllowedByStaff
	}
	return a.svc.AllowPartnerContactTx(tx, id, by, now)
}

func (a intakeClients) MarkCancelled(tx *gorm.DB, id int64, by booking.Canceller, now time.Time) error {
	return a.svc.MarkCancelled(tx, id, intake.CancelledBy(by), now)
}

var _ booking.Intakes = intakeClients{}

// secretAnswer is intake text that must never reach an email.
const secretAnswer = "SECRET-ANSWER-about-our-relapse"

type env struct {
	t       *testing.T
	db      *gorm.DB
	svc     *booking.Service
	intakes *intake.Service
	clock   *clocktest.Clock
	ny      *time.Location
	maya    booking.Clinician // offers individual and couple
	sam     booking.Clinician // offers individual only
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ny, _ := time.LoadLocation("America/New_York")
	e := &env{t: t, db: storetest.New(t), clock: clocktest.New(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)), ny: ny}
	clock := e.clock.Now
	key := bytes.Repeat([]byte{7}, 32)
	e.intakes = newIntakes(e.db, clock, key)
	svc, err := booking.NewService(e.db, clock, intakeClients{e.intakes}, practice.NewService(e.db, clock),
		booking.Config{BaseURL: "https://book.example.org", FromName: "Riverbend Therapy", FromAddr: "appointments@example.org", LinkKey: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	e.maya = e.clinician("Maya Lindqvist", "maya@example.org", "individual", "couple")
	e.sam = e.clinician("Sam Okafor", "sam@example.org", "individual")
	return e
}

func (e *env) clinician(name, email string, offers ...string) booking.Clinician {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.svc.CreateClinician(ctx, booking.ClinicianInput{Name: name, Email: email, Offers: offers, TimeZone: "America/New_York"})
	if err != nil {
		e.t.Fatal(err)
	}
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "09:00", End: "12:00"})
	}
	if _, err := e.svc.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: "America/New_York", SlotMinutes: 50,
		BufferMinutes: 10, MinNoticeHours: 0, HorizonDays: 60, Weekly: weekly}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) couple(email string) (intake.Receipt, intake.Intake) {
	e.t.Helper()
	r, err := e.intakes.Submit(context.Background(), intake.Input{Kind: "couple", Name: "Ann O'Brien", Email: email,
		PartnerName: "Bo", PartnerEmail: "bo." + email, Message: secretAnswer, Consent: true, TimeZone: "Europe/London"})
	if err != nil {
		e.t.Fatal(err)
	}
	in, _ := e.intakes.Get(context.Background(), r.ID)
	return r, in
}

// at is a New York wall-clock time on Wednesday 2 December 2026.
func (e *env) at(hhmm string) time.Time {
	t, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-02 "+hhmm, e.ny)
	return t
}

type sentMail struct {
	to       string
	subject  string
	text     string
	html     string
	method   string // the text/calendar part's method parameter
	calendar *ical.Calendar
	ics      []byte // the inline calendar as sent
	// attachment is the invite.ics copy, which must equal ics
	attachment []byte
}

// mails returns the outbox messages of a booking, parsed back.
func (e *env) mails(bookingID int64) []sentMail {
	e.t.Helper()
	var raws []string
	if err := e.db.Table("outbox_messages").Where("booking_id = ?", bookingID).Order("id").Pluck("raw", &raws).Error; err != nil {
		e.t.Fatal(err)
	}
	out := make([]sentMail, len(raws))
	for i, raw := range raws {
		out[i] = parseMail(e.t, raw)
	}
	return out
}

func parseMail(t *testing.T, raw string) sentMail {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	m := sentMail{to: msg.Header.Get("To"), subject: subject}
	mt, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if mt != "multipart/mixed" {
		t.Fatalf("content type %q, want multipart/mixed (the alternatives, then invite.ics)", mt)
	}
	readParts(t, &m, msg.Body, params["boundary"])
	if m.calendar == nil {
		t.Fatal("no text/calendar part")
	}
	return m
}

// readParts fills m from a multipart body, descending into nested
// multiparts (the multipart/alternative inside the multipart/mixed).
func readParts(t *testing.T, m *sentMail, r io.Reader, boundary string) {
	t.Helper()
	mr := multipart.NewReader(r, boundary)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if strings.HasPrefix(pt, "multipart/") {
			readParts(t, m, p, pp["boundary"])
			continue
		}
		body, _ := io.ReadAll(p) // multipart decodes quoted-printable itself
		switch pt {
		case "text/plain":
			m.text = string(body)
		case "text/html":
			m.html = string(body)
		case "text/calendar":
			m.method = pp["method"]
			if p.Header.Get("Content-Transfer-Encoding") == "base64" {
				body, _ = io.ReadAll(base64Reader(body))
			}
			m.ics = body
			cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
			if err != nil {
				t.Fatalf("calendar part does not parse: %v", err)
			}
			m.calendar = cal
		case "application/ics":
			m.attachment, _ = io.ReadAll(base64Reader(body))
		}
	}
}

func event(t *testing.T, m sentMail) (method, uid, seq, status string, start time.Time, attendees []string) {
	t.Helper()
	method, _ = m.calendar.Props.Text(ical.PropMethod)
	ev := m.calendar.Events()[0]
	uid, _ = ev.Props.Text(ical.PropUID)
	seq = ev.Props.Get(ical.PropSequence).Value
	status, _ = ev.Props.Text(ical.PropStatus)
	start, _ = ev.DateTimeStart(time.UTC)
	for _, a := range ev.Props.Values(ical.PropAttendee) {
		attendees = append(attendees, strings.TrimPrefix(strings.ToLower(a.Value), "mailto:"))
	}
	return
}

func TestBookInvitesEveryoneWithoutIntakeAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, in := e.couple("ann@example.org")
	start := e.at("10:00")
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: start}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.intakes.Get(ctx, in.ID)
	if got.Status != intake.StatusConsultBooked {
		t.Errorf("intake status = %s, want consult_booked", got.Status)
	}
	mails := e.mails(conf.ID)
	if len(mails) != 3 {
		t.Fatalf("%d emails, want 3 (client, partner, clinician)", len(mails))
	}
	var uids []string
	links := map[string]bool{}
	for _, m := range mails {
		method, uid, seq, status, evStart, attendees := event(t, m)
		if m.method != "REQUEST" || method != "REQUEST" || seq != "0" || status != "CONFIRMED" {
			t.Errorf("%s: method %s/%s seq %s status %s", m.to, m.method, method, seq, status)
		}
		if !evStart.Equal(start) {
			t.Errorf("%s: DTSTART %v, want %v", m.to, evStart, start.UTC())
		}
		if strings.Join(attendees, ",") != "maya@example.org,ann@example.org,bo.ann@example.org" {
			t.Errorf("%s: attendees %v", m.to, attendees)
		}
		uids = append(uids, uid)
		for _, part := range []string{m.text, m.html, m.subject} {
			if strings.Contains(part, secretAnswer) {
				t.Errorf("%s: email carries intake answers", m.to)
			}
		}
		if i := strings.Index(m.text, "https://book.example.org/bookings/"); i >= 0 {
			links[strings.Fields(m.text[i:])[0]] = true
		}
	}
	if uids[0] != uids[1] || uids[1] != uids[2] {
		t.Errorf("UIDs differ: %v", uids)
	}
	if !strings.Contains(mails[0].to, "ann@example.org") || !strings.Contains(mails[1].to, "bo.ann@example.org") || !strings.Contains(mails[2].to, "maya@example.org") {
		t.Errorf("recipients = %s, %s, %s", mails[0].to, mails[1].to, mails[2].to)
	}
	if len(links) != 2 {
		t.Errorf("client and partner should each have their own manage link, got %v", links)
	}
	if !strings.Contains(mails[2].text, "https://book.example.org/staff/intakes/") || strings.Contains(mails[2].text, "/bookings/") {
		t.Errorf("clinician email should link to the staff intake and not to a manage link:\n%s", mails[2].text)
	}
	// Times are shown in each reader's zone: London for the couple, New York for the clinician.
	if !strings.Contains(mails[0].text, "3:00 PM GMT") || !strings.Contains(mails[2].text, "10:00 AM EST") {
		t.Errorf("local times missing:\nclient: %s\nclinician: %s", mails[0].text, mails[2].text)
	}
}

func TestRescheduleAndCancelKeepUIDAndRaiseSequence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, _ := e.couple("ann@example.org")
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, uid0, _, _, _, _ := event(t, e.mails(conf.ID)[0])

	b, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{Start: e.at("11:00")})
	if err != nil {
		t.Fatal(err)
	}
	if !b.Start.Equal(e.at("11:00")) || b.Sequence != 1 {
		t.Errorf("after reschedule: start %v sequence %d", b.Start, b.Sequence)
	}
	mails := e.mails(conf.ID)
	if len(mails) != 6 {
		t.Fatalf("%d emails after reschedule, want 6", len(mails))
	}
	for _, m := range mails[3:] {
		method, uid, seq, _, start, _ := event(t, m)
		if method != "REQUEST" || uid != uid0 || seq != "1" || !start.Equal(e.at("11:00")) {
			t.Errorf("%s: reschedule invite method %s uid %s seq %s start %v", m.to, method, uid, seq, start)
		}
	}
	// The old time is free again; the new one is not.
	slots, _ := e.svc.Slots(ctx, "couple", e.at("00:00"), e.at("23:59"))
	var starts []string
	for _, s := range slots {
		if s.ClinicianID == e.maya.ID {
			starts = append(starts, s.Start.In(e.ny).Format("15:04"))
		}
	}
	if strings.Join(starts, " ") != "09:00 10:00" {
		t.Errorf("Maya's open slots = %v, want 09:00 10:00", starts)
	}

	// The same manage link still works after the change.
	if _, err := e.svc.Cancel(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	mails = e.mails(conf.ID)
	if len(mails) != 9 {
		t.Fatalf("%d emails after cancel, want 9", len(mails))
	}
	for _, m := range mails[6:] {
		method, uid, seq, status, _, _ := event(t, m)
		if m.method != "CANCEL" || method != "CANCEL" || status != "CANCELLED" || uid != uid0 || seq != "2" {
			t.Errorf("%s: cancel method %s/%s status %s uid %s seq %s", m.to, m.method, method, status, uid, seq)
		}
	}
	// Cancelling again changes nothing and sends nothing.
	if _, err := e.svc.Cancel(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mails(conf.ID)); n != 9 {
		t.Errorf("a second cancel sent mail: %d emails", n)
	}
	if _, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{Start: e.at("10:00")}); apperr.As(err) == nil || apperr.As(err).Code != "booking_cancelled" {
		t.Errorf("rescheduling a cancelled booking: %v", err)
	}
}

func TestRescheduleToAnotherClinicianCancelsForThePreviousOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Cy", Email: "cy@example.org", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Reschedule(ctx, conf.ManageToken, booking.Request{ClinicianID: e.sam.ID, Start: e.at("09:00")}); err != nil {
		t.Fatal(err)
	}
	mails := e.mails(conf.ID)[2:]
	byTo := map[string]string{}
	for _, m := range mails {
		method, _, _, _, _, _ := event(t, m)
		byTo[m.to] = method
	}
	if byTo[`"Maya Lindqvist" <maya@example.org>`] != "CANCEL" || byTo[`"Sam Okafor" <sam@example.org>`] != "REQUEST" || byTo[`"Cy" <cy@example.org>`] != "REQUEST" {
		t.Errorf("methods by recipient = %v", byTo)
	}
	// Staff read what each email is.
	var purposes []string
	if err := e.db.Table("outbox_messages").Where("booking_id = ?", conf.ID).Order("id").Pluck("purpose", &purposes).Error; err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, p := range purposes {
		words = append(words, booking.EmailWords(p))
	}
	if got, want := strings.Join(words, ", "), "Invitation to the client, Invitation to the clinician, "+
		"Updated invitation to the client, Updated invitation to the clinician, Cancellation to the previous clinician"; got != want {
		t.Errorf("emails read %q, want %q", got, want)
	}
}

func TestBookRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	first, _ := e.couple("first@example.org")
	if _, err := e.svc.Book(ctx, first.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil); err != nil {
		t.Fatal(err)
	}
	second, _ := e.couple("second@example.org")
	cases := []struct {
		name  string
		token string
		req   booking.Request
		kind  apperr.Kind
		code  string
	}{
		{"time someone else booked", second.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, apperr.Conflict, "slot_taken"},
		{"time not on the hours", second.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:05")}, apperr.Invalid, "slot_not_open"},
		{"outside the hours", second.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("13:00")}, apperr.Invalid, "slot_not_open"},
		{"clinician without couples consultations", second.Token, booking.Request{ClinicianID: e.sam.ID, Start: e.at("10:00")}, apperr.Invalid, "slot_not_open"},
		{"unknown clinician", second.Token, booking.Request{ClinicianID: 999, Start: e.at("10:00")}, apperr.Invalid, "clinician_not_found"},
		{"unknown intake token", "nope", booking.Request{ClinicianID: e.maya.ID, Start: e.at("10:00")}, apperr.Invalid, "intake_not_found"},
		{"in the past", second.Token, booking.Request{ClinicianID: e.maya.ID, Start: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)}, apperr.Invalid, "slot_not_open"},
		{"second booking for one request", first.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("11:00")}, apperr.Conflict, "already_booked"},
	}
	for _, c := range cases {
		_, err := e.svc.Book(ctx, c.token, c.req, nil)
		ae := apperr.As(err)
		if ae == nil || ae.Kind != c.kind || ae.Code != c.code {
			t.Errorf("%s: err = %v, want %s/%s", c.name, err, c.kind, c.code)
		}
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, _ := e.couple("ann@example.org")
	req := booking.Request{ClinicianID: e.maya.ID, Start: e.at("10:00")}
	idem := &booking.Idempotency{Key: "k-1", RequestHash: booking.HashRequest(r.Token, "10:00")}
	a, err := e.svc.Book(ctx, r.Token, req, idem)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Book(ctx, r.Token, req, idem)
	if err != nil || a != b {
		t.Fatalf("repeat = %+v, %v; want %+v", b, err, a)
	}
	var n int64
	e.db.Table("bookings").Count(&n)
	if n != 1 {
		t.Errorf("%d bookings, want 1", n)
	}
	other := &booking.Idempotency{Key: "k-1", RequestHash: booking.HashRequest(r.Token, "11:00")}
	if _, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("11:00")}, other); apperr.As(err) == nil || apperr.As(err).Code != "idempotency_key_reused" {
		t.Errorf("same key, other body: %v", err)
	}
}

func TestConcurrentBookingsOfOneSlotOneWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const n = 20
	tokens := make([]string, n)
	for i := range tokens {
		r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "P", Email: "p" + string(rune('a'+i)) + "@example.org", Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		tokens[i] = r.Token
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Slots of 50 minutes with 10-minute buffers: 09:30 overlaps 09:00 and 10:00.
			start := []string{"09:00", "10:00"}[i%2]
			_, errs[i] = e.svc.Book(ctx, tokens[i], booking.Request{ClinicianID: e.maya.ID, Start: e.at(start)}, nil)
		}(i)
	}
	wg.Wait()
	ok, taken := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, booking.ErrSlotTaken):
			taken++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 2 || taken != n-2 {
		t.Errorf("%d booked, %d slot_taken; want 2 and %d", ok, taken, n-2)
	}
	var rows, mails int64
	e.db.Table("bookings").Where("status = 'active'").Count(&rows)
	e.db.Table("outbox_messages").Count(&mails)
	if rows != 2 || mails != 4 {
		t.Errorf("%d bookings and %d emails, want 2 and 4", rows, mails)
	}
}

func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, _ := e.couple("ann@example.org")
	if _, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("10:00")}, nil); err != nil {
		t.Fatal(err)
	}
	token, err := e.svc.RotateFeedToken(ctx, e.maya.ID)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := e.svc.Feed(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	raw := fc.Body
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Events()) != 1 || strings.Contains(string(raw), "Ann") || strings.Contains(string(raw), secretAnswer) {
		t.Errorf("feed should list one consultation with a generic summary:\n%s", raw)
	}
	if _, err := e.svc.RotateFeedToken(ctx, e.maya.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Feed(ctx, token); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("the old feed address still works: %v", err)
	}
}

func TestSetAvailabilityStampsTheServiceClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // the clinicians' hours were saved at e.clock.Now()
	var stamps []time.Time
	if err := e.db.Table("availabilities").Order("clinician_id").Pluck("updated_at", &stamps).Error; err != nil {
		t.Fatal(err)
	}
	if len(stamps) != 2 || !stamps[0].Equal(e.clock.Now()) || !stamps[1].Equal(e.clock.Now()) {
		t.Errorf("updated_at = %v, want the service's clock %v", stamps, e.clock.Now())
	}
}
