package app_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/templates"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The landing page's two choices are links to assistive technology too: no
// role overrides the link, and the list is a real list of items.
func TestLandingChoicesAreLinks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.70")
	doc := parseHTML(t, c.get("/"))
	for _, href := range []string{"/request/individual", "/request/couple"} {
		links := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "href") == href })
		if len(links) != 1 {
			t.Fatalf("%d links to %s, want 1", len(links), href)
		}
		l := links[0]
		if role := attr(l, "role"); role != "" && role != "link" {
			t.Errorf("the link to %s has role=%q: screen readers do not announce it as a link", href, role)
		}
		if p := l.Parent; p == nil || p.DataAtom != atom.Li || p.Parent == nil || p.Parent.DataAtom != atom.Ul {
			t.Errorf("the link to %s is not an item of a list (ul > li > a)", href)
		}
	}
	if bad := findAll(doc, func(n *html.Node) bool { return attr(n, "role") == "listitem" && n.DataAtom != atom.Li }); len(bad) > 0 {
		t.Errorf("%d elements play a list item's role without being one", len(bad))
	}
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("/ = %d", res.StatusCode)
	}
}

// unlabelled reports the fields of doc a person fills in (or reads) that have
// no label naming them.
func unlabelled(doc *html.Node) []string {
	var out []string
	for _, f := range findAll(doc, func(n *html.Node) bool {
		return (n.DataAtom == atom.Input && attr(n, "type") != "hidden" && attr(n, "type") != "submit") ||
			n.DataAtom == atom.Select || n.DataAtom == atom.Textarea
	}) {
		id := attr(f, "id")
		labels := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Label && id != "" && attr(n, "for") == id })
		if len(labels) == 0 || textOf(labels[0]) == "" {
			out = append(out, attr(f, "name"))
		}
	}
	return out
}

// The page where a new colleague chooses their own password labels every
// field, the account's address included.
func TestFirstPasswordPageLabelsItsFields(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	acc, err := fx.a.Staff.Add(context.Background(), staff.NewAccount{Email: "newcomer@practice.example", Name: "New Comer",
		Role: staff.Frontdesk, Password: staffPassword, MustChangePassword: true})
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := signInAs(fx, acc.Email, staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	res := fx.send(session, "GET", "/staff", "", false)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/password" {
		t.Fatalf("first page = %d → %s, want the password page", res.StatusCode, res.Header.Get("Location"))
	}
	for _, page := range []struct {
		name string
		res  *http.Response
	}{
		{"the first-password page", fx.send(session, "GET", "/staff/password", "", false)},
		{"the first-password page after a mistake", fx.send(session, "POST", "/staff/password",
			url.Values{"current_password": {"wrong"}, "new_password": {"short"}, "confirm_password": {"other"}}.Encode(), true)},
	} {
		doc := parseHTML(t, page.res)
		if missing := unlabelled(doc); len(missing) > 0 {
			t.Errorf("%s: fields without a label: %q", page.name, missing)
		}
		if got := valueOf(doc, "username"); got != acc.Email {
			t.Errorf("%s: account field %q, want %q", page.name, got, acc.Email)
		}
		if l := findAll(doc, func(n *html.Node) bool { return attr(n, "for") == "f-current_password" }); len(l) != 1 || textOf(l[0]) != "One-time password" {
			t.Errorf("%s: the one-time password is not labelled as such", page.name)
		}
	}
}

