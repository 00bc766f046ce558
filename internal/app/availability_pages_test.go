package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/staff"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// hoursForm is a valid availability editor as a browser posts it: Monday
// mornings, with an empty weekly row and an empty exception row.
func hoursForm() url.Values {
	return url.Values{
		"timezone": {"America/New_York"}, "slot_minutes": {"50"}, "buffer_minutes": {"10"},
		"min_notice_hours": {"0"}, "horizon_days": {"60"},
		"weekly[0].weekday": {"monday"}, "weekly[0].start": {"09:00"}, "weekly[0].end": {"12:00"},
		"weekly[1].weekday": {""}, "weekly[1].start": {""}, "weekly[1].end": {""},
		"exceptions[0].date": {""}, "exceptions[0].start": {""}, "exceptions[0].end": {""},
		"intent": {"save"},
	}
}

// mondayHours are clinician hours on Monday mornings in New York.
func mondayHours() schedule.AvailabilityInput {
	return schedule.AvailabilityInput{TimeZone: "America/New_York", SlotMinutes: 50, BufferMinutes: 10, HorizonDays: 60,
		Weekly: []schedule.WeeklyWindowInput{{Weekday: "monday", Start: "09:00", End: "12:00"}}}
}

// nextWeek is the Monday of next week in New York, as the fixture's clock
// reads it.
func (fx *staffFixture) nextWeek() schedule.Date {
	ny, _ := time.LoadLocation("America/New_York")
	return schedule.WeekStart(schedule.DateOf(fx.clock.Now().In(ny))).AddDays(7)
}

// hoursPage opens a consultation-hours page as role and parses it.
func (fx *staffFixture) hoursPage(role, path string) *html.Node {
	fx.t.Helper()
	res := fx.request(role, "GET", path, "")
	if res.StatusCode != http.StatusOK {
		fx.t.Fatalf("GET %s as %s = %d", path, role, res.StatusCode)
	}
	return parseHTML(fx.t, res)
}

// hoursEditor is the editor's form on a parsed page.
func hoursEditor(t *testing.T, doc *html.Node) *html.Node {
	t.Helper()
	f := byID(doc, "f-availability")
	if f == nil || f.DataAtom != atom.Form {
		t.Fatal("no availability form on the page")
	}
	return f
}

// weekGrid reads the preview grid: the times listed under each date.
func weekGrid(t *testing.T, doc *html.Node) map[string][]string {
	t.Helper()
	cells := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Td && attr(n, "data-date") != "" })
	if len(cells) != 7 {
		t.Fatalf("the week preview has %d days, want 7", len(cells))
	}
	out := map[string][]string{}
	for _, td := range cells {
		times := []string{}
		for _, li := range findAll(td, func(n *html.Node) bool { return n.DataAtom == atom.Li }) {
			times = append(times, textOf(li))
		}
		out[attr(td, "data-date")] = times
	}
	return out
}

func (fx *staffFixture) auditOf(action string, clinicianID int64) []audit.Item {
	fx.t.Helper()
	items, err := fx.a.Audit.List(context.Background(), audit.Filter{Action: action, RecordType: audit.TypeClinician,
		RecordID: strconv.FormatInt(clinicianID, 10)})
	if err != nil {
		fx.t.Fatal(err)
	}
	return items
}

func checkEntry(t *testing.T, e audit.Item, fx *staffFixture, role string, clinicianID int64) {
	t.Helper()
	acc := fx.accounts[role]
	if e.ActorID == nil || *e.ActorID != acc.ID || e.ActorEmail != acc.Email || e.RecordID != strconv.FormatInt(clinicianID, 10) || e.Detail != "" {
		t.Errorf("audit entry %+v, want by %s about clinician %d without detail", e, role, clinicianID)
	}
}

