package app_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/smtptest"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const (
	consultClinicianName  = "Dr. Casey Booker"
	consultClinicianEmail = "casey.booker@practice.example"
)

// consultClinician is a clinician open for consultations of both kinds
// every day, 08:00–18:00 UTC, in 50-minute slots with 10-minute buffers,
// bookable an hour ahead. It is added on first use.
func (fx *staffFixture) consultClinician() int64 {
	fx.t.Helper()
	var id int64
	if err := fx.a.DB.Raw("SELECT id FROM clinicians WHERE email = ?", consultClinicianEmail).Scan(&id).Error; err != nil {
		fx.t.Fatal(err)
	}
	if id != 0 {
		return id
	}
	ctx := context.Background()
	c, err := fx.a.Booking.CreateClinician(ctx, booking.ClinicianInput{Name: consultClinicianName, Email: consultClinicianEmail,
		Offers: []string{"individual", "couple"}, TimeZone: "UTC"})
	if err != nil {
		fx.t.Fatalf("create clinician: %v", err)
	}
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "08:00", End: "18:00"})
	}
	if _, err := fx.a.Booking.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: "UTC", SlotMinutes: 50,
		BufferMinutes: 10, MinNoticeHours: 1, HorizonDays: 30, Weekly: weekly}); err != nil {
		fx.t.Fatalf("set availability: %v", err)
	}
	return c.ID
}

// nextSlot is the first open time of the consultation clinician.
func (fx *staffFixture) nextSlot() (clinicianID int64, start time.Time) {
	fx.t.Helper()
	id := fx.consultClinician()
	now := fx.clock.Now()
	slots, err := fx.a.Booking.Slots(context.Background(), "individual", now, now.Add(14*24*time.Hour))
	if err != nil {
		fx.t.Fatalf("slots: %v", err)
	}
	for _, s := range slots {
		if s.ClinicianID == id {
			return id, s.Start
		}
	}
	fx.t.Fatal("the consultation clinician has no open time left")
	return 0, time.Time{}
}

// nextSlotForm is what a picker's button posts for the next open time.
func (fx *staffFixture) nextSlotForm() string {
	fx.t.Helper()
	id, start := fx.nextSlot()
	return url.Values{"clinician_id": {strconv.FormatInt(id, 10)}, "start": {start.Format(time.RFC3339)}}.Encode()
}

// bookFor books the next open time for intake id through the service, as
// the client would, and returns the booking's id.
func (fx *staffFixture) bookFor(intakeID int64) int64 {
	fx.t.Helper()
	id, start := fx.nextSlot()
	conf, err := fx.a.Booking.BookForIntake(context.Background(), intakeID, booking.Request{ClinicianID: id, Start: start})
	if err != nil {
		fx.t.Fatalf("book for intake %d: %v", intakeID, err)
	}
	return conf.ID
}

func (fx *staffFixture) auditCount() int64 {
	fx.t.Helper()
	var n int64
	if err := fx.a.DB.Table("audit_log").Count(&n).Error; err != nil {
		fx.t.Fatal(err)
	}
	return n
}

// auditSince returns the audit entries written after the first before,
// newest first.
func (fx *staffFixture) auditSince(before int64) []audit.Item {
	fx.t.Helper()
	items, err := fx.a.Audit.List(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		fx.t.Fatal(err)
	}
	n := int64(len(items)) - before
	if n < 0 {
		n = 0
	}
	return items[:n]
}

// slotFormNodes are the picker's forms that post a time to action.
func slotFormNodes(doc *html.Node, action string) []*html.Node {
	return findAll(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Form && attr(n, "action") == action && formValues(n).Get("start") != ""
	})
}

// slotForms are the values each of the picker's times posts.
func slotForms(t *testing.T, doc *html.Node, action string) []url.Values {
	t.Helper()
	var out []url.Values
	for _, f := range slotFormNodes(doc, action) {
		out = append(out, formValues(f))
	}
	return out
}