// The request form loads the script that preselects the browser's time
// zone, as a file (the CSP forbids inline script), and every page links a
// favicon that is served.
func TestRequestFormLoadsTimeZoneScriptAndFavicon(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.71")
	for _, kind := range []string{"individual", "couple"} {
		doc := parseHTML(t, c.get("/request/"+kind))
		scripts := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Script })
		if len(scripts) != 1 || attr(scripts[0], "src") != "/static/tz.js" || scripts[0].FirstChild != nil {
			t.Errorf("/request/%s: %d scripts, want one <script src=/static/tz.js> and no inline script", kind, len(scripts))
		}
		if sel := byID(doc, "f-timezone"); sel == nil || !hasAttr(sel, "data-detect-timezone") {
			t.Errorf("/request/%s: the time-zone list is not marked for the script", kind)
		}
	}
	if res := c.get("/static/tz.js"); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Errorf("/static/tz.js = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, path := range []string{"/", "/request/couple", "/crisis", "/no-such-page"} {
		doc := parseHTML(t, c.get(path))
		icons := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Link && attr(n, "rel") == "icon" })
		if len(icons) != 1 {
			t.Errorf("%s: %d favicons linked, want 1", path, len(icons))
			continue
		}
		res := c.get(attr(icons[0], "href"))
		if body := readBody(t, res); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
			t.Errorf("%s: favicon %s = %d %s", path, attr(icons[0], "href"), res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

// bookFirst books the first open time of the picker for token and returns
// the manage page's path.
func bookFirst(t *testing.T, c *client, token string) string {
	t.Helper()
	doc := parseHTML(t, c.get("/requests/"+token+"?tz=America/New_York&from="+tomorrow()))
	forms := findAll(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Form && attr(n, "method") == "post" && hasClass(n, "inline")
	})
	if len(forms) == 0 {
		t.Fatal("the picker offers no times")
	}
	res := c.postForm(attr(forms[0], "action"), formValues(forms[0]))
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=booked") {
		t.Fatalf("booking = %d to %q", res.StatusCode, loc)
	}
	return strings.TrimSuffix(loc, "?done=booked")
}

func heading(doc *html.Node) string {
	if h := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 }); len(h) > 0 {
		return textOf(h[0])
	}
	return ""
}

// Error pages say what happened in plain words, not HTTP status names.
func TestErrorPagesSpeakPlainly(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	seedClinician(t, a, "Maya Lindqvist", "individual")
	c := newClient(t, a, "192.0.2.72")
	manage := bookFirst(t, c, tokenFrom(t, c.submit("/request/individual", individualAnswers()), ""))
	confirm := c.openForm(manage + "/cancel")
	if res := c.postForm(manage+"/cancel", confirm); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel = %d", res.StatusCode)
	}
	// The reschedule link of the cancelled consultation, from an old email.
	res := c.get(manage + "/reschedule")
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("reschedule after cancel = %d, want 409", res.StatusCode)
	}
	if h := heading(parseHTML(t, res)); h != "This consultation was cancelled" {
		t.Errorf("reschedule after cancel: heading %q", h)
	}
	if h := heading(parseHTML(t, c.get("/no-such-page"))); h != "Page not found" {
		t.Errorf("unknown page: heading %q", h)
	}
	stranger := newClient(t, a, "192.0.2.73")
	res = stranger.postForm("/request/individual", individualAnswers())
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("form without CSRF = %d", res.StatusCode)
	}
	if h := heading(parseHTML(t, res)); h != "This form has expired" {
		t.Errorf("form without CSRF: heading %q", h)
	}
}

