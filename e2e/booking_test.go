package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/schedule"
)

const (
	mailFrom       = "appointments@riverbend.test"
	clinicianEmail = "maya@riverbend.test"
	clinicianName  = "Dr. Maya Lindqvist"
)

// StartBookingServer starts an SMTP server and Firststep sending to it with
// a mail worker that does not dawdle, and seeds one clinician who offers
// individual and couples consultations every day of the week, 10:00–13:00
// UTC, in hour-long slots bookable from an hour ahead. Every day having the
// same hours in UTC keeps the test independent of the weekday and of any
// daylight-saving change.
func StartBookingServer(t *testing.T) (*Server, *MailServer) {
	t.Helper()
	ms := StartMailServer(t)
	s := StartServerWith(t, map[string]string{
		"FIRSTSTEP_SMTP_URL":  ms.URL(),
		"FIRSTSTEP_MAIL_FROM": "Riverbend Therapy <" + mailFrom + ">",
	}, app.Options{Outbox: outbox.Options{
		PollInterval: 200 * time.Millisecond,
		BaseBackoff:  100 * time.Millisecond,
		MaxBackoff:   time.Second,
	}})
	ctx := context.Background()
	c, err := s.App.Booking.CreateClinician(ctx, booking.ClinicianInput{Name: clinicianName, Email: clinicianEmail,
		Offers: []string{"individual", "couple"}, TimeZone: "UTC", VideoLink: "https://video.riverbend.test/maya"})
	if err != nil {
		t.Fatalf("create clinician: %v", err)
	}
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "10:00", End: "13:00"})
	}
	if _, err := s.App.Booking.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: "UTC", SlotMinutes: 60,
		MinNoticeHours: 1, HorizonDays: 30, Weekly: weekly}); err != nil {
		t.Fatalf("set availability: %v", err)
	}
	// The journeys book the first open time, often within a day, and then
	// move and cancel it as the client: no change cut-off here (the change
	// policy has its own tests in internal/app). The practice's name is the
	// sender's, as the emails had it before the settings were saved.
	st, err := s.App.Practice.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Name = "Riverbend Therapy"
	if err := s.App.Practice.Save(s.App.DB, st); err != nil {
		t.Fatalf("practice settings: %v", err)
	}
	setChangeCutoff(t, s, 0)
	return s, ms
}

// PickerDay is one day of the slot picker as the page shows it.
type PickerDay struct {
	Label string       `json:"label"`
	Slots []PickerSlot `json:"slots"`
}

// PickerSlot is one time button of the picker and what it would post.
type PickerSlot struct {
	Label string `json:"label"` // the button's visible text
	Start string `json:"start"`
	TZ    string `json:"tz"`
}

// PickerDays reads the days and times the picker shows.
func (b *Browser) PickerDays() []PickerDay {
	b.t.Helper()
	return Eval[[]PickerDay](b, `[...document.querySelectorAll("main section.day")].map(s => ({
  label: s.querySelector("h2").textContent.trim(),
  slots: [...s.querySelectorAll("form")].map(f => ({
    label: f.querySelector("button").textContent.replace(/\s+/g, " ").trim(),
    start: f.elements.start.value,
    tz: f.elements.tz.value,
  })),
}))`)
}

// PressSlot presses the n-th time (from 1) of the d-th day (from 1) and
// returns the status of the page it leads to.
func (b *Browser) PressSlot(d, n int) int64 {
	b.t.Helper()
	xpath := fmt.Sprintf(`((//main//section[contains(concat(" ", normalize-space(@class), " "), " day ")])[%d]//button[@type="submit"])[%d]`, d, n)
	return b.navigateBy(xpath, fmt.Sprintf("time %d of day %d", n, d))
}

// checkPicker checks that the picker groups its times by day: days in
// order, each day's times on that day in zone and in order, and at least
// three days to choose from.
func checkPicker(t *testing.T, days []PickerDay, zone string) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) < 3 {
		t.Fatalf("the picker shows %d days, want at least 3: %+v", len(days), days)
	}
	var last time.Time
	for i, d := range days {
		if i > 0 && d.Label == days[i-1].Label {
			t.Errorf("day %q is shown twice in a row", d.Label)
		}
		if len(d.Slots) == 0 {
			t.Errorf("day %q has no times", d.Label)
		}
		for _, s := range d.Slots {
			start, err := time.Parse(time.RFC3339, s.Start)
			if err != nil {
				t.Fatalf("time %q of %q: %v", s.Start, d.Label, err)
			}
			local := start.In(loc)
			if !start.After(last) {
				t.Errorf("time %s is not after %s", start, last)
			}
			last = start
			if want := local.Format("Monday, January 2"); d.Label != want {
				t.Errorf("time %s is under %q, want %q", start, d.Label, want)
			}
			if want := local.Format("3:04 PM") + " with " + clinicianName; s.Label != want {
				t.Errorf("button reads %q, want %q", s.Label, want)
			}
			if s.TZ != zone {
				t.Errorf("button posts tz=%q, want %q", s.TZ, zone)
			}
		}
	}
}