func TestClinicianEditsHoursAndThePreviewFollows(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	if _, err := fx.a.Booking.SetAvailability(ctx, fx.clinA, mondayHours()); err != nil {
		t.Fatal(err)
	}
	week := fx.nextWeek()
	monday, wednesday, thursday := week.String(), week.AddDays(2).String(), week.AddDays(3).String()
	page := "/staff/availability?week=" + wednesday // any day of the week shows its Monday to Sunday

	doc := fx.hoursPage(asClinician, page)
	if nav := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "href") == "/staff/availability" }); len(nav) == 0 {
		t.Error("no Availability link in the staff navigation")
	}
	form := formValues(hoursEditor(t, doc))
	if form.Get("timezone") != "America/New_York" || form.Get("weekly[0].weekday") != "monday" || form.Get("weekly[0].start") != "09:00" ||
		form.Get("weekly[0].end") != "12:00" || form.Get("slot_minutes") != "50" || !form.Has("weekly[3].start") || !form.Has("exceptions[1].date") {
		t.Fatalf("the editor shows %v", form)
	}
	grid := weekGrid(t, doc)
	if !slices.Equal(grid[monday], []string{"09:00", "10:00", "11:00"}) || len(grid[wednesday]) != 0 {
		t.Fatalf("preview before the change: %v", grid)
	}

	// Add Wednesday afternoons in the first empty row and save.
	form.Set("weekly[1].weekday", "wednesday")
	form.Set("weekly[1].start", "13:00")
	form.Set("weekly[1].end", "15:00")
	form.Set("intent", "save")
	res := fx.request(asClinician, "POST", "/staff/availability", form.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if loc != "/staff/availability?saved=hours&week="+monday {
		t.Fatalf("redirect to %q", loc)
	}
	doc = fx.hoursPage(asClinician, loc)
	if s := findAll(doc, func(n *html.Node) bool { return hasClass(n, "success") }); len(s) != 1 || !strings.Contains(textOf(s[0]), "saved") {
		t.Error("no message that the hours were saved")
	}
	grid = weekGrid(t, doc)
	if !slices.Equal(grid[wednesday], []string{"13:00", "14:00"}) || !slices.Equal(grid[monday], []string{"09:00", "10:00", "11:00"}) {
		t.Errorf("preview after the change: %v", grid)
	}
	saved, err := fx.a.Booking.Availability(ctx, fx.clinA)
	if err != nil || len(saved.Weekly) != 2 {
		t.Fatalf("saved rules %+v, %v", saved.Weekly, err)
	}
	entries := fx.auditOf(audit.AvailabilityUpdate, fx.clinA)
	if len(entries) != 1 {
		t.Fatalf("%d audit entries for one save, want 1", len(entries))
	}
	checkEntry(t, entries[0], fx, asClinician, fx.clinA)

	// Preview without saving shows the form's hours in the week, and keeps
	// the saved ones as they were.
	form = formValues(hoursEditor(t, doc))
	row := -1
	for i := 0; form.Has(fmt.Sprintf("weekly[%d].start", i)); i++ {
		if form.Get(fmt.Sprintf("weekly[%d].start", i)) == "" {
			row = i
			break
		}
	}
	if row < 0 {
		t.Fatalf("no empty weekly row after saving: %v", form)
	}
	form.Set(fmt.Sprintf("weekly[%d].weekday", row), "thursday")
	form.Set(fmt.Sprintf("weekly[%d].start", row), "09:00")
	form.Set(fmt.Sprintf("weekly[%d].end", row), "10:00")
	form.Set("intent", "preview")
	res = fx.request(asClinician, "POST", "/staff/availability", form.Encode())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview = %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	grid = weekGrid(t, doc)
	if !slices.Equal(grid[thursday], []string{"09:00"}) || !slices.Equal(grid[wednesday], []string{"13:00", "14:00"}) {
		t.Errorf("previewed week: %v", grid)
	}
	if got := formValues(hoursEditor(t, doc)); got.Get(fmt.Sprintf("weekly[%d].weekday", row)) != "thursday" {
		t.Errorf("the previewed form lost the new row: %v", got)
	}
	if !strings.Contains(textOf(byID(doc, "preview")), "Not saved yet") {
		t.Error("the preview does not say it is not saved")
	}
	if saved, _ := fx.a.Booking.Availability(ctx, fx.clinA); len(saved.Weekly) != 2 {
		t.Errorf("preview saved the rules: %+v", saved.Weekly)
	}
	if n := len(fx.auditOf(audit.AvailabilityUpdate, fx.clinA)); n != 1 {
		t.Errorf("%d audit entries after a preview, want still 1", n)
	}

	// The previous and next week of the preview move by seven days.
	prev := byID(doc, "preview")
	buttons := findAll(prev, func(n *html.Node) bool { return n.DataAtom == atom.Button && attr(n, "name") == "preview_week" })
	if len(buttons) != 2 || attr(buttons[0], "value") != week.AddDays(-7).String() || attr(buttons[1], "value") != week.AddDays(7).String() {
		t.Errorf("week buttons of the preview: %d", len(buttons))
	}
}