// A submission the rate limit refuses comes back as the form with every
// answer kept and the reason at the top, not a bare error page; nothing
// is stored.
func TestRateLimitedFormKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	a := newApp(t, rateLimit(2))
	c := newClient(t, a, "192.0.2.74")
	_, partnerPath := submitCouple(t, c)
	if res := c.submit("/request/individual", individualAnswers()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second submission = %d", res.StatusCode)
	}
	answers := coupleAnswers()
	answers.Set("safety", "yes")
	res := c.submit("/request/couple", answers)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third submission = %d (Retry-After %q), want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	doc := parseHTML(t, res)
	mainForm(t, doc)
	for field, want := range map[string]string{"name": "Sam Rivera", "email": "sam@example.org", "partner_name": "Alex Rivera",
		"message": answers.Get("message"), "timezone": "America/Chicago", "referral_source": "A friend's recommendation"} {
		if got := valueOf(doc, field); got != want {
			t.Errorf("%s = %q, want %q kept", field, got, want)
		}
	}
	if yes := byID(doc, "f-safety-yes"); yes == nil || !hasAttr(yes, "checked") {
		t.Error("the answer to the safety question is lost")
	}
	notice := byID(doc, "form-notice")
	if notice == nil || attr(notice, "role") != "alert" || !strings.Contains(textOf(notice), "Please wait a few minutes") ||
		!strings.Contains(textOf(notice), "Everything you typed is still here") {
		t.Errorf("no notice at the top saying why and that nothing is lost")
	}
	var n int64
	a.DB.Table("intakes").Count(&n)
	if n != 2 {
		t.Errorf("%d intakes stored, want 2", n)
	}

	// The partner's form, refused the same way, keeps the partner's answers.
	v := c.openForm(partnerPath)
	for k, vals := range partnerAnswers() {
		v[k] = vals
	}
	res = c.postForm(partnerPath, v)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("partner form over the limit = %d, want 429", res.StatusCode)
	}
	doc = parseHTML(t, res)
	if got := valueOf(doc, "hopes"); got != partnerAnswers().Get("hopes") {
		t.Errorf("partner's hopes = %q, want kept", got)
	}
	if byID(doc, "form-notice") == nil {
		t.Error("the partner's form does not say why it came back")
	}
}

// A partner link whose answers were sent says so as soon as it is opened,
// with no form to fill in again.
func TestUsedPartnerLinkSaysSoWhenOpened(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	first := newClient(t, a, "192.0.2.75")
	_, path := submitCouple(t, first)
	partner := newClient(t, a, "192.0.2.76")
	if res := partner.submit(path, partnerAnswers()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("partner's answers = %d", res.StatusCode)
	}
	for _, c := range []*client{partner, first} {
		res := c.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET used partner link = %d, want 200", res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		doc := parseHTML(t, res)
		if h := heading(doc); h != "Your answers were already sent" {
			t.Errorf("heading %q", h)
		}
		if !strings.Contains(textOf(doc), "Answers were already sent with this link, and they stay as they were sent.") {
			t.Error("the page does not say the answers stand")
		}
		if forms := findAll(doc, func(n *html.Node) bool {
			return n.DataAtom == atom.Form && attr(n, "method") == "post" && !hasClass(n, "inline")
		}); len(forms) != 0 {
			t.Error("the used link still offers the form")
		}
		for _, w := range partnerWords {
			if strings.Contains(textOf(doc), w) {
				t.Errorf("the page shows the partner's %q", w)
			}
		}
	}
}

// manageLinkRE finds a whole manage link in an email's text part (the
// quoted-printable HTML part may break a link across lines).
var manageLinkRE = regexp.MustCompile(`/bookings/([A-Za-z0-9_-]{20,})\r?\n`)

// partnerLinkSection is the partner-link section of a page and its
// position among the page's top-level content.
func partnerLinkSection(doc *html.Node) *html.Node {
	if s := findAll(doc, func(n *html.Node) bool { return hasClass(n, "partner-link") }); len(s) == 1 {
		return s[0]
	}
	return nil
}

