package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/staff"
	"golang.org/x/crypto/bcrypt"
)

// staffPassword is every staff account's password in these tests.
const staffPassword = "a long enough staff password"

// StartStaffServer starts Firststep with staff passwords hashed at the
// lowest cost and a mail worker that does not dawdle. Email goes to files
// in the server's data folder.
func StartStaffServer(t *testing.T) *Server {
	t.Helper()
	return StartServerWith(t, nil, app.Options{PasswordCost: bcrypt.MinCost, Outbox: outbox.Options{
		PollInterval: 200 * time.Millisecond,
		BaseBackoff:  100 * time.Millisecond,
		MaxBackoff:   time.Second,
	}})
}

// AddStaffAccount creates an account through the app's service and returns
// its email address. clinicianID names the clinician of a clinician
// account (nil for the other roles).
func AddStaffAccount(t *testing.T, s *Server, role staff.Role, name string, clinicianID *int64) string {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@practice.test"
	if _, err := s.App.Staff.Add(context.Background(), staff.NewAccount{Email: email, Name: name, Role: role,
		ClinicianID: clinicianID, Password: staffPassword}); err != nil {
		t.Fatalf("add %s account: %v", role, err)
	}
	return email
}

// StaffSignIn signs in through the sign-in page, as a person does, and
// checks that the intake queue opens.
func (b *Browser) StaffSignIn(email string) {
	b.t.Helper()
	if status := b.Visit("/staff/signin"); status != 200 {
		b.fatalf("sign-in page: %d", status)
	}
	b.Fill("Email", email)
	b.Fill("Password", staffPassword)
	if status := b.Press("Sign in"); status != 200 {
		b.fatalf("signing in as %s: %d", email, status)
	}
	if p := b.Path(); p != "/staff" {
		b.fatalf("after signing in, at %s, want /staff", p)
	}
}

// addClinician adds a clinician who offers both kinds of consultation.
func addClinician(t *testing.T, s *Server, name, email string) int64 {
	t.Helper()
	c, err := s.App.Booking.CreateClinician(context.Background(), booking.ClinicianInput{Name: name, Email: email,
		Offers: []string{"individual", "couple"}, TimeZone: "UTC"})
	if err != nil {
		t.Fatalf("create clinician: %v", err)
	}
	return c.ID
}

// submitIntake stores an intake through the service and returns its id.
func submitIntake(t *testing.T, s *Server, in intake.Input) int64 {
	t.Helper()
	if in.Kind == "" {
		in.Kind = "individual"
	}
	in.Consent = true
	r, err := s.App.Intakes.Submit(context.Background(), in)
	if err != nil {
		t.Fatalf("submit intake: %v", err)
	}
	return r.ID
}

func assign(t *testing.T, s *Server, intakeID, clinicianID int64) {
	t.Helper()
	if err := s.App.DB.Exec("UPDATE intakes SET assigned_clinician_id = ? WHERE id = ?", clinicianID, intakeID).Error; err != nil {
		t.Fatal(err)
	}
}

var intakePath = regexp.MustCompile(`^/staff/intakes/(\d+)$`)

// The front desk opens the queue, finds the urgent request first, reads
// it, adds a note, assigns a clinician and moves it to review; each change
// shows on the page it comes back to.
func TestFrontDeskWorksTheQueue(t *testing.T) {
	t.Parallel()
	s := StartStaffServer(t)
	addClinician(t, s, "Dr. Avery Stone", "avery@practice.test")
	desk := AddStaffAccount(t, s, staff.Frontdesk, "Frankie Desk", nil)
	submitIntake(t, s, intake.Input{Name: "Nora Early", Email: "nora@example.org"})
	urgent := submitIntake(t, s, intake.Input{Name: "Uma Urgent", Email: "uma@example.org", SafetyConcern: true,
		ContactPreference: "email"})
	submitIntake(t, s, intake.Input{Name: "Nick Later", Email: "nick@example.org"})

	b := NewBrowser(t, s)
	b.StaffSignIn(desk)
	rows := Eval[[]string](b, `[...document.querySelectorAll("main tbody tr")].map(tr => tr.querySelector("td").textContent.replace(/\s+/g, " ").trim())`)
	if want := []string{"Urgent Uma Urgent", "Nick Later", "Nora Early"}; strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Fatalf("queue rows %q, want %q", rows, want)
	}

	if status := b.Follow("Uma Urgent"); status != 200 {
		t.Fatalf("open the urgent request: %d", status)
	}
	if m := intakePath.FindStringSubmatch(b.Path()); m == nil || m[1] != strconv.FormatInt(urgent, 10) {
		t.Fatalf("at %s, want the urgent request's page", b.Path())
	}
	if got := b.Text(".crisis-panel"); !strings.Contains(got, "Urgent") {
		t.Errorf("urgent panel reads %q", got)
	}
	if got := b.Text(".contact-pref"); got != "Email only — do not call" {
		t.Errorf("contact preference reads %q", got)
	}

	b.Fill("Add a note", "Wrote back by email; she asked for an evening consultation.")
	if status := b.Press("Add note"); status != 200 {
		t.Fatalf("add note: %d", status)
	}
	if got := b.Text(".success"); got != "Your note was added." {
		t.Errorf("after the note, the page says %q", got)
	}
	if got := b.Text("ol.notes"); !strings.Contains(got, "Wrote back by email; she asked for an evening consultation.") || !strings.Contains(got, "Frankie Desk") {
		t.Errorf("notes read %q", got)
	}

	b.Select("Clinician", "Dr. Avery Stone")
	if status := b.Press("Save assignment"); status != 200 {
		t.Fatalf("assign: %d", status)
	}
	if got := b.Text(".success"); got != "The assignment was saved." {
		t.Errorf("after assigning, the page says %q", got)
	}
	if got := factOf(b, "Assigned clinician"); got != "Dr. Avery Stone" {
		t.Errorf("assigned clinician reads %q", got)
	}

	b.Select("#f-status", "In review")
	if status := b.Press("Change status"); status != 200 {
		t.Fatalf("change status: %d", status)
	}
	if got := b.Text(".success"); got != "The status was changed." {
		t.Errorf("after the status change, the page says %q", got)
	}
	if got := factOf(b, "Status"); got != "In review" {
		t.Errorf("status reads %q", got)
	}

	in, err := s.App.Intakes.Get(context.Background(), urgent)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != intake.StatusInReview || in.AssignedClinicianID == nil {
		t.Errorf("stored status %s, clinician %v", in.Status, in.AssignedClinicianID)
	}
}