func TestHoursFormErrorsStayWithTheirRows(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	if _, err := fx.a.Booking.SetAvailability(ctx, fx.clinA, mondayHours()); err != nil {
		t.Fatal(err)
	}
	// Row 1 is left empty, so row 2 is the second window the rules get:
	// its message must still be shown on row 2.
	sent := hoursForm()
	sent.Set("slot_minutes", "45")
	sent.Set("weekly[2].weekday", "tuesday")
	sent.Set("weekly[2].start", "15:00")
	sent.Set("weekly[2].end", "13:00")
	sent.Set("weekly[3].weekday", "friday")
	sent.Set("weekly[3].start", "10:00")
	sent.Set("weekly[3].end", "12:00")
	sent.Set("exceptions[1].date", "2026-02-30")
	sent.Set("exceptions[1].closed", "yes")
	sent.Set("exceptions[2].date", "2026-12-28")
	sent.Set("exceptions[2].start", "13:00")
	sent.Set("exceptions[2].end", "15:00")
	res := fx.request(asClinician, "POST", "/staff/availability", sent.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := parseHTML(t, res)

	// Each message is inside its row, next to its field, and marks it.
	for _, c := range []struct{ row, msg, field, says string }{
		{"f-weekly-2", "e-weekly-2-end", "f-weekly-2-end", "end time must be after"},
		{"f-exceptions-1", "e-exceptions-1-date", "f-exceptions-1-date", "real date"},
	} {
		msg, row, field := byID(doc, c.msg), byID(doc, c.row), byID(doc, c.field)
		if msg == nil || row == nil || field == nil || !isInside(msg, row) || !isInside(field, row) {
			t.Fatalf("message %s is not in row %s", c.msg, c.row)
		}
		if !strings.Contains(textOf(msg), c.says) {
			t.Errorf("%s says %q", c.msg, textOf(msg))
		}
		if attr(field, "aria-invalid") != "true" || !strings.Contains(attr(field, "aria-describedby"), c.msg) {
			t.Errorf("%s is not marked invalid and described by its message", c.field)
		}
	}
	errs := findAll(doc, func(n *html.Node) bool { return hasClass(n, "field-error") })
	if len(errs) != 2 {
		var texts []string
		for _, e := range errs {
			texts = append(texts, textOf(e))
		}
		t.Errorf("%d messages on the page, want 2: %q", len(errs), texts)
	}

	// The summary names both, in page order, and links to the fields.
	summary := byID(doc, "error-summary")
	if summary == nil {
		t.Fatal("no error summary")
	}
	var links []string
	for _, a := range findAll(summary, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		links = append(links, attr(a, "href"))
	}
	if !slices.Equal(links, []string{"#f-weekly-2-end", "#f-exceptions-1-date"}) {
		t.Errorf("summary links %v", links)
	}
	if s := textOf(summary); !strings.Contains(s, "Weekly window 3") || !strings.Contains(s, "Date exception 2") {
		t.Errorf("summary does not name the rows: %q", s)
	}

	// Every value is shown as it was sent, empty rows included.
	got := formValues(hoursEditor(t, doc))
	for k, v := range sent {
		if k == "intent" {
			continue
		}
		if got.Get(k) != v[0] {
			t.Errorf("%s shows %q, sent %q", k, got.Get(k), v[0])
		}
	}

	// Nothing was saved and nothing recorded.
	if saved, _ := fx.a.Booking.Availability(ctx, fx.clinA); len(saved.Weekly) != 1 || saved.Slot != 50*time.Minute {
		t.Errorf("rules changed by an invalid form: %+v", saved)
	}
	if n := len(fx.auditOf(audit.AvailabilityUpdate, fx.clinA)); n != 0 {
		t.Errorf("%d audit entries for a refused form", n)
	}
}

func TestWhoMayChangeWhoseHours(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	pathB := fmt.Sprintf("/staff/clinicians/%d/availability", fx.clinB)

	// A clinician cannot change another clinician's hours, nor see them.
	if res := fx.request(asClinician, "POST", pathB, hoursForm().Encode()); res.StatusCode != http.StatusForbidden {
		t.Errorf("clinician A posting B's hours = %d, want 403", res.StatusCode)
	}
	if res := fx.request(asClinician, "GET", pathB, ""); res.StatusCode != http.StatusForbidden {
		t.Errorf("clinician A opening B's hours = %d, want 403", res.StatusCode)
	}
	if _, err := fx.a.Booking.Availability(ctx, fx.clinB); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("B's hours after a refused change: %v", err)
	}

	// Front desk may do neither.
	for _, c := range []struct{ method, path string }{
		{"GET", "/staff/availability"}, {"POST", "/staff/availability"}, {"GET", pathB}, {"POST", pathB},
	} {
		if res := fx.request(asFrontdesk, c.method, c.path, hoursForm().Encode()); res.StatusCode != http.StatusForbidden {
			t.Errorf("front desk %s %s = %d, want 403", c.method, c.path, res.StatusCode)
		}
	}

	// An admin, who has no hours of their own, chooses a clinician and
	// changes their hours; the change is recorded as the admin's.
	doc := fx.hoursPage(asAdmin, "/staff/availability")
	var hrefs []string
	for _, a := range findAll(byID(doc, "main"), func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		hrefs = append(hrefs, attr(a, "href"))
	}
	if !slices.Contains(hrefs, pathB) || !slices.Contains(hrefs, fmt.Sprintf("/staff/clinicians/%d/availability", fx.clinA)) {
		t.Errorf("the admin's list of clinicians links to %v", hrefs)
	}
	doc = fx.hoursPage(asAdmin, pathB)
	if h := textOf(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 })[0]); !strings.Contains(h, "Dr. Blake Rivers") {
		t.Errorf("heading %q does not name the clinician", h)
	}
	if f := hoursEditor(t, doc); attr(f, "action") != pathB {
		t.Errorf("the form posts to %q", attr(f, "action"))
	}
	res := fx.request(asAdmin, "POST", pathB, hoursForm().Encode())
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), pathB+"?saved=hours") {
		t.Fatalf("admin save = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if saved, err := fx.a.Booking.Availability(ctx, fx.clinB); err != nil || len(saved.Weekly) != 1 {
		t.Fatalf("B's hours after the admin's change: %+v, %v", saved, err)
	}
	entries := fx.auditOf(audit.AvailabilityUpdate, fx.clinB)
	if len(entries) != 1 {
		t.Fatalf("%d audit entries, want 1", len(entries))
	}
	checkEntry(t, entries[0], fx, asAdmin, fx.clinB)

	// A clinician may use the page with their own id too; it is recorded
	// against their clinician.
	pathA := fmt.Sprintf("/staff/clinicians/%d/availability", fx.clinA)
	if res := fx.request(asClinician, "POST", pathA, hoursForm().Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("clinician A posting their own hours by id = %d", res.StatusCode)
	}
	if entries := fx.auditOf(audit.AvailabilityUpdate, fx.clinA); len(entries) != 1 {
		t.Errorf("%d audit entries for A, want 1", len(entries))
	} else {
		checkEntry(t, entries[0], fx, asClinician, fx.clinA)
	}

	// The navigation offers the page to those who may use it.
	for role, want := range map[string]bool{asAdmin: true, asClinician: true, asFrontdesk: false} {
		res := fx.request(role, "GET", "/staff", "")
		nav := findAll(parseHTML(t, res), func(n *html.Node) bool { return n.DataAtom == atom.Nav && attr(n, "aria-label") == "Staff" })
		has := len(nav) == 1 && len(findAll(nav[0], func(n *html.Node) bool { return attr(n, "href") == "/staff/availability" })) == 1
		if has != want {
			t.Errorf("Availability in the navigation of %s: %v, want %v", role, has, want)
		}
	}
}

