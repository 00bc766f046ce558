package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/web/public"
	"golang.org/x/net/html"
)

var partnerLinkRE = regexp.MustCompile(`^http://[^/]+(/partner/([A-Za-z0-9_-]{20,}))$`)

// partnerAnswers is a complete partner form, every optional answer given.
// Its words appear nowhere in coupleAnswers, so a page that shows them is
// showing the partner's answers.
func partnerAnswers() url.Values {
	return url.Values{
		"name": {"Alexander Rivera"}, "pronouns": {"he/they"}, "email": {"alexander@example.net"},
		"contact_preference": {"phone"}, "phone": {"+1 555 010 7777"}, "concerns": {"grief"},
		"concerns_other": {"Lighthouse keeping"}, "hopes": {"I hope we can <laugh> again.\nSlowly."},
		"approaches": {"emdr"}, "safety": {"no"}, "consent": {"yes"},
	}
}

// partnerWords are phrases of partnerAnswers that only the partner wrote.
var partnerWords = []string{"Alexander", "alexander@example.net", "Lighthouse keeping", "laugh> again", "laugh again", "010 7777"}

// submitCouple sends a couple intake through the form and returns the
// client's token and the partner's link path as the picker shows it.
func submitCouple(t *testing.T, c *client) (token, partnerPath string) {
	t.Helper()
	res := c.submit("/request/couple", coupleAnswers())
	token = tokenFrom(t, res, "")
	page := c.get("/requests/" + token)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("picker = %d", page.StatusCode)
	}
	doc := parseHTML(t, page)
	return token, partnerLinkOf(t, doc)
}

// partnerLinkOf finds the partner's link on a client page and checks the
// words around it.
func partnerLinkOf(t *testing.T, doc *html.Node) string {
	t.Helper()
	in := byID(doc, "partner-link")
	if in == nil {
		t.Fatal("no partner link on the page")
	}
	if !hasAttr(in, "readonly") {
		t.Error("the partner link field is not read-only")
	}
	labels := findAll(doc, func(n *html.Node) bool { return attr(n, "for") == "partner-link" })
	if len(labels) != 1 || textOf(labels[0]) != "Your partner's private link" {
		t.Errorf("partner link label: %d labels", len(labels))
	}
	body := textOf(doc)
	if want := "Your partner can add their own answers privately — only our clinicians will read them, not you."; !strings.Contains(body, want) {
		t.Errorf("page does not say %q", want)
	}
	m := partnerLinkRE.FindStringSubmatch(attr(in, "value"))
	if m == nil {
		t.Fatalf("partner link %q is not {base}/partner/{token}", attr(in, "value"))
	}
	return m[1]
}

func TestPartnerLinkOnClientPages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.60")
	token, path := submitCouple(t, c)
	if link := attr(byID(parseHTML(t, c.get("/requests/"+token)), "partner-link"), "value"); link != a.Config.BaseURL+path {
		t.Errorf("link %q, want the base URL %s and %s", link, a.Config.BaseURL, path)
	}
	if strings.Contains(path, token) {
		t.Error("the partner link carries the client's own token")
	}
	// The same link on the confirmation page and on a second visit.
	confirm := c.get("/requests/" + token + "/received")
	if got := partnerLinkOf(t, parseHTML(t, confirm)); got != path {
		t.Errorf("confirmation page link %s, picker link %s", got, path)
	}
	if _, again := submitCoupleLink(t, c, token); again != path {
		t.Errorf("second visit link %s, first %s", again, path)
	}
	// Nothing is emailed about it: the client's own receipt of the
	// request (its purpose receipt.client) is the only email.
	var n int64
	a.DB.Table("outbox_messages").Where("purpose <> ? OR recipients NOT LIKE ?", intake.ReceivedPurpose, "%sam@example.org%").Count(&n)
	if n != 0 {
		t.Errorf("%d emails queued by a couple intake besides the client's receipt, want none", n)
	}

	// An individual has no partner link, and a made-up one finds nothing.
	res := c.submit("/request/individual", individualAnswers())
	solo := tokenFrom(t, res, "")
	for _, p := range []string{"/requests/" + solo, "/requests/" + solo + "/received"} {
		if byID(parseHTML(t, c.get(p)), "partner-link") != nil {
			t.Errorf("%s offers a partner link to an individual", p)
		}
	}
	for _, p := range []string{"/partner/made-up-token-0123456789abcdef", "/partner/" + solo, "/partner/" + token,
		"/partner/made-up-token-0123456789abcdef/thanks", "/partner/made-up-token-0123456789abcdef/support"} {
		if res := c.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
	v := c.openForm(path)
	for k, vals := range partnerAnswers() {
		v[k] = vals
	}
	if res := c.postForm("/partner/made-up-token-0123456789abcdef", v); res.StatusCode != http.StatusNotFound {
		t.Errorf("POST to a made-up partner link = %d, want 404", res.StatusCode)
	}
}