// The couple's partner link stands at the top of every page the client
// sees after the request — before the times to choose from, before what
// happens next — with a copy button, and again on the booked page and the
// client's manage page; never on the partner's own manage page.
func TestPartnerLinkAtTheTopWithACopyButton(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	seedClinician(t, a, "Maya Lindqvist", "individual", "couple")
	c := newClient(t, a, "192.0.2.77")
	token, path := submitCouple(t, c)

	checkTop := func(name string, doc *html.Node, before func(*html.Node) bool) {
		t.Helper()
		sec := partnerLinkSection(doc)
		if sec == nil {
			t.Fatalf("%s: no partner link", name)
		}
		if got := partnerLinkOf(t, doc); got != path {
			t.Errorf("%s: link %s, want %s", name, got, path)
		}
		order := documentOrder(doc)
		later := []*html.Node{sec}
		if before != nil {
			later = findAll(byID(doc, "main"), before)
		}
		if len(later) == 0 {
			t.Fatalf("%s: nothing to compare the link's place with", name)
		}
		if order[sec] > order[later[0]] {
			t.Errorf("%s: the partner link comes after %s", name, textOf(later[0]))
		}
		buttons := findAll(sec, func(n *html.Node) bool { return n.DataAtom == atom.Button && attr(n, "data-copy") == "partner-link" })
		if len(buttons) != 1 || attr(buttons[0], "type") != "button" || textOf(buttons[0]) != "Copy link" {
			t.Errorf("%s: no copy button for the link", name)
		} else if !hasAttr(buttons[0], "hidden") {
			t.Errorf("%s: the copy button shows without JavaScript, where it cannot work", name)
		}
		scripts := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Script && attr(n, "src") == "/static/copy.js" })
		if len(scripts) != 1 {
			t.Errorf("%s: the copy script is not loaded", name)
		}
	}
	isH2 := func(n *html.Node) bool { return n.DataAtom == atom.H2 || n.DataAtom == atom.Form || hasClass(n, "day") }
	checkTop("picker", parseHTML(t, c.get("/requests/"+token)), isH2)
	checkTop("confirmation", parseHTML(t, c.get("/requests/"+token+"/received")), func(n *html.Node) bool {
		return n.DataAtom == atom.H2 && textOf(n) == "What happens next"
	})
	if res := c.get("/static/copy.js"); res.StatusCode != http.StatusOK {
		t.Errorf("/static/copy.js = %d", res.StatusCode)
	}

	manage := bookFirst(t, c, token)
	facts := func(n *html.Node) bool { return n.DataAtom == atom.Dl }
	checkTop("booked page", parseHTML(t, c.get(manage+"?done=booked")), facts)
	checkTop("manage page", parseHTML(t, c.get(manage)), facts)
	// The picker, once booked, still offers it.
	checkTop("picker after booking", parseHTML(t, c.get("/requests/"+token)), nil)

	// The partner's own manage link (from their invitation) does not.
	var raws []string
	a.DB.Table("outbox_messages").Pluck("raw", &raws)
	clientToken := strings.TrimPrefix(manage, "/bookings/")
	var partnerManage string
	for _, raw := range raws {
		if !strings.Contains(raw, "To: \"Alex Rivera\" <alex@example.org>") {
			continue
		}
		for _, m := range manageLinkRE.FindAllStringSubmatch(raw, -1) {
			if m[1] != clientToken {
				partnerManage = "/bookings/" + m[1]
			}
		}
	}
	if partnerManage == "" {
		t.Fatal("no manage link of the partner's in the emails")
	}
	doc := parseHTML(t, c.get(partnerManage))
	if heading(doc) != "Your consultation" {
		t.Fatalf("partner's manage page: %q", heading(doc))
	}
	if partnerLinkSection(doc) != nil {
		t.Error("the partner's own manage page offers the partner link")
	}
	// Nor does a cancelled consultation's page.
	confirm := c.openForm(manage + "/cancel")
	c.postForm(manage+"/cancel", confirm)
	if partnerLinkSection(parseHTML(t, c.get(manage))) != nil {
		t.Error("the cancelled consultation's page offers the partner link")
	}
}

// links are the href of every link in n.
func links(n *html.Node) []string {
	var out []string
	for _, a := range findAll(n, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		out = append(out, attr(a, "href"))
	}
	return out
}

func banner(t *testing.T, doc *html.Node) *html.Node {
	t.Helper()
	b := findAll(doc, func(n *html.Node) bool { return hasClass(n, "crisis-banner") })
	if len(b) != 1 {
		t.Fatalf("%d crisis banners", len(b))
	}
	return b[0]
}