// calendarOf is the decoded text/calendar part of a raw email and the
// part's method parameter.
func calendarOf(t *testing.T, raw string) (cal, method string) {
	t.Helper()
	_, parts := emailParts(t, raw)
	cals := partsOfType(parts, "text/calendar")
	if len(cals) == 0 {
		t.Fatal("email without a text/calendar part")
	}
	return string(cals[0].body), cals[0].params["method"]
}

type sentEmail struct {
	To      []string
	Subject string
	Method  string
	Cal     string
}

// emailsOf returns the emails of booking id queued after the first skip.
func (fx *staffFixture) emailsOf(t *testing.T, bookingID int64, skip int) []sentEmail {
	t.Helper()
	statuses, err := fx.a.Outbox.ForBooking(context.Background(), bookingID)
	if err != nil {
		t.Fatal(err)
	}
	var raws []string
	if err := fx.a.DB.Table("outbox_messages").Where("booking_id = ?", bookingID).Order("created_at, id").Pluck("raw", &raws).Error; err != nil {
		t.Fatal(err)
	}
	if len(raws) != len(statuses) {
		t.Fatalf("%d raw emails, %d statuses", len(raws), len(statuses))
	}
	var out []sentEmail
	for i := skip; i < len(statuses); i++ {
		cal, method := calendarOf(t, raws[i])
		out = append(out, sentEmail{To: statuses[i].Recipients, Subject: statuses[i].Subject, Method: method, Cal: cal})
	}
	return out
}

func recipientsOf(list []sentEmail) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.To...)
	}
	slices.Sort(out)
	return out
}

// practiceZone is the practice's time zone, in which staff read times.
func (fx *staffFixture) practiceZone() *time.Location {
	fx.t.Helper()
	st, err := fx.a.Practice.Get(context.Background())
	if err != nil {
		fx.t.Fatal(err)
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		fx.t.Fatal(err)
	}
	return loc
}

// withoutFragment is a redirect's target as a browser requests it.
func withoutFragment(location string) string {
	path, _, _ := strings.Cut(location, "#")
	return path
}

// bookingSections are the consultations the intake page lists.
func bookingSections(doc *html.Node) []*html.Node {
	return findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Section && hasClass(n, "booking") })
}

func linksTo(doc *html.Node, href string) int {
	return len(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "href") == href }))
}