func TestUpcomingConsultationsOnTheHoursPage(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	if _, err := fx.a.Booking.SetAvailability(ctx, fx.clinA, mondayHours()); err != nil {
		t.Fatal(err)
	}
	const message = "Something only the clinician should read in the request"
	intakeID := fx.submit("Casey Client", message, fx.clinA)
	ny, _ := time.LoadLocation("America/New_York")
	week := fx.nextWeek()
	start := time.Date(week.Year, week.Month, week.Day, 10, 0, 0, 0, ny)
	if _, err := fx.a.Booking.BookForIntake(ctx, intakeID, booking.Request{ClinicianID: fx.clinA, Start: start}); err != nil {
		t.Fatal(err)
	}

	res := fx.request(asClinician, "GET", "/staff/availability?week="+week.String(), "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("page = %d", res.StatusCode)
	}
	doc := parseHTML(t, res)
	section := byID(doc, "consultations")
	if section == nil {
		t.Fatal("no upcoming consultations on the page")
	}
	rows := findAll(section, func(n *html.Node) bool { return n.DataAtom == atom.Tr })
	if len(rows) != 2 { // the header and one consultation
		t.Fatalf("%d table rows, want a header and one consultation", len(rows))
	}
	text := textOf(rows[1])
	wantWhen := start.Format("Mon, Jan 2, 2006, 15:04")
	if !strings.Contains(text, wantWhen) || !strings.Contains(text, "Individual") || !strings.Contains(text, "Booked") {
		t.Errorf("consultation row %q, want %s, Individual, Booked", text, wantWhen)
	}
	link := findAll(rows[1], func(n *html.Node) bool { return n.DataAtom == atom.A })
	if len(link) != 1 || attr(link[0], "href") != fmt.Sprintf("/staff/intakes/%d", intakeID) {
		t.Errorf("the consultation does not link to its request")
	}
	if page := textOf(doc); strings.Contains(page, message) || strings.Contains(page, "Casey") {
		t.Error("the hours page shows what the client wrote")
	}
	// The booked time is gone from the preview.
	if got := weekGrid(t, doc)[week.String()]; !slices.Equal(got, []string{"09:00", "11:00"}) {
		t.Errorf("Monday of the booked week offers %v, want 09:00 and 11:00", got)
	}
}