func submitCoupleLink(t *testing.T, c *client, token string) (*html.Node, string) {
	t.Helper()
	doc := parseHTML(t, c.get("/requests/"+token))
	return doc, partnerLinkOf(t, doc)
}

func TestPartnerFormShowsOnlyTheirName(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	first := newClient(t, a, "192.0.2.61")
	_, path := submitCouple(t, first)

	partner := newClient(t, a, "192.0.2.62")
	res := partner.get(path)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET partner form = %d", res.StatusCode)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("partner form Cache-Control %q, want no-store", cc)
	}
	doc := parseHTML(t, res)
	v := formValues(mainForm(t, doc))
	if v.Get("name") != "Alex Rivera" {
		t.Errorf("name prefilled with %q, want Alex Rivera", v.Get("name"))
	}
	for k, vals := range v {
		switch k {
		case "_csrf", "name":
		case "contact_preference":
			if !reflect.DeepEqual(vals, []string{"email"}) {
				t.Errorf("contact preference preset to %v", vals)
			}
		default:
			if strings.Join(vals, "") != "" {
				t.Errorf("field %s comes filled in: %q", k, vals)
			}
		}
	}
	body := textOf(doc)
	for _, leak := range []string{"Sam", "sam@example.org", "rebuild trust", "six months", "Trust & honesty", "alex@example.org", "A friend"} {
		if strings.Contains(body, leak) || strings.Contains(strings.Join(v["name"], ""), leak) {
			t.Errorf("partner form shows the first partner's %q", leak)
		}
	}
	for _, label := range []string{"Your name", "Pronouns", "Your email", "Phone", "It is OK to leave a voicemail",
		"What are you hoping for?", "Yes", "No"} {
		if len(findAll(doc, func(n *html.Node) bool { return n.Data == "label" && strings.HasPrefix(textOf(n), label) })) == 0 {
			t.Errorf("no field labelled %q", label)
		}
	}
}

func TestPartnerFormMistakeKeepsAnswers(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, path := submitCouple(t, newClient(t, a, "192.0.2.63"))
	c := newClient(t, a, "192.0.2.64")
	sent := c.openForm(path)
	for k, vals := range partnerAnswers() {
		sent[k] = vals
	}
	sent.Set("email", "alexander@")
	sent.Del("consent")
	res := c.postForm(path, sent)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", res.StatusCode)
	}
	doc := parseHTML(t, res)
	for field, msg := range map[string]string{
		"email":   "Enter an email address like name@example.com.",
		"consent": "Please agree to the privacy notice and to being contacted about this request, so we can reply to you.",
	} {
		e := byID(doc, "e-"+field)
		if e == nil || textOf(e) != msg {
			t.Errorf("message for %s: %v, want %q", field, e != nil, msg)
			continue
		}
		if byID(doc, "f-"+field) == nil {
			t.Errorf("no target #f-%s for the summary link", field)
		}
	}
	summary := byID(doc, "error-summary")
	if summary == nil || !strings.Contains(textOf(summary), "Please check 2 answers") {
		t.Fatal("no error summary for two answers")
	}
	links := findAll(summary, func(n *html.Node) bool { return n.Data == "a" })
	if len(links) != 2 || attr(links[0], "href") != "#f-email" || attr(links[1], "href") != "#f-consent" {
		t.Errorf("summary links in the wrong order or number: %d", len(links))
	}
	kept := formValues(mainForm(t, doc))
	if !reflect.DeepEqual(normalizeValues(kept), normalizeValues(sent)) {
		t.Errorf("answers changed after the error\n sent: %v\n kept: %v", sent, kept)
	}
	var n int64
	a.DB.Table("partner_answers").Count(&n)
	if n != 0 {
		t.Errorf("%d partner answers stored from a form with a mistake", n)
	}
}