// The front desk books a couple's consultation from the intake page, moves
// it and cancels it. Each change sends everyone the invitation a client's
// own change sends, and writes exactly one audit entry, which names no
// client and nothing they wrote.
func TestFrontDeskBooksReschedulesAndCancels(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	clin := fx.consultClinician()
	r, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "couple", Name: "Jordan Vale", Email: "jordan@example.org",
		PartnerName: "Casey Vale", PartnerEmail: "casey@example.org", Message: "A private matter we wrote about.",
		TimeZone: "Europe/Berlin", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	id := r.ID
	fx.a.DB.Exec("UPDATE intakes SET assigned_clinician_id = ? WHERE id = ?", fx.clinA, id)
	page := fmt.Sprintf("/staff/intakes/%d", id)
	bookPage := page + "/book"
	everyone := []string{consultClinicianEmail, "casey@example.org", "jordan@example.org"}

	doc := parseHTML(t, fx.request(asFrontdesk, "GET", page, ""))
	if !strings.Contains(textOf(doc), "No consultation booked yet.") || linksTo(doc, bookPage) != 1 {
		t.Fatalf("intake page without a booking: no empty list or no link to book")
	}

	// The picker lists open times in the practice's zone with the client's
	// beside each.
	res := fx.request(asFrontdesk, "GET", bookPage, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("picker: %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	forms := slotForms(t, doc, bookPage)
	if len(forms) < 10 {
		t.Fatalf("picker offers %d times", len(forms))
	}
	if text := textOf(doc); !strings.Contains(text, "Book a consultation for Jordan Vale") || !strings.Contains(text, "Europe/Berlin") {
		t.Errorf("picker reads %q", text)
	}
	first, _ := time.Parse(time.RFC3339, forms[0].Get("start"))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if want, got := "client: "+first.In(berlin).Format("Mon 3:04 PM"), textOf(slotFormNodes(doc, bookPage)[0]); !strings.Contains(got, want) {
		t.Errorf("first time's button reads %q, want it to show %q", got, want)
	}

	// Booking.
	before := fx.auditCount()
	res = fx.request(asFrontdesk, "POST", bookPage, forms[0].Encode())
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?saved=booked") {
		t.Fatalf("book: %d to %q", res.StatusCode, loc)
	}
	list, err := fx.a.Booking.ForIntake(ctx, id)
	if err != nil || len(list) != 1 {
		t.Fatalf("bookings %v (%v), want 1", list, err)
	}
	b := list[0]
	if b.Status != booking.StatusActive || !b.Start.Equal(first) || b.ClinicianID != clin || b.Sequence != 0 || b.ClientTimeZone != "Europe/Berlin" {
		t.Errorf("booking %+v", b)
	}
	sent := fx.emailsOf(t, b.ID, 0)
	if got := recipientsOf(sent); !slices.Equal(got, everyone) {
		t.Errorf("invitations to %v, want %v", got, everyone)
	}
	for _, e := range sent {
		if e.Method != "REQUEST" || !strings.Contains(e.Cal, "SEQUENCE:0") || !strings.HasPrefix(e.Subject, "Consultation booked") {
			t.Errorf("invitation to %v: %s, %q", e.To, e.Method, e.Subject)
		}
	}
	checkOneAuditEntry(t, fx, before, audit.BookingCreate, b.ID)
	if in, _ := fx.a.Intakes.Get(ctx, id); in.Status != intake.StatusConsultBooked {
		t.Errorf("intake status %s after booking", in.Status)
	}

	// The intake page lists it with its emails, and offers to move or
	// cancel it instead of booking another.
	doc = parseHTML(t, fx.request(asFrontdesk, "GET", withoutFragment(res.Header.Get("Location")), ""))
	sections := bookingSections(doc)
	if len(sections) != 1 {
		t.Fatalf("intake page lists %d consultations", len(sections))
	}
	text := textOf(sections[0])
	for _, want := range []string{consultClinicianName, first.In(fx.practiceZone()).Format("Mon, Jan 2, 2006 at 3:04 PM"), first.In(berlin).Format("3:04 PM"),
		"Europe/Berlin", "Booked", "jordan@example.org", "casey@example.org", consultClinicianEmail, "Waiting to be sent",
		"Invitation to the client", "Invitation to the partner", "Invitation to the clinician"} {
		if !strings.Contains(text, want) {
			t.Errorf("consultation on the intake page lacks %q: %s", want, text)
		}
	}
	if !strings.Contains(textOf(doc), "The consultation was booked") {
		t.Error("the page does not say the consultation was booked")
	}
	reschedule := fmt.Sprintf("/staff/bookings/%d/reschedule", b.ID)
	cancel := fmt.Sprintf("/staff/bookings/%d/cancel", b.ID)
	if linksTo(doc, reschedule) != 1 || linksTo(doc, cancel) != 1 || linksTo(doc, bookPage) != 0 {
		t.Errorf("links: reschedule %d, cancel %d, book %d; want 1, 1, 0", linksTo(doc, reschedule), linksTo(doc, cancel), linksTo(doc, bookPage))
	}

	// The assigned clinician sees the consultation and its emails, but no
	// way to change it, and is refused if they try.
	doc = parseHTML(t, fx.request(asClinician, "GET", page, ""))
	if len(bookingSections(doc)) != 1 || !strings.Contains(textOf(doc), "jordan@example.org") {
		t.Error("the clinician does not see the consultation")
	}
	if linksTo(doc, reschedule)+linksTo(doc, cancel)+linksTo(doc, bookPage) != 0 {
		t.Error("the clinician is offered to change the consultation")
	}
	for _, c := range [][2]string{{"GET", reschedule}, {"POST", reschedule}, {"GET", cancel}, {"POST", cancel}, {"GET", bookPage}, {"POST", bookPage}} {
		body := ""
		if c[0] == "POST" {
			body = fx.nextSlotForm()
		}
		if res := fx.request(asClinician, c[0], c[1], body); res.StatusCode != http.StatusForbidden {
			t.Errorf("clinician %s %s: %d, want 403", c[0], c[1], res.StatusCode)
		}
	}
	if got, _ := fx.a.Booking.ByID(ctx, b.ID); got.Sequence != 0 || got.Status != booking.StatusActive || !got.Start.Equal(first) {
		t.Errorf("the clinician's refused requests changed the booking: %+v", got)
	}

	// Booking again while one is upcoming is not offered.
	doc = parseHTML(t, fx.request(asFrontdesk, "GET", bookPage, ""))
	if len(slotForms(t, doc, bookPage)) != 0 || !strings.Contains(textOf(doc), "already booked") {
		t.Error("the picker offers a second consultation")
	}
	if res := fx.request(asFrontdesk, "POST", bookPage, fx.nextSlotForm()); res.StatusCode != http.StatusConflict {
		t.Errorf("second booking: %d, want 409", res.StatusCode)
	}

	// Moving it.
	doc = parseHTML(t, fx.request(asFrontdesk, "GET", reschedule, ""))
	forms = slotForms(t, doc, reschedule)
	if len(forms) < 2 || !strings.Contains(textOf(doc), "Move the consultation of Jordan Vale") {
		t.Fatalf("reschedule picker offers %d times", len(forms))
	}
	moved, _ := time.Parse(time.RFC3339, forms[1].Get("start"))
	before = fx.auditCount()
	res = fx.request(asFrontdesk, "POST", reschedule, forms[1].Encode())
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?saved=rescheduled") {
		t.Fatalf("reschedule: %d to %q", res.StatusCode, loc)
	}
	got, _ := fx.a.Booking.ByID(ctx, b.ID)
	if !got.Start.Equal(moved) || got.Sequence != 1 || got.Status != booking.StatusActive {
		t.Errorf("after moving: %+v", got)
	}
	updates := fx.emailsOf(t, b.ID, len(sent))
	if r := recipientsOf(updates); !slices.Equal(r, everyone) {
		t.Errorf("updates to %v, want %v", r, everyone)
	}
	for _, e := range updates {
		if e.Method != "REQUEST" || !strings.Contains(e.Cal, "SEQUENCE:1") || !strings.HasPrefix(e.Subject, "New time") {
			t.Errorf("update to %v: %s, %q", e.To, e.Method, e.Subject)
		}
	}
	checkOneAuditEntry(t, fx, before, audit.BookingReschedule, b.ID)

	// Cancelling it, after a confirmation page.
	res = fx.request(asFrontdesk, "GET", cancel, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("cancel page: %d", res.StatusCode)
	}
	if text := textOf(parseHTML(t, res)); !strings.Contains(text, "Yes, cancel it") || !strings.Contains(text, "Jordan Vale") {
		t.Errorf("cancel page reads %q", text)
	}
	if got, _ := fx.a.Booking.ByID(ctx, b.ID); got.Status != booking.StatusActive {
		t.Fatal("opening the cancel page cancelled the consultation")
	}
	before = fx.auditCount()
	res = fx.request(asFrontdesk, "POST", cancel, "")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?saved=cancelled") {
		t.Fatalf("cancel: %d to %q", res.StatusCode, loc)
	}
	got, _ = fx.a.Booking.ByID(ctx, b.ID)
	if got.Status != booking.StatusCancelled || got.Sequence != 2 {
		t.Errorf("after cancelling: %+v", got)
	}
	cancels := fx.emailsOf(t, b.ID, len(sent)+len(updates))
	if r := recipientsOf(cancels); !slices.Equal(r, everyone) {
		t.Errorf("cancellations to %v, want %v", r, everyone)
	}
	for _, e := range cancels {
		if e.Method != "CANCEL" || !strings.Contains(e.Cal, "METHOD:CANCEL") || !strings.Contains(e.Cal, "STATUS:CANCELLED") ||
			!strings.Contains(e.Cal, "SEQUENCE:2") || !strings.HasPrefix(e.Subject, "Cancelled") {
			t.Errorf("cancellation to %v: %s, %q", e.To, e.Method, e.Subject)
		}
	}
	checkOneAuditEntry(t, fx, before, audit.BookingCancel, b.ID)

	// Cancelling again changes, sends and records nothing.
	before = fx.auditCount()
	if res := fx.request(asFrontdesk, "POST", cancel, ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("second cancel: %d", res.StatusCode)
	}
	if n := len(fx.emailsOf(t, b.ID, 0)); n != 9 || fx.auditCount() != before {
		t.Errorf("second cancel: %d emails (want 9), %d new audit entries", n, fx.auditCount()-before)
	}

	// The page shows it cancelled, and a new one can be booked.
	doc = parseHTML(t, fx.request(asFrontdesk, "GET", page, ""))
	if s := bookingSections(doc); len(s) != 1 || !strings.Contains(textOf(s[0]), "Cancelled") {
		t.Error("the cancelled consultation is not shown as cancelled")
	}
	if linksTo(doc, bookPage) != 1 || linksTo(doc, cancel) != 0 || linksTo(doc, reschedule) != 0 {
		t.Error("after cancelling, the page does not offer to book again (or still offers to change)")
	}
}

