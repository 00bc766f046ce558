package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/intake"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// queuedFor counts the emails ever queued to address and the manage links
// issued to it.
func queuedFor(t *testing.T, a *app.App, address string) (emails, links int64) {
	t.Helper()
	if err := a.DB.Table("outbox_messages").Where("recipients LIKE ?", "%"+address+"%").Count(&emails).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Table("booking_links").Where("email = ?", address).Count(&links).Error; err != nil {
		t.Fatal(err)
	}
	return emails, links
}

// formTo is the form on doc that posts to action.
func formTo(doc *html.Node, action string) *html.Node {
	forms := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Form && attr(n, "action") == action })
	if len(forms) != 1 {
		return nil
	}
	return forms[0]
}

// Safety, through the whole server: a couple's partner who does not know
// about the request yet gets nothing — on booking, on a new time, on
// cancelling — and their email is on no invitation, until the client
// presses the button on their booking page; then the partner alone gets
// the invitation as it stands, with their own link.
func TestPartnerWhoDoesNotKnowYetGetsNothingUntilTheClientSaysSo(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "individual", "couple")
	c := newClient(t, a, "192.0.2.41")
	const partner = "robin@example.org"
	res := c.postJSON("/api/v1/intakes", `{"kind":"couple","name":"Ann","email":"ann@example.org","partner_name":"Robin",
		"partner_email":"`+partner+`","partner_aware":"not_yet","consent":true}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("intake = %d: %s", res.StatusCode, readBody(t, res))
	}
	var created struct{ Token string }
	json.NewDecoder(res.Body).Decode(&created)
	slots := slotsOf(t, c, "kind=couple&tz=America/New_York&from="+tomorrow())
	res = c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, created.Token, maya.ID, slots[0].Start))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("book = %d: %s", res.StatusCode, readBody(t, res))
	}
	var conf struct {
		ID          int64  `json:"id"`
		ManageToken string `json:"manage_token"`
	}
	json.NewDecoder(res.Body).Decode(&conf)
	patch := httptest.NewRequest(http.MethodPatch, "/api/v1/bookings/"+conf.ManageToken, strings.NewReader(fmt.Sprintf(`{"start":%q}`, slots[2].Start)))
	patch.Header.Set("Content-Type", "application/json")
	if res := c.do(patch); res.StatusCode != http.StatusOK {
		t.Fatalf("PATCH = %d", res.StatusCode)
	}
	if emails, links := queuedFor(t, a, partner); emails != 0 || links != 0 {
		t.Fatalf("booked and moved: %d emails and %d manage links for a partner who does not know", emails, links)
	}
	var raws []string
	a.DB.Table("outbox_messages").Where("booking_id = ?", conf.ID).Pluck("raw", &raws)
	for _, raw := range raws {
		if strings.Contains(strings.ToLower(raw), partner) {
			t.Fatal("an email to someone else names the partner's address")
		}
	}

	// The booking page says so and offers the button.
	manage := "/bookings/" + conf.ManageToken
	doc := parseHTML(t, c.get(manage))
	if !strings.Contains(textOf(doc), "Your partner has not been contacted") {
		t.Errorf("the booking page does not say the partner was not contacted")
	}
	form := formTo(doc, manage+"/partner")
	if form == nil {
		t.Fatal("no button on the booking page to allow contacting the partner")
	}
	if res := c.get(manage + "/partner"); res.StatusCode == http.StatusSeeOther {
		t.Error("a GET (a mail scanner) allowed contacting the partner")
	}
	res = c.postForm(manage+"/partner", formValues(form))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != manage+"?done=partner" {
		t.Fatalf("allow = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if emails, links := queuedFor(t, a, partner); emails != 1 || links != 1 {
		t.Fatalf("after the client allowed it: %d emails and %d links to the partner, want 1 and 1", emails, links)
	}
	var raw string
	a.DB.Table("outbox_messages").Where("recipients LIKE ?", "%"+partner+"%").Pluck("raw", &raw)
	if cal, method := calendarOf(t, raw); method != "REQUEST" || !strings.Contains(cal, "SEQUENCE:1\r\n") {
		t.Errorf("partner's invitation: %s\n%s", method, cal)
	}
	if text := textOf(parseHTML(t, c.get(manage+"?done=partner"))); strings.Contains(text, "Your partner has not been contacted") {
		t.Error("the booking page still offers to allow it")
	}
	if res := c.do(httptest.NewRequest(http.MethodDelete, "/api/v1/bookings/"+conf.ManageToken, nil)); res.StatusCode != http.StatusOK {
		t.Fatalf("DELETE = %d", res.StatusCode)
	}
	if emails, _ := queuedFor(t, a, partner); emails != 2 {
		t.Errorf("the partner got %d emails, want the invitation and the cancellation", emails)
	}
}

// A partner who does not know yet is not contacted when the client cancels
// either (cancel before any permission).
func TestCancellingForANotYetCoupleSendsThePartnerNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "couple")
	c := newClient(t, a, "192.0.2.42")
	const partner = "sky@example.org"
	res := c.postJSON("/api/v1/intakes", `{"kind":"couple","name":"Ann","email":"ann@example.org","partner_name":"Sky",
		"partner_email":"`+partner+`","partner_aware":"not_yet","consent":true}`)
	var created struct{ Token string }
	json.NewDecoder(res.Body).Decode(&created)
	slots := slotsOf(t, c, "kind=couple&tz=America/New_York&from="+tomorrow())
	res = c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, created.Token, maya.ID, slots[0].Start))
	var conf struct {
		ManageToken string `json:"manage_token"`
	}
	json.NewDecoder(res.Body).Decode(&conf)
	if res := c.do(httptest.NewRequest(http.MethodDelete, "/api/v1/bookings/"+conf.ManageToken, nil)); res.StatusCode != http.StatusOK {
		t.Fatalf("DELETE = %d", res.StatusCode)
	}
	if emails, links := queuedFor(t, a, partner); emails != 0 || links != 0 {
		t.Errorf("booked and cancelled: %d emails and %d links to the partner", emails, links)
	}
}

// Staff, after talking to the client, may allow it from the intake page;
// the change is audited and the partner then gets the invitation.
func TestFrontDeskAllowsContactingThePartnerAudited(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	const partner = "lee@example.org"
	r, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "couple", Name: "Jordan Vale", Email: "jordan@example.org",
		PartnerName: "Lee Vale", PartnerEmail: partner, PartnerAware: "not_yet", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	bookingID := fx.bookFor(r.ID)
	if emails, links := queuedFor(t, fx.a, partner); emails != 0 || links != 0 {
		t.Fatalf("booked by the front desk: %d emails, %d links to the partner", emails, links)
	}
	page := fmt.Sprintf("/staff/intakes/%d", r.ID)
	doc := parseHTML(t, fx.request(asFrontdesk, "GET", page, ""))
	if !strings.Contains(textOf(doc), "The partner is not contacted") || formTo(doc, page+"/partner-contact") == nil {
		t.Fatal("the intake page does not say the partner is not contacted, or offers no way to allow it")
	}
	before := fx.auditCount()
	res := fx.request(asFrontdesk, "POST", page+"/partner-contact", "")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), page+"?saved=partner") {
		t.Fatalf("allow = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	items := fx.auditSince(before)
	if len(items) != 1 || items[0].Action != audit.IntakePartnerContact || items[0].RecordType != audit.TypeIntake ||
		items[0].RecordID != strconv.FormatInt(r.ID, 10) || items[0].ActorEmail != fx.accounts[asFrontdesk].Email {
		t.Errorf("audit entries %+v, want one %s of intake %d by the front desk", items, audit.IntakePartnerContact, r.ID)
	}
	sent := fx.emailsOf(t, bookingID, 0)
	last := sent[len(sent)-1]
	if len(last.To) != 1 || last.To[0] != partner || last.Method != "REQUEST" || !strings.Contains(last.Cal, "SEQUENCE:0\r\n") {
		t.Errorf("last email: %+v", last)
	}
	in, _ := fx.a.Intakes.Get(ctx, r.ID)
	if in.PartnerContactAllowedBy != intake.AllowedByStaff {
		t.Errorf("allowed by %q", in.PartnerContactAllowedBy)
	}
	doc = parseHTML(t, fx.request(asFrontdesk, "GET", withoutFragment(res.Header.Get("Location")), ""))
	if text := textOf(doc); strings.Contains(text, "The partner is not contacted") || !strings.Contains(text, "Allowed by staff") {
		t.Errorf("intake page after allowing: %q", text)
	}
	_ = url.Values{}
}

// PATCH with the time and clinician the booking already has answers 200
// with the booking unchanged and sends nothing.
func TestRescheduleAPIWithNothingToChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "individual")
	c := newClient(t, a, "192.0.2.43")
	token := newIntakeToken(t, c, "individual", "ann@example.org")
	slots := slotsOf(t, c, "kind=individual&tz=America/New_York&from="+tomorrow())
	res := c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, token, maya.ID, slots[0].Start))
	var conf struct {
		ID          int64  `json:"id"`
		ManageToken string `json:"manage_token"`
	}
	json.NewDecoder(res.Body).Decode(&conf)
	var before int64
	a.DB.Table("outbox_messages").Where("booking_id = ?", conf.ID).Count(&before)
	patch := httptest.NewRequest(http.MethodPatch, "/api/v1/bookings/"+conf.ManageToken,
		strings.NewReader(fmt.Sprintf(`{"clinician_id":%d,"start":%q}`, maya.ID, slots[0].Start)))
	patch.Header.Set("Content-Type", "application/json")
	res = c.do(patch)
	var got struct {
		Start    string
		Sequence int
	}
	json.NewDecoder(res.Body).Decode(&got)
	if res.StatusCode != http.StatusOK || got.Sequence != 0 || got.Start != slots[0].Start {
		t.Errorf("PATCH with the same time = %d %+v, want 200 at SEQUENCE 0", res.StatusCode, got)
	}
	var after int64
	a.DB.Table("outbox_messages").Where("booking_id = ?", conf.ID).Count(&after)
	if after != before {
		t.Errorf("%d emails sent for a change that changed nothing", after-before)
	}
}

// Hours that would leave a booked consultation outside them are refused
// through the API (422 with the consultations) and on the hours page (the
// form keeps what was typed and lists each consultation with links to move
// or cancel it), and saved only when the change says to keep them booked.
func TestHoursThatLeaveConsultationsOutAreNeverSavedSilently(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	clin := fx.consultClinician() // every day 08:00–18:00 UTC
	intakeID := clinicianAIntake(fx)
	bookingID := fx.bookFor(intakeID)
	b, err := fx.a.Booking.ByID(context.Background(), bookingID)
	if err != nil {
		t.Fatal(err)
	}
	day := strings.ToLower(b.Start.UTC().Weekday().String())
	weekly := ""
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if d != day {
			weekly += fmt.Sprintf(`,{"weekday":%q,"start":"08:00","end":"18:00"}`, d)
		}
	}
	body := `{"timezone":"UTC","slot_minutes":50,"buffer_minutes":10,"min_notice_hours":1,"horizon_days":30,"weekly":[` + weekly[1:] + `]`
	path := fmt.Sprintf("/api/v1/clinicians/%d/availability", clin)

	res := fx.request(asAdmin, http.MethodPut, path, body+`}`)
	var refused struct {
		Error struct {
			Code    string
			Details struct {
				Consultations []struct {
					BookingID int64  `json:"booking_id"`
					IntakeID  int64  `json:"intake_id"`
					Start     string `json:"start"`
				}
			}
		}
	}
	json.NewDecoder(res.Body).Decode(&refused)
	if res.StatusCode != http.StatusUnprocessableEntity || refused.Error.Code != "hours_hold_consultations" ||
		len(refused.Error.Details.Consultations) != 1 || refused.Error.Details.Consultations[0].BookingID != bookingID {
		t.Fatalf("PUT closing the consultation's day = %d %+v, want 422 listing booking %d", res.StatusCode, refused, bookingID)
	}
	if rules, _ := fx.a.Booking.Availability(context.Background(), clin); len(rules.Weekly) != 7 {
		t.Fatalf("the refused hours were saved: %d weekly windows", len(rules.Weekly))
	}

	// The page: admin may move and cancel, so both links are offered.
	page := fmt.Sprintf("/staff/clinicians/%d/availability", clin)
	form := url.Values{"timezone": {"UTC"}, "slot_minutes": {"50"}, "buffer_minutes": {"10"}, "min_notice_hours": {"1"},
		"horizon_days": {"30"}, "intent": {"save"}}
	i := 0
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if d == day {
			continue
		}
		form.Set(fmt.Sprintf("weekly[%d].weekday", i), d)
		form.Set(fmt.Sprintf("weekly[%d].start", i), "08:00")
		form.Set(fmt.Sprintf("weekly[%d].end", i), "17:00")
		i++
	}
	res = fx.request(asAdmin, "POST", page, form.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("page save closing the consultation's day = %d, want 422", res.StatusCode)
	}
	doc := parseHTML(t, res)
	affected := byID(doc, "affected")
	if affected == nil {
		t.Fatal("the page does not list the consultations the hours would leave out")
	}
	move, cancel := fmt.Sprintf("/staff/bookings/%d/reschedule", bookingID), fmt.Sprintf("/staff/bookings/%d/cancel", bookingID)
	if linksTo(affected, move) != 1 || linksTo(affected, cancel) != 1 {
		t.Errorf("no link to move or cancel the consultation: %q", textOf(affected))
	}
	if got := valueOf(doc, "weekly-0-end"); got != "17:00" {
		t.Errorf("the typed hours were not kept: weekly[0].end = %q", got)
	}
	if byID(doc, "f-keep_bookings") == nil {
		t.Error("the page offers no way to save anyway")
	}
	if rules, _ := fx.a.Booking.Availability(context.Background(), clin); len(rules.Weekly) != 7 {
		t.Fatalf("the page saved the refused hours")
	}

	form.Set("keep_bookings", "1")
	if res := fx.request(asAdmin, "POST", page, form.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save anyway = %d", res.StatusCode)
	}
	if rules, _ := fx.a.Booking.Availability(context.Background(), clin); len(rules.Weekly) != 6 {
		t.Errorf("save anyway did not save: %d weekly windows", len(rules.Weekly))
	}
	if b, _ := fx.a.Booking.ByID(context.Background(), bookingID); b.Status != "active" {
		t.Errorf("the kept consultation is %s", b.Status)
	}
}