func TestPartnerFormSuccessAndSafety(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newApp(t)
	first := newClient(t, a, "192.0.2.65")
	token, path := submitCouple(t, first)
	c := newClient(t, a, "192.0.2.66")
	// Forms left open in a tab, sent after the first answers: once answers
	// are sent, opening the link says so instead of showing the form.
	laterTab, firstTab := c.openForm(path), first.openForm(path)
	sendFrom := func(c *client, tab, answers url.Values) *http.Response {
		v := url.Values{}
		for k, vals := range tab {
			v[k] = vals
		}
		for k, vals := range answers {
			v[k] = vals
		}
		return c.postForm(path, v)
	}

	res := c.submit(path, partnerAnswers())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"/thanks" {
		t.Fatalf("success: %d to %q, want 303 to %s/thanks", res.StatusCode, res.Header.Get("Location"), path)
	}
	thanks := c.get(path + "/thanks")
	if thanks.StatusCode != http.StatusOK {
		t.Fatalf("thank-you page = %d", thanks.StatusCode)
	}
	if body := textOf(parseHTML(t, thanks)); !strings.Contains(body, "Thank you") || !strings.Contains(body, "Your answers are saved") {
		t.Errorf("thank-you page reads %q", body)
	}
	in, err := a.Intakes.ByToken(ctx, token)
	if err != nil || in.Urgent {
		t.Fatalf("intake urgent=%v err=%v after a no", in.Urgent, err)
	}

	// A yes shows crisis resources first and flags the request urgent.
	answers := partnerAnswers()
	answers.Set("safety", "yes")
	res = sendFrom(c, laterTab, answers)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"/support" {
		t.Fatalf("safety yes: %d to %q, want 303 to %s/support", res.StatusCode, res.Header.Get("Location"), path)
	}
	doc := parseHTML(t, c.get(path+"/support"))
	main := byID(doc, "main")
	panels := findAll(main, func(n *html.Node) bool { return hasClass(n, "crisis-panel") })
	if len(panels) != 1 || !strings.Contains(textOf(panels[0]), "988") || !strings.Contains(textOf(panels[0]), "911") {
		t.Fatalf("support page lacks the crisis panel with 988 and 911")
	}
	cont := findAll(main, func(n *html.Node) bool { return n.Data == "a" && textOf(n) == "Continue" })
	if len(cont) != 1 || attr(cont[0], "href") != path+"/thanks" {
		t.Fatalf("support page Continue link wrong")
	}
	if order := documentOrder(doc); order[panels[0]] > order[cont[0]] {
		t.Error("Continue comes before the crisis resources")
	}
	if in, err = a.Intakes.ByToken(ctx, token); err != nil || !in.Urgent || in.SafetyConcern {
		t.Errorf("after the partner's yes: urgent=%v first partner's own answer=%v err=%v; want urgent only", in.Urgent, in.SafetyConcern, err)
	}
	var n int64
	a.DB.Table("partner_answers").Count(&n)
	if n != 1 {
		t.Errorf("%d rows of partner answers, want 1", n)
	}

	// Both partners hold the link: a later sending never overwrites the
	// answers, it is told they stand.
	overwrite := partnerAnswers()
	overwrite.Set("hopes", "Written over by someone else")
	res = sendFrom(first, firstTab, overwrite)
	if body := textOf(parseHTML(t, res)); res.StatusCode != http.StatusConflict || !strings.Contains(body, "already sent") {
		t.Errorf("second sending: %d %q, want 409 saying the answers were already sent", res.StatusCode, body)
	}
	var hopes string
	a.DB.Table("partner_answers").Select("hopes").Scan(&hopes)
	if strings.Contains(hopes, "Written over") {
		t.Error("a second sending overwrote the partner's answers")
	}

	// The first partner's pages never show what the partner wrote.
	for _, p := range []string{"/requests/" + token, "/requests/" + token + "/received", "/requests/" + token + "/support", path, path + "/thanks", path + "/support"} {
		body := textOf(parseHTML(t, first.get(p)))
		for _, w := range partnerWords {
			if strings.Contains(body, w) {
				t.Errorf("%s shows the partner's %q", p, w)
			}
		}
	}
}

func TestPartnerFormCSRF(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, path := submitCouple(t, newClient(t, a, "192.0.2.67"))
	c := newClient(t, a, "192.0.2.68")
	v := c.openForm(path)
	for k, vals := range partnerAnswers() {
		v[k] = vals
	}
	v.Del("_csrf")
	if res := c.postForm(path, v); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without a CSRF token: %d, want 403", res.StatusCode)
	}
	v.Set("website", "https://spam.example")
	v.Set("_csrf", c.openForm(path).Get("_csrf"))
	if res := c.postForm(path, v); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/thanks" {
		t.Errorf("honeypot: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var n int64
	a.DB.Table("partner_answers").Count(&n)
	if n != 0 {
		t.Errorf("%d partner answers stored without a valid token or from a bot", n)
	}
}