// factOf is the first value the page's fact lists give for term.
func factOf(b *Browser, term string) string {
	b.t.Helper()
	return Eval[string](b, fmt.Sprintf(`(function (term) {
  const dt = [...document.querySelectorAll("main dl.facts dt")].find(d => d.textContent.trim() === term);
  return dt ? dt.nextElementSibling.textContent.replace(/\s+/g, " ").trim() : "";
})(%q)`, term))
}

// A clinician opens the requests assigned to them, and is told plainly
// that another clinician's request is not theirs to read.
func TestClinicianSeesOnlyTheirOwnRequests(t *testing.T) {
	t.Parallel()
	s := StartStaffServer(t)
	avery := addClinician(t, s, "Dr. Avery Stone", "avery@practice.test")
	blake := addClinician(t, s, "Dr. Blake Rivers", "blake@practice.test")
	email := AddStaffAccount(t, s, staff.Clinician, "Avery Stone", &avery)
	mine := submitIntake(t, s, intake.Input{Name: "Mina Mine", Email: "mina@example.org", Message: "For Avery."})
	theirs := submitIntake(t, s, intake.Input{Name: "Theo Theirs", Email: "theo@example.org", Message: "For Blake."})
	assign(t, s, mine, avery)
	assign(t, s, theirs, blake)

	b := NewBrowser(t, s)
	b.StaffSignIn(email)
	if got := b.Text("main tbody"); !strings.Contains(got, "Mina Mine") || strings.Contains(got, "Theo Theirs") {
		t.Errorf("the clinician's queue reads %q", got)
	}

	if status := b.Visit(fmt.Sprintf("/staff/intakes/%d", theirs)); status != 403 {
		t.Fatalf("another clinician's request: %d, want 403", status)
	}
	got := b.Text("main")
	if !strings.Contains(got, "This request is not assigned to you or booked with you.") {
		t.Errorf("the refusal reads %q", got)
	}
	if strings.Contains(got, "Theo") || strings.Contains(got, "For Blake.") {
		t.Errorf("the refusal shows the request: %q", got)
	}

	if status := b.Visit(fmt.Sprintf("/staff/intakes/%d", mine)); status != 200 {
		t.Fatalf("own request: %d, want 200", status)
	}
	if h := b.Text("h1"); !strings.Contains(h, "Mina Mine") {
		t.Errorf("own request's heading %q", h)
	}
	if got := b.Text("main"); !strings.Contains(got, "For Avery.") {
		t.Errorf("own request's page lacks the message: %q", got)
	}
}