// By default the US resources show: 988 (call, text, chat) and 911 in the
// banner, SAMHSA's helpline on the crisis page, and on the couple journey
// the domestic-violence hotline too.
func TestDefaultCrisisResources(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.78")
	home := links(banner(t, parseHTML(t, c.get("/"))))
	for _, want := range []string{"tel:988", "tel:911", "/crisis"} {
		if !slices.Contains(home, want) {
			t.Errorf("banner links %q lack %s", home, want)
		}
	}
	if slices.Contains(home, "tel:18007997233") {
		t.Error("the individual journey's banner shows the domestic-violence hotline")
	}
	couple := links(banner(t, parseHTML(t, c.get("/request/couple"))))
	for _, want := range []string{"tel:988", "tel:911", "tel:18007997233", "sms:88788?body=START"} {
		if !slices.Contains(couple, want) {
			t.Errorf("couple banner links %q lack %s", couple, want)
		}
	}
	crisis := parseHTML(t, c.get("/crisis"))
	panel := findAll(crisis, func(n *html.Node) bool { return hasClass(n, "crisis-panel") })
	if len(panel) != 1 {
		t.Fatal("no crisis panel")
	}
	got := links(panel[0])
	for _, want := range []string{"tel:988", "sms:988", "https://988lifeline.org/chat", "tel:911", "tel:18006624357", "tel:18007997233"} {
		if !slices.Contains(got, want) {
			t.Errorf("crisis page links %q lack %s", got, want)
		}
	}
	if text := textOf(panel[0]); !strings.Contains(text, "SAMHSA National Helpline") || !strings.Contains(text, "Call 1-800-662-4357") ||
		!strings.Contains(text, "Text START to 88788") {
		t.Errorf("crisis page reads %q", text)
	}
	// The support page of a couple who said yes to the safety question.
	answers := coupleAnswers()
	answers.Set("safety", "yes")
	res := c.submit("/request/couple", answers)
	support := parseHTML(t, c.get(res.Header.Get("Location")))
	panel = findAll(support, func(n *html.Node) bool { return hasClass(n, "crisis-panel") })
	if len(panel) != 1 || !slices.Contains(links(panel[0]), "tel:18007997233") || !slices.Contains(links(panel[0]), "tel:988") {
		t.Error("the couple's support page lacks 988 or the domestic-violence hotline")
	}
}