func TestCalendarFeedAddressFromTheHoursPage(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	feedPath := func() string {
		t.Helper()
		doc := fx.hoursPage(asClinician, "/staff/availability")
		in := byID(doc, "f-feed-url")
		if in == nil {
			return ""
		}
		u, err := url.Parse(attr(in, "value"))
		if err != nil || u.Scheme+"://"+u.Host != fx.a.Config.BaseURL || !strings.HasPrefix(u.Path, "/feeds/") || !strings.HasSuffix(u.Path, ".ics") {
			t.Fatalf("feed address %q", attr(in, "value"))
		}
		return u.Path
	}
	if p := feedPath(); p != "" {
		t.Fatalf("a feed address before one was made: %s", p)
	}
	rotate := func() {
		t.Helper()
		res := fx.request(asClinician, "POST", "/staff/availability/feed/rotate", "")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/availability?saved=feed#feed" {
			t.Fatalf("rotate = %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	}
	rotate()
	first := feedPath()
	if first == "" || feedPath() != first {
		t.Fatalf("the address is not shown, or not the same twice: %q", first)
	}
	res := fx.request(asAnonymous, "GET", first, "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	rotate()
	second := feedPath()
	if second == "" || second == first {
		t.Fatalf("rotating kept the address %q", second)
	}
	if res := fx.request(asAnonymous, "GET", first, ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("old feed address = %d, want 404", res.StatusCode)
	}
	if res := fx.request(asAnonymous, "GET", second, ""); res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("new feed address = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// Rotating without the form's CSRF token is refused and changes nothing.
	req := httptest.NewRequest("POST", "/staff/availability/feed/rotate", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "_csrf", Value: testCSRF})
	req.AddCookie(&http.Cookie{Name: staff.SessionCookie, Value: fx.sessions[asClinician]})
	rec := httptest.NewRecorder()
	fx.a.Echo.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("rotate without the CSRF token = %d, want 403", rec.Code)
	}
	if p := feedPath(); p != second {
		t.Errorf("the address changed without a CSRF token")
	}
	entries := fx.auditOf(audit.CalendarFeedRotate, fx.clinA)
	if len(entries) != 2 {
		t.Fatalf("%d feed audit entries, want 2", len(entries))
	}
	for _, e := range entries {
		checkEntry(t, e, fx, asClinician, fx.clinA)
	}
}

func TestAvailabilityAPIChangeIsAudited(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	path := fmt.Sprintf("/api/v1/clinicians/%d/availability", fx.clinA)
	body := `{"timezone":"America/New_York","slot_minutes":30,"buffer_minutes":10,"min_notice_hours":24,"horizon_days":60,` +
		`"weekly":[{"weekday":"monday","start":"09:00","end":"12:00"}],"exceptions":[{"date":"2026-12-24","closed":true}]}`
	if res := fx.request(asClinician, http.MethodPut, path, body); res.StatusCode != http.StatusOK {
		t.Fatalf("PUT availability = %d", res.StatusCode)
	}
	entries := fx.auditOf(audit.AvailabilityUpdate, fx.clinA)
	if len(entries) != 1 {
		t.Fatalf("%d audit entries, want 1", len(entries))
	}
	checkEntry(t, entries[0], fx, asClinician, fx.clinA)
	if res := fx.request(asClinician, http.MethodPut, fmt.Sprintf("/api/v1/clinicians/%d/availability", fx.clinB), body); res.StatusCode != http.StatusForbidden {
		t.Errorf("PUT another clinician's availability = %d, want 403", res.StatusCode)
	}
	if n := len(fx.auditOf(audit.AvailabilityUpdate, fx.clinB)); n != 0 {
		t.Errorf("a refused change was audited %d times", n)
	}
}

func TestClinicianCreatedThroughTheAPIIsAudited(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	res := fx.request(asAdmin, http.MethodPost, "/api/v1/clinicians",
		`{"name":"Dr. Casey Lane","email":"casey@practice.example","offers":["individual"],"timezone":"America/Chicago"}`)
	var created struct{ ID int64 }
	if err := json.NewDecoder(res.Body).Decode(&created); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("POST clinician = %d (%v)", res.StatusCode, err)
	}
	entries := fx.auditOf(audit.ClinicianCreate, created.ID)
	if len(entries) != 1 {
		t.Fatalf("%d audit entries, want 1", len(entries))
	}
	checkEntry(t, entries[0], fx, asAdmin, created.ID)
	if res := fx.request(asFrontdesk, http.MethodPost, "/api/v1/clinicians", `{"name":"X","email":"x@practice.example","offers":["individual"],"timezone":"UTC"}`); res.StatusCode != http.StatusForbidden {
		t.Errorf("front desk POST clinician = %d, want 403", res.StatusCode)
	}
}