// checkOneAuditEntry checks that exactly one audit entry was written after
// the first before: action on booking id, by the front desk, naming no
// client and nothing they wrote.
func checkOneAuditEntry(t *testing.T, fx *staffFixture, before int64, action string, bookingID int64) {
	t.Helper()
	items := fx.auditSince(before)
	if len(items) != 1 {
		t.Fatalf("%d audit entries for one change, want 1: %+v", len(items), items)
	}
	e := items[0]
	desk := fx.accounts[asFrontdesk]
	if e.Action != action || e.RecordType != audit.TypeBooking || e.RecordID != strconv.FormatInt(bookingID, 10) ||
		e.ActorID == nil || *e.ActorID != desk.ID || e.ActorEmail != desk.Email || e.IP == "" {
		t.Errorf("audit entry %+v, want %s of booking %d by %s", e, action, bookingID, desk.Email)
	}
	for _, secret := range []string{"Jordan", "Casey", "private", "example.org"} {
		if strings.Contains(e.Detail, secret) {
			t.Errorf("audit detail %q names %q", e.Detail, secret)
		}
	}
}

// A time someone else took while the front desk was choosing is refused
// with a message and fresh times; nothing is booked or recorded.
func TestFrontDeskSlotTaken(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	fx.consultClinician()
	mine := fx.submit("Robin Client", "", 0)
	theirs := fx.submit("Other Client", "", 0)
	bookPage := fmt.Sprintf("/staff/intakes/%d/book", mine)

	forms := slotForms(t, parseHTML(t, fx.request(asFrontdesk, "GET", bookPage, "")), bookPage)
	if len(forms) == 0 {
		t.Fatal("no times offered")
	}
	start, _ := time.Parse(time.RFC3339, forms[0].Get("start"))
	clin, _ := strconv.ParseInt(forms[0].Get("clinician_id"), 10, 64)
	if _, err := fx.a.Booking.BookForIntake(ctx, theirs, booking.Request{ClinicianID: clin, Start: start}); err != nil {
		t.Fatal(err)
	}

	before := fx.auditCount()
	res := fx.request(asFrontdesk, "POST", bookPage, forms[0].Encode())
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("taken time: %d, want 409", res.StatusCode)
	}
	doc := parseHTML(t, res)
	if msg := textOf(byID(doc, "picker-message")); !strings.Contains(msg, "Someone else booked that time") {
		t.Errorf("message %q", msg)
	}
	fresh := slotForms(t, doc, bookPage)
	if len(fresh) == 0 {
		t.Fatal("no fresh times after the refusal")
	}
	for _, f := range fresh {
		if f.Get("start") == forms[0].Get("start") {
			t.Error("the taken time is still offered")
		}
	}
	if list, _ := fx.a.Booking.ForIntake(ctx, mine); len(list) != 0 {
		t.Errorf("%d bookings after the refusal", len(list))
	}
	if n := fx.auditCount() - before; n != 0 {
		t.Errorf("%d audit entries for a refused booking", n)
	}

	// Nonsense is refused as a time that is not open.
	if res := fx.request(asFrontdesk, "POST", bookPage, "clinician_id=x&start=soon"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("nonsense slot: %d, want 422", res.StatusCode)
	}
	for _, p := range []string{"/staff/intakes/999999/book", "/staff/bookings/999999/cancel", "/staff/bookings/abc/reschedule"} {
		if res := fx.request(asFrontdesk, "GET", p, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
}

// The intake page shows where each email of a consultation stands: pending
// before the mail worker runs, then sent, or failed with the mail server's
// reply.
func TestIntakePageShowsEmailDelivery(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	id := fx.submit("Robin Client", "", 0)
	res := fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/book", id), fx.nextSlotForm())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("book: %d", res.StatusCode)
	}
	var client string
	fx.a.DB.Table("intakes").Where("id = ?", id).Pluck("email", &client)

	rows := func() map[string]string {
		doc := parseHTML(t, fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", id), ""))
		out := map[string]string{}
		// The consultation's emails: the request's own receipt is listed
		// apart (TestReceivedEmailOnIntakePage).
		var trs []*html.Node
		for _, sec := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Section && attr(n, "class") == "card booking" }) {
			trs = append(trs, findAll(sec, func(n *html.Node) bool { return n.DataAtom == atom.Tr && hasAttr(n, "data-status") })...)
		}
		for _, tr := range trs {
			var cells []string
			for _, td := range findAll(tr, func(n *html.Node) bool { return n.DataAtom == atom.Td }) {
				cells = append(cells, textOf(td))
			}
			if len(cells) != 5 {
				t.Fatalf("email row with %d cells", len(cells))
			}
			out[cells[0]] = strings.Join(cells[1:], " | ")
		}
		return out
	}
	want := map[string]string{client: "Invitation to the client | Waiting to be sent | 0 | None",
		consultClinicianEmail: "Invitation to the clinician | Waiting to be sent | 0 | None"}
	if got := rows(); !maps.Equal(got, want) {
		t.Errorf("before delivery: %v, want %v", got, want)
	}

	mail := smtptest.Start(t)
	mail.RefuseMailbox(client, "No such mailbox here")
	tr, err := outbox.NewSMTPTransport(mail.URL())
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.NewWorker(fx.a.DB, tr, fx.clock.Now, nil, outbox.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatalf("deliver: %v", err)
	}

	got := rows()
	if g := got[consultClinicianEmail]; g != "Invitation to the clinician | Delivered | 1 | None" {
		t.Errorf("clinician's email: %q, want sent", g)
	}
	if g := got[client]; !strings.HasPrefix(g, "Invitation to the client | Refused by the mail server | 1 | The recipient's address does not exist.") ||
		!strings.Contains(g, "550") || !strings.Contains(g, "No such mailbox here") {
		t.Errorf("client's email: %q, want failed with the 550 reply", g)
	}
}
