package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/schedule"
	"golang.org/x/net/html"
)

// seedClinician adds a clinician who offers offers, open every day
// 09:00–17:00 New York time with 50-minute slots and 10-minute buffers.
func seedClinician(t *testing.T, a *app.App, name string, offers ...string) booking.Clinician {
	t.Helper()
	ctx := context.Background()
	c, err := a.Booking.CreateClinician(ctx, booking.ClinicianInput{Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@example.org",
		Offers: offers, TimeZone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "09:00", End: "17:00"})
	}
	if _, err := a.Booking.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: "America/New_York",
		SlotMinutes: 50, BufferMinutes: 10, HorizonDays: 60, Weekly: weekly}); err != nil {
		t.Fatal(err)
	}
	return c
}

type slotJSON struct {
	ClinicianID   int64  `json:"clinician_id"`
	ClinicianName string `json:"clinician_name"`
	Start         string `json:"start"`
	End           string `json:"end"`
}

func slotsOf(t *testing.T, c *client, query string) []slotJSON {
	t.Helper()
	res := c.get("/api/v1/slots?" + query)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET slots?%s = %d: %s", query, res.StatusCode, readBody(t, res))
	}
	var body struct{ Slots []slotJSON }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Slots
}

func newIntakeToken(t *testing.T, c *client, kind, email string) string {
	t.Helper()
	body := fmt.Sprintf(`{"kind":%q,"name":"Client","email":%q,"consent":true}`, kind, email)
	if kind == "couple" {
		body = fmt.Sprintf(`{"kind":"couple","name":"Client","email":%q,"partner_name":"Partner","partner_email":"partner.%s","consent":true}`, email, email)
	}
	res := c.postJSON("/api/v1/intakes", body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create intake = %d: %s", res.StatusCode, readBody(t, res))
	}
	var out struct{ Token string }
	json.NewDecoder(res.Body).Decode(&out)
	return out.Token
}

func tomorrow() string { return time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02") }

func TestFiftyClientsRaceForOneSlot(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "individual")
	c := newClient(t, a, "192.0.2.1")
	const n = 50
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i] = newIntakeToken(t, c, "individual", fmt.Sprintf("client%d@example.org", i))
	}
	slot := slotsOf(t, c, "kind=individual&tz=America/New_York&from="+tomorrow())[0]
	start := make(chan struct{})
	statuses := make([]int, n)
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, tokens[i], maya.ID, slot.Start)
			req := httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = fmt.Sprintf("198.51.100.%d:5000", i)
			rec := httptest.NewRecorder()
			<-start
			a.Echo.ServeHTTP(rec, req)
			statuses[i] = rec.Code
			var e struct{ Error struct{ Code string } }
			json.Unmarshal(rec.Body.Bytes(), &e)
			codes[i] = e.Error.Code
		}(i)
	}
	close(start)
	wg.Wait()
	created, taken := 0, 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			created++
		case s == http.StatusConflict && codes[i] == "slot_taken":
			taken++
		default:
			t.Errorf("client %d: %d %s", i, s, codes[i])
		}
	}
	if created != 1 || taken != n-1 {
		t.Fatalf("%d × 201 and %d × 409 slot_taken; want 1 and %d", created, taken, n-1)
	}
	var bookings, mails, otherMails int64
	a.DB.Table("bookings").Count(&bookings)
	// The intakes' receipts (one each, before the race) are not the booking's.
	a.DB.Table("outbox_messages").Where("purpose <> ?", intake.ReceivedPurpose).Count(&mails)
	a.DB.Table("outbox_messages").Where("purpose <> ?", intake.ReceivedPurpose).Where("booking_id IS NULL OR booking_id <> (SELECT id FROM bookings)").Count(&otherMails)
	if bookings != 1 || mails != 2 || otherMails != 0 {
		t.Errorf("%d booking rows and %d outbox rows (%d of another booking); want 1 and 2 (client and clinician)", bookings, mails, otherMails)
	}
}

