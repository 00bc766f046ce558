package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func sessionCookieOf(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == staff.SessionCookie {
			return c
		}
	}
	return nil
}

func TestSignInAndOutThroughThePages(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	desk := fx.accounts[asFrontdesk]
	id := fx.submit("Robin Client", "Hello", 0)
	page := fmt.Sprintf("/staff/intakes/%d", id)

	// A visitor without a session is sent to sign in, and brought back.
	res := fx.request(asAnonymous, "GET", page, "")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/staff/signin?next="+url.QueryEscape(page) {
		t.Fatalf("anonymous: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = fx.request(asAnonymous, "GET", "/staff/signin?next="+url.QueryEscape(page), "")
	doc := parseHTML(t, res)
	form := formValues(mainForm(t, doc))
	if form.Get("next") != page || form.Get("_csrf") == "" || !form.Has("email") || !form.Has("password") {
		t.Errorf("sign-in form sends %v", form)
	}

	// A wrong password re-shows the email with a message; an unknown email
	// gets the very same message.
	res = fx.requestWith(asAnonymous, "", "POST", "/staff/signin", url.Values{"email": {desk.Email}, "password": {"not the password at all"}}.Encode())
	if res.StatusCode != http.StatusUnauthorized || sessionCookieOf(res) != nil {
		t.Fatalf("wrong password: %d, cookie %v", res.StatusCode, sessionCookieOf(res))
	}
	doc = parseHTML(t, res)
	if v := attr(byID(doc, "f-email"), "value"); v != desk.Email {
		t.Errorf("email field shows %q after a failure", v)
	}
	wrongMsg := textOf(byID(doc, "error-summary"))
	res = fx.requestWith(asAnonymous, "", "POST", "/staff/signin", "email=nobody%40practice.example&password=not+the+password+at+all")
	if unknownMsg := textOf(byID(parseHTML(t, res), "error-summary")); unknownMsg != wrongMsg || wrongMsg == "" {
		t.Errorf("messages differ:\n%q\n%q", wrongMsg, unknownMsg)
	}

	// Sign-in with a cookie planted beforehand sets a new one and returns
	// to the page asked for; the planted value stays worthless.
	planted := "planted-session-value-0123456789"
	res = fx.requestWith(asFrontdesk, planted, "POST", "/staff/signin", url.Values{"email": {desk.Email}, "password": {staffPassword}, "next": {page}}.Encode())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	ck := sessionCookieOf(res)
	if ck == nil || ck.Value == "" || ck.Value == planted {
		t.Fatalf("session cookie %+v", ck)
	}
	csrfCleared := false
	for _, c := range res.Cookies() {
		csrfCleared = csrfCleared || c.Name == "_csrf" && c.MaxAge < 0
	}
	if !csrfCleared {
		t.Error("sign-in kept the CSRF token from before it")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("cookie attributes %+v (site is http, so not Secure)", ck)
	}
	if res := fx.requestWith(asFrontdesk, planted, "GET", "/staff", ""); res.StatusCode != http.StatusSeeOther {
		t.Errorf("planted cookie opens the staff area: %d", res.StatusCode)
	}
	session := ck.Value
	res = fx.requestWith(asFrontdesk, session, "GET", "/staff", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("signed in, /staff = %d", res.StatusCode)
	}
	nav := findAll(parseHTML(t, res), func(n *html.Node) bool { return n.DataAtom == atom.Nav && attr(n, "aria-label") == "Staff" })
	if len(nav) != 1 || !strings.Contains(textOf(nav[0]), desk.Email) || !strings.Contains(textOf(nav[0]), "Sign out") {
		t.Errorf("staff navigation missing or without the account")
	}

	// Only local paths are followed after sign-in.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		res := fx.requestWith(asAnonymous, "", "POST", "/staff/signin", url.Values{"email": {desk.Email}, "password": {staffPassword}, "next": {next}}.Encode())
		if loc := res.Header.Get("Location"); loc != "/staff" {
			t.Errorf("next=%q sent to %q", next, loc)
		}
	}

	// Sign-out clears the cookie and the old value is refused afterwards.
	res = fx.requestWith(asFrontdesk, session, "POST", "/staff/signout", "")
	if ck := sessionCookieOf(res); res.StatusCode != http.StatusSeeOther || ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
		t.Errorf("sign-out: %d, cookie %+v", res.StatusCode, ck)
	}
	if res := fx.requestWith(asFrontdesk, session, "GET", "/staff", ""); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
		t.Errorf("replayed cookie after sign-out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSessionCookieIsSecureOverHTTPS(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t, func(c *config.Config) { c.BaseURL = "https://practice.example" })
	res := fx.requestWith(asAnonymous, "", "POST", "/staff/signin",
		url.Values{"email": {fx.accounts[asAdmin].Email}, "password": {staffPassword}}.Encode())
	if ck := sessionCookieOf(res); ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v, want Secure, HttpOnly, SameSite=Lax", ck)
	}
}