func TestPartnerFormRateLimit(t *testing.T) {
	t.Parallel()
	a := newApp(t, rateLimit(2))
	_, path := submitCouple(t, newClient(t, a, "192.0.2.69")) // the couple's own submission counts for their IP only
	c := newClient(t, a, "192.0.2.70")
	// The first sending stores the answers, the second is told they stand;
	// both count towards the limit. (Sent from a form opened before: once
	// answers are sent, the link shows that instead of the form.)
	tab := c.openForm(path)
	for k, vals := range partnerAnswers() {
		tab[k] = vals
	}
	for i, want := range []int{http.StatusSeeOther, http.StatusConflict} {
		if res := c.postForm(path, tab); res.StatusCode != want {
			t.Fatalf("submission %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	if res := c.postForm(path, tab); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("over the limit: %d, want 429", res.StatusCode)
	}
}

func TestPartnerAnswersForStaff(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	r, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "couple", Name: "Sam Rivera", Email: "sam@example.org",
		PartnerName: "Alex Rivera", Message: "Our first message.", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	page := func() string {
		t.Helper()
		res := fx.request(asFrontdesk, http.MethodGet, fmt.Sprintf("/staff/intakes/%d", r.ID), "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("staff intake page = %d", res.StatusCode)
		}
		return textOf(parseHTML(t, res))
	}
	apiGet := func() map[string]json.RawMessage {
		t.Helper()
		res := fx.request(asAdmin, http.MethodGet, fmt.Sprintf("/api/v1/intakes/%d", r.ID), "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("API GET = %d", res.StatusCode)
		}
		var out map[string]json.RawMessage
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if body := page(); !strings.Contains(body, "Partner's own answers") || !strings.Contains(body, "Partner has not added answers") {
		t.Errorf("staff page before the partner answered: %q", body)
	}
	if got := string(apiGet()["partner_answers"]); got != "null" {
		t.Errorf("partner_answers = %s, want null", got)
	}

	token, err := fx.a.Intakes.PartnerToken(ctx, r.ID, intake.Couple)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, fx.a, "192.0.2.71")
	answers := partnerAnswers()
	answers.Set("safety", "yes")
	if res := c.submit(public.PartnerPath(token), answers); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("partner submit = %d", res.StatusCode)
	}

	body := page()
	for _, want := range []string{"Partner's own answers", "Alexander Rivera", "he/they", "alexander@example.net", "+1 555 010 7777",
		"Phone preferred", "Do not leave a voicemail", "Grief or loss", "Lighthouse keeping", "I hope we can <laugh> again.", "Slowly.",
		"EMDR", "the partner answered yes"} {
		if !strings.Contains(body, want) {
			t.Errorf("staff page lacks %q", want)
		}
	}
	if strings.Contains(body, "Partner has not added answers") {
		t.Error("staff page still says the partner has not added answers")
	}
	// The partner's contact preference is as prominent as the first partner's.
	res := fx.request(asFrontdesk, http.MethodGet, fmt.Sprintf("/staff/intakes/%d", r.ID), "")
	doc := parseHTML(t, res)
	var prefs []string
	for _, n := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "contact-pref") }) {
		prefs = append(prefs, textOf(n))
	}
	if want := []string{"Email only — do not call", "Do not leave a voicemail", "Phone preferred", "Do not leave a voicemail"}; !reflect.DeepEqual(prefs, want) {
		t.Errorf("contact preferences shown %v, want %v", prefs, want)
	}

	var pa struct {
		Name              string   `json:"name"`
		Email             string   `json:"email"`
		ContactPreference string   `json:"contact_preference"`
		Concerns          []string `json:"concerns"`
		Hopes             string   `json:"hopes"`
		SafetyConcern     bool     `json:"safety_concern"`
	}
	got := apiGet()
	if err := json.Unmarshal(got["partner_answers"], &pa); err != nil {
		t.Fatalf("partner_answers %s: %v", got["partner_answers"], err)
	}
	if pa.Name != "Alexander Rivera" || pa.Email != "alexander@example.net" || pa.ContactPreference != "phone" ||
		!reflect.DeepEqual(pa.Concerns, []string{"grief", "other"}) || pa.Hopes != "I hope we can <laugh> again.\nSlowly." || !pa.SafetyConcern {
		t.Errorf("partner_answers = %+v", pa)
	}
	if string(got["urgent"]) != "true" {
		t.Errorf("urgent = %s after the partner's yes", got["urgent"])
	}
	// The list carries no partner answers.
	res = fx.request(asAdmin, http.MethodGet, "/api/v1/intakes", "")
	if b := readBody(t, res); strings.Contains(b, "Lighthouse") {
		t.Error("the intake list carries partner answers")
	}
}

// The partner link works across restarts with the same key: it is derived,
// not remembered.
func TestPartnerLinkSurvivesRebuild(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, path := submitCouple(t, newClient(t, a, "192.0.2.72"))
	b, err := app.Build(a.Config, a.DB, a.Logger, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, b, "192.0.2.73")
	if res := c.get(path); res.StatusCode != http.StatusOK {
		t.Errorf("partner link after a rebuild = %d", res.StatusCode)
	}
}