var manageLink = regexp.MustCompile(`(http://\S+)/bookings/([A-Za-z0-9_-]{20,})`)

// manageToken is the manage link in an email's text, checked to point at
// this server.
func manageToken(t *testing.T, s *Server, inv Invitation) string {
	t.Helper()
	m := manageLink.FindStringSubmatch(inv.Text)
	if m == nil {
		t.Fatalf("no manage link in the email to %s:\n%s", inv.Recipient(), inv.Text)
	}
	if m[1] != s.URL {
		t.Errorf("manage link %s does not start with %s", m[0], s.URL)
	}
	return m[2]
}

// checkInvitations checks what every message of one change has in common.
func checkInvitations(t *testing.T, invs map[string]Invitation, method string, sequence int, uid string, start time.Time) {
	t.Helper()
	for to, inv := range invs {
		if inv.From != mailFrom {
			t.Errorf("to %s: envelope sender %q, want %q", to, inv.From, mailFrom)
		}
		if hdr, err := inv.Header.AddressList("To"); err != nil || len(hdr) != 1 || hdr[0].Address != to {
			t.Errorf("to %s: To header %v (%v)", to, hdr, err)
		}
		if mt := inv.Header.Get("Content-Type"); !strings.HasPrefix(mt, "multipart/") {
			t.Errorf("to %s: Content-Type %q, want multipart", to, mt)
		}
		if !inv.InAlternative {
			t.Errorf("to %s: the calendar is not in a multipart/alternative with text/plain and text/html", to)
		}
		if inv.PartMethod != method || inv.Method != method {
			t.Errorf("to %s: part method=%q, METHOD:%q, want %s", to, inv.PartMethod, inv.Method, method)
		}
		if inv.Sequence != sequence {
			t.Errorf("to %s: SEQUENCE:%d, want %d", to, inv.Sequence, sequence)
		}
		if inv.UID == "" || inv.UID != uid && uid != "" {
			t.Errorf("to %s: UID %q, want %q", to, inv.UID, uid)
		}
		if inv.Organizer != "mailto:"+mailFrom {
			t.Errorf("to %s: ORGANIZER %q, want mailto:%s", to, inv.Organizer, mailFrom)
		}
		for rcpt := range invs {
			if !slices.Contains(inv.Attendees, "mailto:"+rcpt) {
				t.Errorf("to %s: %s is not an ATTENDEE (%v)", to, rcpt, inv.Attendees)
			}
		}
		if !inv.Start.Equal(start) {
			t.Errorf("to %s: DTSTART %s, want %s", to, inv.Start, start)
		}
		if method == "CANCEL" && inv.Status != "CANCELLED" {
			t.Errorf("to %s: STATUS:%q, want CANCELLED", to, inv.Status)
		}
		if method == "REQUEST" && inv.Status == "CANCELLED" {
			t.Errorf("to %s: a REQUEST with STATUS:CANCELLED", to)
		}
	}
}