func TestIdleSessionIsSentToSignIn(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	if res := fx.request(asAdmin, "GET", "/staff", ""); res.StatusCode != http.StatusOK {
		t.Fatalf("/staff = %d", res.StatusCode)
	}
	fx.clock.Advance(31 * time.Minute)
	res := fx.request(asAdmin, "GET", "/staff?status=new", "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/signin?next="+url.QueryEscape("/staff?status=new") {
		t.Errorf("after 31 idle minutes: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if ck := sessionCookieOf(res); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("the dead cookie is not cleared: %+v", ck)
	}
}

const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
)

func TestStaffPagesEscapeWhatClientsWrote(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	r, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "couple", Name: xssScript, Email: "xss@example.org", Pronouns: xssAttr,
		ContactPreference: "email", PartnerName: xssAttr, PartnerPronouns: xssScript, ConcernsOther: xssScript,
		Message: xssAttr + "\n" + xssScript, ReferralSource: xssAttr, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/notes", r.ID), url.Values{"body": {xssScript + xssAttr}}.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add note: %d", res.StatusCode)
	}

	for _, path := range []string{"/staff", fmt.Sprintf("/staff/intakes/%d", r.ID)} {
		res := fx.request(asFrontdesk, "GET", path, "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d", path, res.StatusCode)
		}
		body := readBody(t, res)
		for _, raw := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s contains %q unescaped", path, raw)
			}
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if n := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Script || n.DataAtom == atom.Img }); len(n) > 0 {
			t.Errorf("%s has %d script/img elements", path, len(n))
		}
		for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: <%s %s=%q>", path, n.Data, a.Key, a.Val)
				}
			}
		}
		// What the client wrote is shown as text, exactly.
		text := textOf(doc)
		if !strings.Contains(text, xssScript) || !strings.Contains(text, strings.TrimSpace(xssAttr)) {
			t.Errorf("%s does not show the client's text as typed", path)
		}
	}
}