// What a client typed is shown to staff as text: markup in a name or a
// message never runs, on the queue or on the request's page.
func TestStaffPagesShowMarkupAsText(t *testing.T) {
	t.Parallel()
	s := StartStaffServer(t)
	desk := AddStaffAccount(t, s, staff.Frontdesk, "Frankie Desk", nil)
	const script = `<script>window.__xss=1</script>`
	const img = `"><img src=x onerror="window.__xss=1">`
	name := script + ` ` + img
	message := "Hello " + script + "\nand " + img
	id := submitIntake(t, s, intake.Input{Name: name, Email: "mallory@example.org", Message: message})

	b := NewBrowser(t, s)
	var dialogs atomic.Int32
	// A dialog would block the page; it is counted and dismissed from
	// another goroutine (the listener may not send commands itself).
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatalf("listen for dialogs: %v", err)
	}
	b.StaffSignIn(desk)

	check := func(where string) {
		t.Helper()
		// An image that fails to load fires its handler once its load
		// has failed: wait until the page and every image are done.
		if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.readyState === "complete" && [...document.images].every(i => i.complete)`)); err != nil {
			t.Fatalf("%s: wait for the page's images: %v", where, err)
		}
		if n := Eval[int](b, `document.querySelectorAll("main script, main img, main [onerror]").length`); n != 0 {
			t.Errorf("%s: %d elements made from what the client typed", where, n)
		}
		if v := Eval[string](b, `typeof window.__xss`); v != "undefined" {
			t.Errorf("%s: window.__xss is %s: the client's markup ran", where, v)
		}
		if n := dialogs.Load(); n != 0 {
			t.Errorf("%s: %d dialogs opened", where, n)
		}
	}

	if got := Eval[string](b, `document.querySelector("main tbody a").textContent`); got != name {
		t.Errorf("queue shows the name as %q, want %q", got, name)
	}
	check("queue")

	if status := b.Visit(fmt.Sprintf("/staff/intakes/%d", id)); status != 200 {
		t.Fatalf("request page: %d", status)
	}
	if got := b.Text("h1"); got != fmt.Sprintf("Request #%d: %s", id, name) {
		t.Errorf("heading %q", got)
	}
	if got := factOf(b, "Name"); got != name {
		t.Errorf("name reads %q, want %q", got, name)
	}
	if got := Eval[string](b, `document.querySelector("h3 + .card").innerText`); got != message {
		t.Errorf("message reads %q, want %q", got, message)
	}
	check("request page")
}

// The front desk books a consultation for a client from the request's
// page and sees it listed with its emails, which are sent.
func TestFrontDeskBooksForAClient(t *testing.T) {
	t.Parallel()
	s := StartStaffServer(t)
	ctx := context.Background()
	const clinician = "Dr. Maya Lindqvist"
	clin := addClinician(t, s, clinician, "maya@practice.test")
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "10:00", End: "13:00"})
	}
	if _, err := s.App.Booking.SetAvailability(ctx, clin, schedule.AvailabilityInput{TimeZone: "UTC", SlotMinutes: 60,
		MinNoticeHours: 1, HorizonDays: 30, Weekly: weekly}); err != nil {
		t.Fatalf("set availability: %v", err)
	}
	desk := AddStaffAccount(t, s, staff.Frontdesk, "Frankie Desk", nil)
	id := submitIntake(t, s, intake.Input{Name: "Pat Client", Email: "pat@example.org", TimeZone: "America/Chicago"})
	page := fmt.Sprintf("/staff/intakes/%d", id)

	b := NewBrowser(t, s)
	b.StaffSignIn(desk)
	b.Visit(page)
	if got := b.Text("#consultations + p"); got != "No consultation booked yet." {
		t.Errorf("before booking, the page says %q", got)
	}
	if status := b.Follow("Book a consultation"); status != 200 {
		t.Fatalf("picker: %d", status)
	}
	if h := b.Text("h1"); h != "Book a consultation for Pat Client" {
		t.Errorf("picker heading %q", h)
	}
	first := Eval[string](b, `document.querySelector("main section.day form").elements.start.value`)
	start, err := time.Parse(time.RFC3339, first)
	if err != nil {
		t.Fatalf("first time %q: %v", first, err)
	}
	if status := b.navigateBy(`(//main//section[contains(@class, "day")]//button[@type="submit"])[1]`, "the first time"); status != 200 {
		t.Fatalf("book: %d", status)
	}
	if p := b.Path(); p != page {
		t.Fatalf("after booking, at %s, want %s", p, page)
	}
	if got := b.Text(".success"); !strings.Contains(got, "The consultation was booked") {
		t.Errorf("after booking, the page says %q", got)
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	section := b.Text("section.booking")
	for _, want := range []string{clinician, "Booked", start.In(chicago).Format("Mon, Jan 2, 2006 at 3:04 PM"), "America/Chicago",
		"pat@example.org", "maya@practice.test"} {
		if !strings.Contains(section, want) {
			t.Errorf("the consultation on the page lacks %q: %s", want, section)
		}
	}

	// The mail worker sends both invitations; the page says so.
	var states []string
	eventually(t, "both emails shown as sent", func() bool {
		b.Visit(page)
		states = Eval[[]string](b, `[...document.querySelectorAll("section.booking tr[data-status]")].map(tr => tr.dataset.status)`)
		return len(states) == 2 && states[0] == "sent" && states[1] == "sent"
	})
	if got := b.Text("section.booking table"); !strings.Contains(got, "Delivered") || !strings.Contains(got, "Invitation to the client") {
		t.Errorf("emails table reads %q", got)
	}

	list, err := s.App.Booking.ForIntake(ctx, id)
	if err != nil || len(list) != 1 || !list[0].Start.Equal(start) || list[0].Status != booking.StatusActive {
		t.Errorf("bookings %+v (%v)", list, err)
	}
}