// A practice elsewhere lists its own lines: every page, the error pages
// and the emails show those, and no US number is left anywhere.
func TestCrisisResourcesAreThePractices(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	uk := []practice.CrisisResource{
		{Label: "Samaritans", Phone: "116 123", URL: "https://www.samaritans.org", Note: "24/7, free.", Banner: true},
		{Label: "Emergency services", Phone: "999", Banner: true},
		{Label: "Shout", SMS: "85258", SMSBody: "SHOUT", Note: "Text, 24/7."},
		{Label: "Refuge domestic abuse helpline", Phone: "0808 2000 247", Audience: practice.AudienceCouple, Banner: true},
	}
	form := settingsForm()
	for k := range form {
		if strings.HasPrefix(k, "crisis_") {
			delete(form, k)
		}
	}
	form.Set("crisis_text", "If you are in danger now, call 999.")
	for k, v := range crisisForm(uk) {
		form[k] = v
	}
	// A mistake first: it is named next to its field, and all is kept.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("crisis_phone_1", "call me")
	bad.Set("crisis_url_0", "javascript:alert(1)")
	res := fx.request(asAdmin, "POST", "/staff/admin/settings", bad.Encode())
	if res.StatusCode != unprocessable {
		t.Fatalf("bad crisis line: %d", res.StatusCode)
	}
	doc := parseHTML(t, res)
	for _, f := range []string{"crisis_phone_1", "crisis_url_0"} {
		if fieldError(doc, f) == "" {
			t.Errorf("no message next to %s", f)
		}
	}
	if valueOf(doc, "crisis_label_3") != "Refuge domestic abuse helpline" || valueOf(doc, "crisis_phone_1") != "call me" {
		t.Error("the crisis lines typed are not kept")
	}
	if missing := unlabelled(doc); len(missing) > 0 {
		t.Errorf("settings fields without a label: %q", missing)
	}
	expectRedirect(t, fx.request(asAdmin, "POST", "/staff/admin/settings", form.Encode()), "/staff/admin/settings?saved=1")
	st, err := fx.a.Practice.Get(context.Background())
	if err != nil || !reflect.DeepEqual(st.CrisisResources, uk) {
		t.Fatalf("stored %+v (%v)", st.CrisisResources, err)
	}
	// The form shows them again, with blank rows to add more.
	doc = parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/settings", ""))
	if valueOf(doc, "crisis_phone_0") != "116 123" || valueOf(doc, "crisis_label_4") != "" || valueOf(doc, "crisis_audience_3") != "couple" {
		t.Error("the settings form does not show the saved crisis lines")
	}

	c := newClient(t, fx.a, "192.0.2.79")
	pages := map[string]*http.Response{"/": c.get("/"), "/crisis": c.get("/crisis"), "/request/couple": c.get("/request/couple"),
		"/no-such-page": c.get("/no-such-page")}
	answers := coupleAnswers()
	answers.Set("safety", "yes")
	support := c.submit("/request/couple", answers).Header.Get("Location")
	pages[support] = c.get(support)
	for path, res := range pages {
		doc := parseHTML(t, res)
		text := textOf(doc)
		for _, us := range []string{"988", "911", "1-800"} {
			if strings.Contains(text, us) {
				t.Errorf("%s still shows %s", path, us)
			}
		}
		for _, want := range []string{"tel:116123", "tel:999"} {
			if !slices.Contains(links(banner(t, doc)), want) {
				t.Errorf("%s: banner lacks %s", path, want)
			}
		}
		if couple := slices.Contains(links(banner(t, doc)), "tel:08082000247"); couple != (path == "/request/couple" || path == support) {
			t.Errorf("%s: the couple line in the banner: %v", path, couple)
		}
	}
	if got := links(parseHTML(t, c.get("/crisis"))); !slices.Contains(got, "sms:85258?body=SHOUT") || !slices.Contains(got, "https://www.samaritans.org") {
		t.Errorf("crisis page links %q", got)
	}

	// The emails name the practice's lines for everyone in the banner.
	seedClinician(t, fx.a, "Maya Lindqvist", "individual")
	bookFirst(t, c, tokenFrom(t, c.submit("/request/individual", individualAnswers()), ""))
	var raws []string
	fx.a.DB.Table("outbox_messages").Pluck("raw", &raws)
	if len(raws) == 0 {
		t.Fatal("no emails")
	}
	found := 0
	for _, raw := range raws {
		if !strings.Contains(raw, "To: \"Jo\"") {
			continue
		}
		found++
		// What the client reads: the decoded text and HTML bodies (the
		// headers and the attachment carry random IDs that may hold any
		// digits).
		_, parts := emailParts(t, raw)
		var read strings.Builder
		for _, p := range append(partsOfType(parts, "text/plain"), partsOfType(parts, "text/html")...) {
			read.Write(p.body)
		}
		text := read.String()
		if !strings.Contains(text, "If you are in crisis, call 116 123, or call 999.") {
			t.Errorf("the client's email does not name the practice's crisis lines:\n%s", raw)
		}
		for _, number := range []string{"988", "911", "0808"} {
			if strings.Contains(text, number) {
				t.Errorf("the client's email names a US or a couples-only line (%s)", number)
			}
		}
	}
	if found != 1 {
		t.Errorf("%d emails to the client, want 1", found)
	}
}

// No crisis number is written into a template: they all come from the
// practice's settings.
func TestNoCrisisNumbersInTemplates(t *testing.T) {
	t.Parallel()
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".svg") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		if err != nil {
			return err
		}
		for _, n := range []string{"988", "911", "1-800"} {
			if strings.Contains(string(b), n) {
				t.Errorf("%s names %s", path, n)
			}
		}
		for _, m := range regexp.MustCompile(`(tel|sms):[0-9+]`).FindAllString(string(b), -1) {
			t.Errorf("%s links a fixed number: %s", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