func TestIntakePageForStaff(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	emailOnly, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "couple", Name: "Jordan Vale", Email: "jordan@example.org",
		ContactPreference: "email", PartnerName: "Casey Vale", PartnerEmail: "casey@example.org", PartnerAware: "not_yet",
		Message: "We keep fighting.\nWe want help.", SafetyConcern: true, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	phone, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Pat Doe", Email: "pat@example.org",
		Phone: "555 010 3000", ContactPreference: "phone", VoicemailOK: true, Consent: true})
	if err != nil {
		t.Fatal(err)
	}

	res := fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", emailOnly.ID), "")
	doc := parseHTML(t, res)
	prefs := findAll(doc, func(n *html.Node) bool { return hasClass(n, "contact-pref") })
	if len(prefs) != 2 || textOf(prefs[0]) != "Email only — do not call" || textOf(prefs[1]) != "Do not leave a voicemail" {
		t.Errorf("contact preference shown as %d elements", len(prefs))
	}
	text := textOf(doc)
	for _, want := range []string{"Urgent", "Casey Vale", "casey@example.org", "Not yet", "We keep fighting.", "We want help.", "Dr. Avery Stone"} {
		if !strings.Contains(text, want) {
			t.Errorf("intake page lacks %q", want)
		}
	}

	doc = parseHTML(t, fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", phone.ID), ""))
	prefs = findAll(doc, func(n *html.Node) bool { return hasClass(n, "contact-pref") })
	if len(prefs) != 2 || textOf(prefs[0]) != "Phone preferred" || textOf(prefs[1]) != "Voicemail OK" {
		t.Errorf("phone preference not shown")
	}

	// A clinician sees no assignment form and cannot use it.
	fx.a.DB.Exec("UPDATE intakes SET assigned_clinician_id = ? WHERE id = ?", fx.clinA, phone.ID)
	doc = parseHTML(t, fx.request(asClinician, "GET", fmt.Sprintf("/staff/intakes/%d", phone.ID), ""))
	if byID(doc, "f-clinician_id") != nil {
		t.Error("a clinician is offered the assignment form")
	}
	if byID(doc, "f-body") == nil || byID(doc, "f-status") == nil {
		t.Error("the assigned clinician cannot add a note or move the status")
	}

	// An empty note is refused next to the field; the page is shown again.
	res = fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/notes", phone.ID), "body=+++")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty note: %d", res.StatusCode)
	}
	if msg := textOf(byID(parseHTML(t, res), "e-body")); msg == "" {
		t.Error("no message next to the note field")
	}
	// A note is added, shown with its author, and the page says so.
	res = fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/notes", phone.ID), "body=Left+a+voicemail.")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/staff/intakes/%d?saved=note", phone.ID) {
		t.Fatalf("note: %d to %q", res.StatusCode, loc)
	}
	text = textOf(parseHTML(t, fx.request(asFrontdesk, "GET", loc, "")))
	for _, want := range []string{"Your note was added.", "Left a voicemail.", "The frontdesk"} {
		if !strings.Contains(text, want) {
			t.Errorf("after the note, page lacks %q", want)
		}
	}
	// A status chosen from a stale page is refused with the reason.
	fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/status", phone.ID), "from=new&status=in_review")
	res = fx.request(asAdmin, "POST", fmt.Sprintf("/staff/intakes/%d/status", phone.ID), "from=new&status=declined")
	if res.StatusCode != http.StatusConflict || !strings.Contains(textOf(parseHTML(t, res)), "Someone else changed") {
		t.Errorf("stale status change: %d", res.StatusCode)
	}
	in, _ := fx.a.Intakes.Get(ctx, phone.ID)
	if in.Status != intake.StatusInReview {
		t.Errorf("status %s", in.Status)
	}
	// Assigning through the page.
	res = fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/assign", phone.ID), fmt.Sprintf("clinician_id=%d", fx.clinB))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", res.StatusCode)
	}
	if in, _ := fx.a.Intakes.Get(ctx, phone.ID); in.AssignedClinicianID == nil || *in.AssignedClinicianID != fx.clinB {
		t.Errorf("assigned to %v", in.AssignedClinicianID)
	}
	if res := fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/assign", phone.ID), "clinician_id=abc"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("assign to nonsense: %d", res.StatusCode)
	}
}