// A couple asks for a consultation, books a time, moves it using the link
// in their email, then cancels it; everyone invited gets an invitation at
// each step that their calendar applies to the same event.
func TestCoupleBooksReschedulesAndCancels(t *testing.T) {
	t.Parallel()
	s, ms := StartBookingServer(t)
	b := NewBrowser(t, s)
	const (
		client  = "sam@example.org"
		partner = "alex@example.org"
		secret  = "marigold lighthouse"
	)
	everyone := []string{client, partner, clinicianEmail}

	b.Visit("/")
	if status := b.Follow("For us as a couple"); status != 200 {
		t.Fatalf("couple form: %d", status)
	}
	b.Fill("Your name", "Sam Rivera")
	b.Fill("Your email", client)
	b.Fill("Your partner's name", "Alex Rivera")
	b.Fill("Your partner's email", partner)
	b.Fill("Anything else you would like to name", "The quince orchard move")
	b.Fill("What are you hoping for?", "To stop fighting about the "+secret+" and listen again.")
	b.Fill("How did you hear about us?", "Overheard at the zephyr bakery")
	b.Select("Your time zone", "UTC")
	b.Choose("No")
	b.Check("I have read the privacy notice")
	if status := b.Press("Send my request"); status != 200 {
		t.Fatalf("sending the request: %d", status)
	}
	intakeToken := token(t, b.Path(), "")

	// The client — and only the client — is told the request arrived, with
	// the private link back to the times.
	subject, receipt := ms.WaitForReceipt(t, client)
	if !strings.HasPrefix(subject, "We received your request — ") {
		t.Errorf("receipt subject %q", subject)
	}
	if want := s.URL + "/requests/" + intakeToken; !strings.Contains(receipt, want) {
		t.Errorf("the receipt lacks the link %s:\n%s", want, receipt)
	}

	// The picker: open times grouped by day, in the zone the client chose.
	if h := b.Text("h1"); h != "Choose a time for your free consultation" {
		t.Errorf("picker heading %q", h)
	}
	days := b.PickerDays()
	checkPicker(t, days, "UTC")
	// Today's times may sit at the edge of the clinician's notice; the next
	// days' are well clear of it.
	first := days[1].Slots[0]
	firstStart, _ := time.Parse(time.RFC3339, first.Start)
	if status := b.PressSlot(2, 1); status != 200 {
		t.Fatalf("choosing %s: %d", first.Start, status)
	}
	m := regexp.MustCompile(`^/bookings/([A-Za-z0-9_-]{20,})$`).FindStringSubmatch(b.Path())
	if m == nil {
		t.Fatalf("after booking the browser is at %s, want /bookings/{token}", b.Path())
	}
	browserToken := m[1]
	if got := b.Text("[role=status]"); !strings.Contains(got, "You are booked") {
		t.Errorf("the manage page says %q, want You are booked", got)
	}
	when := b.Text("dl.facts dd")
	if want := firstStart.Format("Monday, January 2, 2006 at 3:04 PM"); !strings.HasPrefix(when, want) {
		t.Errorf("the manage page says When %q, want %q", when, want)
	}

	booked := ms.WaitForInvitations(t, 0, everyone...)
	checkInvitations(t, booked, "REQUEST", 0, "", firstStart)
	uid := booked[client].UID
	for to, inv := range booked {
		if inv.UID != uid {
			t.Errorf("UID %q to %s, %q to %s: want one UID per booking", inv.UID, to, uid, client)
		}
	}
	clientToken := manageToken(t, s, booked[client])
	if partnerToken := manageToken(t, s, booked[partner]); partnerToken == clientToken {
		t.Error("the partner got the client's own manage link")
	}
	if clientToken != browserToken {
		t.Errorf("the email's manage link %s is not the page the client was shown (%s)", clientToken, browserToken)
	}
	if manageLink.MatchString(booked[clinicianEmail].Text) {
		t.Error("the clinician's email carries a client's manage link")
	}

	// Later, from the email: a new time.
	if status := b.Visit("/bookings/" + clientToken); status != 200 {
		t.Fatalf("manage link: %d", status)
	}
	if status := b.Follow("Choose a new time"); status != 200 {
		t.Fatalf("choose a new time: %d", status)
	}
	if h := b.Text("h1"); h != "Choose a new time" {
		t.Errorf("reschedule heading %q", h)
	}
	days = b.PickerDays()
	checkPicker(t, days, "UTC")
	if slices.ContainsFunc(days, func(d PickerDay) bool {
		return slices.ContainsFunc(d.Slots, func(s PickerSlot) bool { return s.Start == first.Start })
	}) {
		t.Errorf("the booked time %s is still offered", first.Start)
	}
	second := days[2].Slots[1]
	secondStart, _ := time.Parse(time.RFC3339, second.Start)
	if status := b.PressSlot(3, 2); status != 200 {
		t.Fatalf("choosing %s: %d", second.Start, status)
	}
	if p := b.Path(); p != "/bookings/"+clientToken {
		t.Fatalf("after rescheduling the browser is at %s", p)
	}
	if got := b.Text("[role=status]"); !strings.Contains(got, "new time") {
		t.Errorf("the manage page says %q, want that the time changed", got)
	}
	when = b.Text("dl.facts dd")
	if want := secondStart.Format("Monday, January 2, 2006 at 3:04 PM"); !strings.HasPrefix(when, want) {
		t.Errorf("the manage page says When %q, want %q", when, want)
	}
	moved := ms.WaitForInvitations(t, 1, everyone...)
	checkInvitations(t, moved, "REQUEST", 1, uid, secondStart)

	// And then cancelled, through the confirmation page.
	if status := b.Follow("Cancel the consultation"); status != 200 {
		t.Fatalf("cancel the consultation: %d", status)
	}
	if h := b.Text("h1"); h != "Cancel your consultation?" {
		t.Errorf("cancel page heading %q", h)
	}
	if n := len(ms.Messages()); n != 7 {
		t.Errorf("%d messages after opening the cancel page, want 7 (the receipt, 6 invitations): opening it must not cancel", n)
	}
	if status := b.Press("Yes, cancel it"); status != 200 {
		t.Fatalf("yes, cancel it: %d", status)
	}
	if got := b.Text("[role=status]"); !strings.Contains(got, "cancelled") {
		t.Errorf("the manage page says %q, want cancelled", got)
	}
	cancelled := ms.WaitForInvitations(t, 2, everyone...)
	checkInvitations(t, cancelled, "CANCEL", 2, uid, secondStart)

	// Email is not a secure channel: no answer from the form is in any of it.
	for _, r := range ms.Messages() {
		if !IsInvitation(r) { // the receipt
			for _, answer := range []string{secret, "quince orchard", "zephyr bakery"} {
				if strings.Contains(strings.ToLower(string(r.Data)), answer) {
					t.Errorf("the receipt to %v contains the intake answer %q", r.To, answer)
				}
			}
			continue
		}
		inv := ParseInvitation(t, r)
		for _, answer := range []string{secret, "quince orchard", "zephyr bakery"} {
			if strings.Contains(strings.ToLower(inv.Decoded()), answer) || strings.Contains(string(r.Data), answer) {
				t.Errorf("the email to %s (SEQUENCE %d) contains the intake answer %q", inv.Recipient(), inv.Sequence, answer)
			}
		}
	}
	if n := len(ms.Messages()); n != 10 {
		t.Errorf("%d messages in all, want 10 (the receipt, 9 invitations)", n)
	}

	// The cancelled time is open again, and the request can book anew.
	if status := b.Visit("/requests/" + intakeToken); status != 200 {
		t.Fatalf("picker after cancelling: %d", status)
	}
	if !slices.ContainsFunc(b.PickerDays(), func(d PickerDay) bool {
		return slices.ContainsFunc(d.Slots, func(s PickerSlot) bool { return s.Start == second.Start })
	}) {
		t.Errorf("the cancelled time %s is not offered again", second.Start)
	}
}