func TestSlotsAPI(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	seedClinician(t, a, "Maya Lindqvist", "individual", "couple")
	seedClinician(t, a, "Sam Okafor", "individual")
	c := newClient(t, a, "192.0.2.2")
	day := tomorrow()

	ny := slotsOf(t, c, "kind=individual&tz=America/New_York&from="+day+"&to="+day)
	if len(ny) != 16 { // two clinicians × 8 slots from 09:00 to 16:00
		t.Fatalf("%d slots on %s, want 16: %v", len(ny), day, ny)
	}
	if !strings.HasPrefix(ny[0].Start, day+"T09:00:00-05:00") || ny[0].ClinicianName == "" {
		t.Errorf("first slot = %+v, want 09:00 New York time with a clinician name", ny[0])
	}
	tokyo := slotsOf(t, c, "kind=individual&tz=Asia/Tokyo&from="+day+"&to="+day)
	if len(tokyo) == 0 || !strings.HasSuffix(tokyo[0].Start, "+09:00") {
		t.Errorf("Tokyo slots should be shown in +09:00: %v", tokyo)
	}
	if couples := slotsOf(t, c, "kind=couple&tz=UTC&from="+day+"&to="+day); len(couples) != 8 {
		t.Errorf("%d couple slots, want 8 (only Maya offers couples)", len(couples))
	}
	for _, tc := range []struct{ query, field string }{
		{"kind=family&tz=UTC", "kind"},
		{"kind=individual&tz=Mars/Base", "tz"},
		{"kind=individual&from=yesterday", "from"},
		{"kind=individual&from=2026-12-10&to=2026-12-01", "to"},
		{"kind=individual&from=2026-01-01&to=2026-12-31", "to"},
	} {
		res := c.get("/api/v1/slots?" + tc.query)
		e := decodeError(t, res)
		if res.StatusCode != http.StatusUnprocessableEntity || e.Fields[tc.field] == "" {
			t.Errorf("%s: %d %+v, want 422 with a message for %s", tc.query, res.StatusCode, e, tc.field)
		}
	}
}

func TestBookingAPI(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "individual", "couple")
	c := newClient(t, a, "192.0.2.3")
	token := newIntakeToken(t, c, "couple", "ann@example.org")
	slots := slotsOf(t, c, "kind=couple&tz=America/New_York&from="+tomorrow())
	book := func(tok, start string, header ...string) *http.Response {
		return c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, tok, maya.ID, start), header...)
	}
	off := strings.Replace(slots[0].Start, ":00:00-", ":05:00-", 1)
	for _, tc := range []struct {
		name   string
		res    *http.Response
		status int
		code   string
	}{
		{"not on the hours", book(token, off), 422, "slot_not_open"},
		{"missing fields", c.postJSON("/api/v1/bookings", `{}`), 422, "invalid_input"},
		{"broken JSON", c.postJSON("/api/v1/bookings", `{"intake_token":`), 400, "bad_json"},
		{"bad time", book(token, "tomorrow 9am"), 422, "invalid_input"},
	} {
		if e := decodeError(t, tc.res); tc.res.StatusCode != tc.status || e.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, tc.res.StatusCode, e.Code, tc.status, tc.code)
		}
	}

	first := book(token, slots[0].Start, "Idempotency-Key", "abc")
	if first.StatusCode != http.StatusCreated {
		t.Fatalf("book = %d: %s", first.StatusCode, readBody(t, first))
	}
	firstBody := readBody(t, first)
	again := book(token, slots[0].Start, "Idempotency-Key", "abc")
	if againBody := readBody(t, again); again.StatusCode != http.StatusCreated || againBody != firstBody {
		t.Errorf("repeat with the same Idempotency-Key = %d %s, want 201 %s", again.StatusCode, againBody, firstBody)
	}
	var conf struct {
		ID          int64  `json:"id"`
		ManageToken string `json:"manage_token"`
	}
	json.Unmarshal([]byte(firstBody), &conf)

	other := newIntakeToken(t, c, "couple", "bea@example.org")
	if res := book(other, slots[0].Start); res.StatusCode != http.StatusConflict || decodeError(t, res).Code != "slot_taken" {
		t.Errorf("a taken slot: %d, want 409 slot_taken", res.StatusCode)
	}

	patch := httptest.NewRequest(http.MethodPatch, "/api/v1/bookings/"+conf.ManageToken, strings.NewReader(fmt.Sprintf(`{"start":%q}`, slots[2].Start)))
	patch.Header.Set("Content-Type", "application/json")
	res := c.do(patch)
	var moved struct {
		Start    string
		Sequence int
		Status   string
	}
	json.NewDecoder(res.Body).Decode(&moved)
	if res.StatusCode != http.StatusOK || moved.Sequence != 1 || moved.Start == slots[0].Start {
		t.Errorf("PATCH = %d %+v", res.StatusCode, moved)
	}
	res = c.do(httptest.NewRequest(http.MethodDelete, "/api/v1/bookings/"+conf.ManageToken, nil))
	json.NewDecoder(res.Body).Decode(&moved)
	if res.StatusCode != http.StatusOK || moved.Status != "cancelled" || moved.Sequence != 2 {
		t.Errorf("DELETE = %d %+v", res.StatusCode, moved)
	}
	if res := c.do(httptest.NewRequest(http.MethodDelete, "/api/v1/bookings/not-a-token", nil)); res.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE unknown = %d, want 404", res.StatusCode)
	}
	var mails int64
	a.DB.Table("outbox_messages").Where("booking_id = ?", conf.ID).Count(&mails)
	if mails != 9 { // client, partner and clinician × (booked, moved, cancelled)
		t.Errorf("%d emails, want 9", mails)
	}
}