func TestEveryViewOfAnIntakeIsAudited(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	const name, message = "Morgan Private", "Something I have never told anyone"
	id := fx.submit(name, message, fx.clinA)
	record := strconv.FormatInt(id, 10)

	views := func() []audit.Item {
		items, err := fx.a.Audit.List(ctx, audit.Filter{Action: audit.IntakeView, RecordType: audit.TypeIntake, RecordID: record})
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	steps := []struct {
		role, path string
	}{
		{asFrontdesk, fmt.Sprintf("/staff/intakes/%d", id)},
		{asClinician, fmt.Sprintf("/api/v1/intakes/%d", id)},
		{asAdmin, fmt.Sprintf("/staff/intakes/%d?saved=note", id)},
	}
	for i, s := range steps {
		if res := fx.request(s.role, "GET", s.path, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", s.path, res.StatusCode)
		}
		got := views()
		if len(got) != i+1 {
			t.Fatalf("after %s: %d view entries, want %d", s.path, len(got), i+1)
		}
		if e := got[0]; e.ActorID == nil || *e.ActorID != fx.accounts[s.role].ID || e.ActorEmail != fx.accounts[s.role].Email {
			t.Errorf("view by %s recorded as %+v", s.role, e)
		}
	}
	// The queue and the API list are not views of one intake; the API list
	// is recorded as a list.
	fx.request(asFrontdesk, "GET", "/staff", "")
	fx.request(asFrontdesk, "GET", "/api/v1/intakes", "")
	if n := len(views()); n != 3 {
		t.Errorf("%d view entries after listing, want 3", n)
	}
	lists, _ := fx.a.Audit.List(ctx, audit.Filter{Action: audit.IntakeList})
	if len(lists) != 1 || !strings.Contains(lists[0].Detail, record) {
		t.Errorf("API list entries %+v", lists)
	}
	all, _ := fx.a.Audit.List(ctx, audit.Filter{Limit: 1000})
	for _, e := range all {
		for _, col := range []string{e.ActorEmail, e.Action, e.RecordType, e.RecordID, e.IP, e.Detail} {
			if strings.Contains(col, "Morgan") || strings.Contains(col, "never told") {
				t.Errorf("audit entry holds intake text: %+v", e)
			}
		}
	}
}

func TestQueueForEachRole(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	fx.submit("Alpha Mine", "", fx.clinA)
	fx.submit("Bravo Theirs", "", fx.clinB)
	fx.submit("Charlie Nobody", "", 0)
	fx.a.DB.Exec("UPDATE intakes SET urgent = TRUE WHERE name = 'Charlie Nobody'")

	rows := func(role, query string) []string {
		t.Helper()
		res := fx.request(role, "GET", "/staff"+query, "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s /staff%s = %d", role, query, res.StatusCode)
		}
		var names []string
		for _, tr := range findAll(parseHTML(t, res), func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
			if links := findAll(tr, func(n *html.Node) bool { return n.DataAtom == atom.A }); len(links) == 1 {
				names = append(names, textOf(links[0]))
			}
		}
		return names
	}
	if got := strings.Join(rows(asFrontdesk, ""), ","); got != "Charlie Nobody,Bravo Theirs,Alpha Mine" {
		t.Errorf("front desk queue %s, want urgent first then newest", got)
	}
	if got := strings.Join(rows(asClinician, ""), ","); got != "Alpha Mine" {
		t.Errorf("clinician queue %s", got)
	}
	if got := strings.Join(rows(asOtherClinician, ""), ","); got != "Bravo Theirs" {
		t.Errorf("other clinician queue %s", got)
	}
	if got := strings.Join(rows(asFrontdesk, "?clinician=none"), ","); got != "Charlie Nobody" {
		t.Errorf("unassigned filter %s", got)
	}
	if got := strings.Join(rows(asFrontdesk, fmt.Sprintf("?clinician=%d", fx.clinA)), ","); got != "Alpha Mine" {
		t.Errorf("clinician filter %s", got)
	}
	if got := rows(asFrontdesk, "?status=closed"); len(got) != 0 {
		t.Errorf("closed filter %v", got)
	}
	res := fx.request(asFrontdesk, "GET", "/staff?from=yesterday", "")
	if res.StatusCode != http.StatusOK || textOf(byID(parseHTML(t, res), "e-from")) == "" {
		t.Errorf("a bad date is not explained")
	}
	doc := parseHTML(t, fx.request(asFrontdesk, "GET", "/staff?kind=individual", ""))
	links := map[string]string{}
	for _, a := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		links[textOf(a)] = attr(a, "href")
	}
	if links["Open (3)"] != "/staff?kind=individual" || links["All (3)"] != "/staff?kind=individual&status=all" ||
		links["New (3)"] != "/staff?kind=individual&status=new" || links["Closed (0)"] == "" {
		t.Errorf("status counts link to %v", links)
	}
}