// The picker works without JavaScript: a person chooses a zone from the
// list, asks for the times and books one, all with plain forms.
func TestPickerWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s, ms := StartBookingServer(t)
	b := NewBrowser(t, s)
	// If the page's scripts did run, the picker would switch itself to this
	// zone at once.
	if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tab, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Pacific/Auckland"})
		return err
	})); err != nil {
		t.Fatalf("turn JavaScript off: %v", err)
	}

	b.Visit("/request/individual")
	b.Fill("Your name", "Jo")
	b.Fill("Your email", "jo@example.org")
	b.Check("I have read the privacy notice")
	if status := b.Press("Send my request"); status != 200 {
		t.Fatalf("sending the request: %d", status)
	}
	intakeToken := token(t, b.Path(), "")
	if q := Eval[string](b, "location.search"); q != "" {
		t.Fatalf("the picker moved to %s by itself: scripts ran", q)
	}
	// No zone chosen yet: the practice's.
	if got := b.Value("Show times in this time zone"); got != "America/New_York" {
		t.Errorf("the picker starts in %q, want the practice's zone", got)
	}

	b.Select("Show times in this time zone", "Asia/Tokyo")
	if status := b.Press("Show times"); status != 200 {
		t.Fatalf("show times: %d", status)
	}
	if p, q := b.Path(), Eval[string](b, "location.search"); p != "/requests/"+intakeToken || q != "?tz=Asia%2FTokyo" {
		t.Fatalf("show times led to %s%s", p, q)
	}
	if got := b.Value("Show times in this time zone"); got != "Asia/Tokyo" {
		t.Errorf("the zone list shows %q after choosing Asia/Tokyo", got)
	}
	days := b.PickerDays()
	checkPicker(t, days, "Asia/Tokyo")
	// 10:00–13:00 UTC is 7–10 PM in Tokyo, which has no daylight saving.
	for _, d := range days {
		for _, sl := range d.Slots {
			if !slices.Contains([]string{"7:00 PM", "8:00 PM", "9:00 PM"}, strings.Split(sl.Label, " with ")[0]) {
				t.Errorf("%s %s: not within the clinician's hours in Tokyo", d.Label, sl.Label)
			}
		}
	}

	pick := days[1].Slots[len(days[1].Slots)-1]
	start, _ := time.Parse(time.RFC3339, pick.Start)
	if status := b.PressSlot(2, len(days[1].Slots)); status != 200 {
		t.Fatalf("choosing %s: %d", pick.Start, status)
	}
	if got := b.Text("[role=status]"); !strings.Contains(got, "You are booked") {
		t.Errorf("the manage page says %q, want You are booked", got)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	if when, want := b.Text("dl.facts dd"), start.In(tokyo).Format("Monday, January 2, 2006 at 3:04 PM MST"); when != want {
		t.Errorf("the manage page says When %q, want %q", when, want)
	}
	invs := ms.WaitForInvitations(t, 0, "jo@example.org", clinicianEmail)
	checkInvitations(t, invs, "REQUEST", 0, "", start)
	if !strings.Contains(invs["jo@example.org"].Text, start.In(tokyo).Format("3:04 PM")) {
		t.Errorf("the client's email does not give the time in Tokyo:\n%s", invs["jo@example.org"].Text)
	}
}