// TestPickerJourneyWithoutJavaScript books, loses a race, reschedules and
// cancels with plain forms, and checks that GET never changes anything.
func TestPickerJourneyWithoutJavaScript(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	seedClinician(t, a, "Maya Lindqvist", "individual", "couple")
	ann := newClient(t, a, "192.0.2.10")
	bea := newClient(t, a, "192.0.2.11")

	pick := func(c *client, token string) (url.Values, string) {
		t.Helper()
		res := c.get("/requests/" + token + "?tz=America/New_York&from=" + tomorrow())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("picker = %d", res.StatusCode)
		}
		doc := parseHTML(t, res)
		forms := findAll(doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "method") == "post" })
		if len(forms) == 0 {
			t.Fatal("the picker offers no times")
		}
		return formValues(forms[0]), attr(forms[0], "action")
	}
	annToken := tokenFrom(t, ann.submit("/request/couple", coupleAnswers()), "")
	beaToken := tokenFrom(t, bea.submit("/request/individual", individualAnswers()), "")
	annChoice, annAction := pick(ann, annToken)
	beaChoice, beaAction := pick(bea, beaToken)
	if annChoice.Get("start") != beaChoice.Get("start") {
		t.Fatalf("both should see the same first slot: %v %v", annChoice, beaChoice)
	}

	res := ann.postForm(annAction, annChoice)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/bookings/") || !strings.HasSuffix(loc, "?done=booked") {
		t.Fatalf("booking = %d to %q", res.StatusCode, loc)
	}
	manage := strings.TrimSuffix(loc, "?done=booked")
	if page := readBody(t, ann.get(loc)); !strings.Contains(page, "You are booked") || !strings.Contains(page, "Maya Lindqvist") {
		t.Errorf("manage page after booking:\n%s", page)
	}

	// Bea chose the same time from a page she loaded earlier.
	res = bea.postForm(beaAction, beaChoice)
	page := readBody(t, res)
	if res.StatusCode != http.StatusConflict || !strings.Contains(page, "Someone else booked that time") {
		t.Fatalf("losing the race = %d:\n%s", res.StatusCode, page)
	}
	if strings.Contains(page, `value="`+beaChoice.Get("start")+`"`) {
		t.Error("the picker shown after losing the race still offers the taken time")
	}

	// GET on the cancel and reschedule links changes nothing.
	ann.get(manage + "/cancel")
	ann.get(manage + "/reschedule")
	var status string
	a.DB.Table("bookings").Select("status").Scan(&status)
	if status != "active" {
		t.Fatalf("a GET changed the booking: status %s", status)
	}

	res = ann.get(manage + "/reschedule?tz=America/New_York&from=" + tomorrow())
	doc := parseHTML(t, res)
	forms := findAll(doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "method") == "post" })
	if len(forms) < 2 {
		t.Fatalf("the reschedule picker offers %d times", len(forms))
	}
	res = ann.postForm(attr(forms[1], "action"), formValues(forms[1]))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != manage+"?done=moved" {
		t.Fatalf("reschedule = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	confirm := ann.openForm(manage + "/cancel")
	res = ann.postForm(manage+"/cancel", confirm)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel = %d", res.StatusCode)
	}
	if page := readBody(t, ann.get(manage)); !strings.Contains(page, "cancelled") {
		t.Errorf("manage page after cancel:\n%s", page)
	}
	// A cancel without the CSRF token is refused.
	if res := bea.postForm(manage+"/cancel", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("cancel without CSRF = %d, want 403", res.StatusCode)
	}
}

func TestCalendarFeedHTTP(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "individual")
	c := newClient(t, a, "192.0.2.20")
	token := newIntakeToken(t, c, "individual", "ann@example.org")
	slot := slotsOf(t, c, "kind=individual&tz=UTC&from="+tomorrow())[0]
	if res := c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, token, maya.ID, slot.Start)); res.StatusCode != http.StatusCreated {
		t.Fatalf("book = %d", res.StatusCode)
	}
	feed, err := a.Booking.RotateFeedToken(context.Background(), maya.ID)
	if err != nil {
		t.Fatal(err)
	}
	res := c.get("/feeds/" + feed + ".ics")
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") || strings.Count(body, "BEGIN:VEVENT") != 1 {
		t.Errorf("feed = %d %s:\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if res := c.get("/feeds/wrong.ics"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown feed = %d, want 404", res.StatusCode)
	}
}
