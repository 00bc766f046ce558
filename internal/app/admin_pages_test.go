package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"gorm.io/gorm"
)

const unprocessable = http.StatusUnprocessableEntity

// adminOnly is the row of an admin page in the permission matrix: status
// for admins, 403 for everyone else signed in, sign-in for visitors.
func adminOnly(status int) map[string]int {
	return statuses(status, forbidden, forbidden, forbidden, toSignIn)
}

// freshAccount adds a front-desk account nobody else uses.
func (fx *staffFixture) freshAccount() staff.Account {
	fx.t.Helper()
	fx.seq++
	acc, err := fx.a.Staff.Add(context.Background(), staff.NewAccount{Email: fmt.Sprintf("colleague%d@practice.example", fx.seq),
		Name: fmt.Sprintf("Colleague %d", fx.seq), Role: staff.Frontdesk, Password: staffPassword})
	if err != nil {
		fx.t.Fatalf("add account: %v", err)
	}
	return acc
}

// deactivatedAccount adds a front-desk account and deactivates it.
func (fx *staffFixture) deactivatedAccount() staff.Account {
	fx.t.Helper()
	acc := fx.freshAccount()
	if err := fx.a.Staff.Deactivate(context.Background(), staff.Actor{Account: fx.accounts[asAdmin], IP: "192.0.2.9"}, acc.ID); err != nil {
		fx.t.Fatalf("deactivate: %v", err)
	}
	return acc
}

// freshToken issues an API token for the front desk and returns its id.
func (fx *staffFixture) freshToken() int64 {
	fx.t.Helper()
	tok, _, err := fx.a.Staff.IssueToken(context.Background(), staff.Actor{Account: fx.accounts[asAdmin], IP: "192.0.2.9"}, fx.accounts[asFrontdesk].ID, "helper")
	if err != nil {
		fx.t.Fatalf("issue token: %v", err)
	}
	return tok.ID
}

// clinicianForm is a valid clinician form with a name and email of its own.
func (fx *staffFixture) clinicianForm() url.Values {
	fx.seq++
	return url.Values{"name": {fmt.Sprintf("Dr. New Person %d", fx.seq)}, "email": {fmt.Sprintf("person%d@practice.example", fx.seq)},
		"timezone": {"America/Chicago"}, "offers": {"individual", "couple"}, "video_link": {"https://video.example/room"},
		"address": {"12 Main St\r\nSuite 3"}, "active": {"yes"}}
}

func settingsForm() url.Values {
	v := url.Values{"name": {"Riverside Relational Therapy"}, "timezone": {"America/Denver"}, "address": {"1 River Rd"},
		"video_link": {"https://video.example/practice"}, "crisis_text": {"Call or text 988.\r\nIn danger now: call 911."},
		"sender_name": {"Riverside Therapy"}}
	// The crisis lines as the form shows them, unchanged.
	for k, vals := range crisisForm(practice.DefaultCrisisResources()) {
		v[k] = vals
	}
	return v
}

// crisisForm is list as the settings form's crisis rows send it.
func crisisForm(list []practice.CrisisResource) url.Values {
	v := url.Values{}
	for i, r := range list {
		set := func(name, val string) { v.Set(fmt.Sprintf("crisis_%s_%d", name, i), val) }
		set("label", r.Label)
		set("phone", r.Phone)
		set("sms", r.SMS)
		set("sms_body", r.SMSBody)
		set("url", r.URL)
		set("note", r.Note)
		set("audience", r.Audience)
		if r.Banner {
			set("banner", "yes")
		}
	}
	return v
}

// refusingTransport is a mail server that answers 550 for one mailbox and
// accepts everything else.
type refusingTransport struct{ mailbox string }

func (t refusingTransport) Send(_ context.Context, _ string, to []string, _ []byte) error {
	for _, a := range to {
		if a == t.mailbox {
			return outbox.Permanent(fmt.Errorf("550 5.1.1 <%s>: mailbox unavailable", a))
		}
	}
	return nil
}

var _ outbox.Transport = refusingTransport{}

// failedEmail queues an email the way the application does and has a mail
// worker try it against a server that refuses it for good; it returns the
// id of the failed email.
func (fx *staffFixture) failedEmail() int64 {
	fx.t.Helper()
	fx.seq++
	ctx := context.Background()
	to := fmt.Sprintf("bounce%d@client.example", fx.seq)
	msgID := fmt.Sprintf("<failed-%d-%d@practice.example>", fx.seq, time.Now().UnixNano())
	raw := "Message-ID: " + msgID + "\r\nFrom: practice@practice.example\r\nTo: " + to +
		"\r\nSubject: Your consultation\r\n\r\nSee you soon.\r\n"
	err := store.Transact(ctx, fx.a.DB, func(tx *gorm.DB) error {
		return outbox.Enqueue(tx, fx.clock.Now(), outbox.Message{MessageID: msgID, From: "practice@practice.example", To: []string{to},
			Subject: "Your consultation", Raw: []byte(raw)})
	})
	if err != nil {
		fx.t.Fatalf("enqueue: %v", err)
	}
	w := outbox.NewWorker(fx.a.DB, refusingTransport{mailbox: to}, fx.clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), outbox.Options{})
	if _, err := w.RunOnce(ctx); err != nil {
		fx.t.Fatalf("worker: %v", err)
	}
	failed, err := fx.a.Outbox.Failed(ctx)
	if err != nil {
		fx.t.Fatal(err)
	}
	for _, f := range failed {
		if len(f.Recipients) == 1 && f.Recipients[0] == to {
			return f.ID
		}
	}
	fx.t.Fatalf("no failed email to %s", to)
	return 0
}

// send is requestWith with extra cookies and, when csrf is false, a form
// without its CSRF token.
func (fx *staffFixture) send(session, method, path, body string, csrf bool, cookies ...*http.Cookie) *http.Response {
	fx.t.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		fx.t.Fatal(err)
	}
	if csrf {
		v.Set("_csrf", csrfFor(path, session))
	}
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = "192.0.2.201:50000"
	req.AddCookie(&http.Cookie{Name: "_csrf", Value: testCSRF})
	if session != "" {
		req.AddCookie(&http.Cookie{Name: staff.SessionCookie, Value: session})
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	fx.a.Echo.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode >= 500 {
		fx.t.Errorf("%s %s answered %d", method, path, res.StatusCode)
	}
	return res
}

// revealCookie is the cookie that carries a new secret to the page that
// shows it once.
func revealCookie(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == "fs_reveal" && c.Value != "" {
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/staff/admin" || c.MaxAge <= 0 || c.MaxAge > 600 {
				t.Errorf("reveal cookie %+v: want HttpOnly, SameSite=Strict, Path=/staff/admin, short-lived", c)
			}
			return c
		}
	}
	t.Fatal("no reveal cookie set")
	return nil
}

// entriesSince returns the audit entries written after entry id after,
// oldest first.
func (fx *staffFixture) entriesSince(after int64) []audit.Item {
	fx.t.Helper()
	all, err := fx.a.Audit.List(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		fx.t.Fatal(err)
	}
	var out []audit.Item
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].ID > after {
			out = append(out, all[i])
		}
	}
	return out
}

func (fx *staffFixture) lastEntryID() int64 {
	fx.t.Helper()
	all, err := fx.a.Audit.List(context.Background(), audit.Filter{Limit: 1})
	if err != nil {
		fx.t.Fatal(err)
	}
	if len(all) == 0 {
		return 0
	}
	return all[0].ID
}

// expectOneEntry checks that exactly one audit entry was written since
// after, by actor, with action on record, and that none of secrets appears
// in any of its columns.
func (fx *staffFixture) expectOneEntry(t *testing.T, after int64, actor staff.Account, action, recordType, recordID string, secrets ...string) audit.Item {
	t.Helper()
	got := fx.entriesSince(after)
	if len(got) != 1 {
		t.Fatalf("%d audit entries for %s, want 1: %+v", len(got), action, got)
	}
	e := got[0]
	if e.Action != action || e.RecordType != recordType || e.RecordID != recordID {
		t.Errorf("entry %s %s %s, want %s %s %s", e.Action, e.RecordType, e.RecordID, action, recordType, recordID)
	}
	if e.ActorID == nil || *e.ActorID != actor.ID || e.ActorEmail != actor.Email {
		t.Errorf("entry by %v %q, want %d %q", e.ActorID, e.ActorEmail, actor.ID, actor.Email)
	}
	if e.IP != "192.0.2.201" {
		t.Errorf("entry from %q", e.IP)
	}
	if time.Since(e.At) > time.Hour || e.At.IsZero() {
		t.Errorf("entry at %v", e.At)
	}
	for _, s := range secrets {
		for _, col := range []string{e.ActorEmail, e.Action, e.RecordType, e.RecordID, e.IP, e.Detail} {
			if s != "" && strings.Contains(col, s) {
				t.Errorf("audit entry holds a secret: %+v", e)
			}
		}
	}
	return e
}

func expectRedirect(t *testing.T, res *http.Response, prefix string) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("answered %d to %q, want 303 to %s…", res.StatusCode, loc, prefix)
	}
	return loc
}

func fieldError(doc *html.Node, field string) string { return textOf(orEmpty(byID(doc, "e-"+field))) }

func orEmpty(n *html.Node) *html.Node {
	if n == nil {
		return &html.Node{Type: html.DocumentNode}
	}
	return n
}

func valueOf(doc *html.Node, field string) string {
	n := byID(doc, "f-"+field)
	if n == nil {
		return "<missing>"
	}
	switch n.DataAtom {
	case atom.Textarea:
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(c.Data)
		}
		return b.String()
	case atom.Select:
		for _, o := range findAll(n, func(o *html.Node) bool { return o.DataAtom == atom.Option && hasAttr(o, "selected") }) {
			return attr(o, "value")
		}
		return ""
	}
	if attr(n, "type") == "checkbox" {
		return strconv.FormatBool(hasAttr(n, "checked"))
	}
	return attr(n, "value")
}

func TestAdminIndexAndNavigation(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	navLinks := func(role string) map[string]bool {
		doc := parseHTML(t, fx.request(role, "GET", "/staff", ""))
		out := map[string]bool{}
		for _, nav := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Nav && attr(n, "aria-label") == "Staff" }) {
			for _, a := range findAll(nav, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
				out[textOf(a)+" "+attr(a, "href")] = true
			}
		}
		return out
	}
	if !navLinks(asAdmin)["Admin /staff/admin"] {
		t.Error("admins see no Admin link")
	}
	for _, role := range []string{asFrontdesk, asClinician} {
		links := navLinks(role)
		if links["Admin /staff/admin"] {
			t.Errorf("%s sees the Admin link", role)
		}
		if !links["Password /staff/password"] {
			t.Errorf("%s has no link to the password page", role)
		}
	}
	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin", ""))
	var hrefs []string
	for _, a := range findAll(byID(doc, "main"), func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		hrefs = append(hrefs, attr(a, "href"))
	}
	if got := strings.Join(hrefs, " "); got != "/staff/admin/accounts /staff/admin/clinicians /staff/admin/settings /staff/admin/tokens /staff/admin/emails /staff/admin/audit" {
		t.Errorf("admin index links to %s", got)
	}
}

func TestAdminFormsRefuseAPostWithoutCSRF(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	session := fx.sessions[asAdmin]
	before := fx.lastEntryID()
	for path, body := range map[string]string{
		"/staff/admin/accounts":   "email=x%40practice.example&role=frontdesk",
		"/staff/admin/settings":   settingsForm().Encode(),
		"/staff/admin/tokens":     fmt.Sprintf("account_id=%d&label=x", fx.accounts[asFrontdesk].ID),
		"/staff/admin/clinicians": fx.clinicianForm().Encode(),
		fmt.Sprintf("/staff/admin/accounts/%d/deactivate", fx.accounts[asFrontdesk].ID): "",
		fmt.Sprintf("/staff/admin/emails/%d/retry", fx.failedEmail()):                   "",
		"/staff/password": url.Values{"current_password": {staffPassword}, "new_password": {"a brand new password"}, "confirm_password": {"a brand new password"}}.Encode(),
	} {
		res := fx.send(session, "POST", path, body, false)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s without CSRF token: %d, want 403", path, res.StatusCode)
		}
	}
	if got := fx.entriesSince(before); len(got) != 0 {
		t.Errorf("refused posts wrote %d audit entries", len(got))
	}
}

func TestAdminInvitesAColleagueWhoMustChooseAPassword(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	admin := fx.accounts[asAdmin]
	ctx := context.Background()

	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/accounts", ""))
	text := textOf(doc)
	for _, want := range []string{fx.accounts[asFrontdesk].Email, "Front desk", "Dr. Avery Stone", "Active"} {
		if !strings.Contains(text, want) {
			t.Errorf("account list lacks %q", want)
		}
	}

	// Mistakes are shown next to their fields, with everything kept.
	before := fx.lastEntryID()
	res := fx.request(asAdmin, "POST", "/staff/admin/accounts", url.Values{"email": {"not-an-email"}, "name": {"Sam Newcomer"},
		"role": {"clinician"}}.Encode())
	if res.StatusCode != unprocessable {
		t.Fatalf("invalid invite: %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	if fieldError(doc, "email") == "" || fieldError(doc, "clinician_id") == "" {
		t.Errorf("messages: email %q, clinician %q", fieldError(doc, "email"), fieldError(doc, "clinician_id"))
	}
	if valueOf(doc, "email") != "not-an-email" || valueOf(doc, "name") != "Sam Newcomer" || valueOf(doc, "role") != "clinician" {
		t.Errorf("values not kept: %q %q %q", valueOf(doc, "email"), valueOf(doc, "name"), valueOf(doc, "role"))
	}
	res = fx.request(asAdmin, "POST", "/staff/admin/accounts", url.Values{"email": {fx.accounts[asFrontdesk].Email}, "role": {"frontdesk"}}.Encode())
	if res.StatusCode != http.StatusConflict || fieldError(parseHTML(t, res), "email") == "" {
		t.Errorf("taken email: %d", res.StatusCode)
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused invitations wrote %d audit entries", n)
	}

	// The invitation shows a one-time password on the next page, once.
	res = fx.request(asAdmin, "POST", "/staff/admin/accounts", url.Values{"email": {" Sam.Newcomer@Practice.example "}, "name": {"Sam Newcomer"},
		"role": {"clinician"}, "clinician_id": {fmt.Sprint(fx.clinB)}}.Encode())
	loc := expectRedirect(t, res, "/staff/admin/accounts/")
	cookie := revealCookie(t, res)
	if strings.Contains(loc, "?") {
		t.Errorf("the secret travels in the URL: %s", loc)
	}
	acc, err := fx.a.Staff.ByEmail(ctx, "sam.newcomer@practice.example")
	if err != nil {
		t.Fatal(err)
	}
	if acc.Role != staff.Clinician || acc.ClinicianID == nil || *acc.ClinicianID != fx.clinB || !acc.MustChangePassword || !acc.Active {
		t.Errorf("new account %+v", acc)
	}
	if loc != fmt.Sprintf("/staff/admin/accounts/%d/password", acc.ID) {
		t.Errorf("sent to %s", loc)
	}
	res = fx.send(fx.sessions[asAdmin], "GET", loc, "", false, cookie)
	doc = parseHTML(t, res)
	password := textOf(orEmpty(byID(doc, "secret")))
	if len(password) < staff.MinPasswordLen {
		t.Fatalf("one-time password %q", password)
	}
	cleared := false
	for _, c := range res.Cookies() {
		cleared = cleared || c.Name == "fs_reveal" && c.MaxAge < 0
	}
	if !cleared {
		t.Error("the page that shows the password does not clear its cookie")
	}
	// Reloading the page (the browser has dropped the cookie) shows it no more.
	doc = parseHTML(t, fx.request(asAdmin, "GET", loc, ""))
	if byID(doc, "secret") != nil || !strings.Contains(textOf(doc), "shown once") || strings.Contains(textOf(doc), password) {
		t.Error("the one-time password is shown a second time")
	}
	fx.expectOneEntry(t, before, admin, audit.AccountCreate, audit.TypeAccount, strconv.FormatInt(acc.ID, 10), password)
	// Another admin's browser cannot open this admin's cookie.
	other := fx.freshAccount()
	if err := fx.a.Staff.SetRole(ctx, staff.Actor{Account: admin, IP: "192.0.2.9"}, other.ID, staff.Admin, nil); err != nil {
		t.Fatal(err)
	}
	otherSession, _, err := signInAs(fx, other.Email, staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	if doc := parseHTML(t, fx.send(otherSession, "GET", loc, "", false, cookie)); byID(doc, "secret") != nil {
		t.Error("another admin opened the reveal cookie")
	}

	// The colleague signs in with it and is sent to choose a password from
	// every staff page until they have.
	session, _, err := signInAs(fx, acc.Email, password)
	if err != nil {
		t.Fatalf("sign in with the one-time password: %v", err)
	}
	for _, path := range []string{"/staff", fmt.Sprintf("/staff/intakes/%d", fx.submit("Client", "", fx.clinB)), "/staff/availability", "/staff/admin"} {
		res := fx.send(session, "GET", path, "", false)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/password" {
			t.Errorf("%s: %d to %q, want the password page", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	res = fx.send(session, "POST", fmt.Sprintf("/staff/intakes/%d/notes", fx.submit("Client", "", fx.clinB)), "body=hello", true)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/password" {
		t.Errorf("a note before choosing a password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	doc = parseHTML(t, fx.send(session, "GET", "/staff/password", "", false))
	if !strings.Contains(textOf(doc), "one-time password") || byID(doc, "f-current_password") == nil {
		t.Error("the password page does not explain why it is shown")
	}

	before = fx.lastEntryID()
	const newPassword = "my own very private passphrase"
	for _, tc := range []struct {
		name, current, next, confirm, field string
	}{
		{"wrong current", "not the password", newPassword, newPassword, "current_password"},
		{"too short", password, "short", "short", "new_password"},
		{"same as before", password, password, password, "new_password"},
		{"confirmation differs", password, newPassword, newPassword + "!", "confirm_password"},
	} {
		res := fx.send(session, "POST", "/staff/password", url.Values{"current_password": {tc.current}, "new_password": {tc.next},
			"confirm_password": {tc.confirm}}.Encode(), true)
		if res.StatusCode != unprocessable {
			t.Fatalf("%s: %d", tc.name, res.StatusCode)
		}
		body := readBody(t, res)
		doc, _ := html.Parse(strings.NewReader(body))
		if fieldError(doc, tc.field) == "" {
			t.Errorf("%s: no message next to %s", tc.name, tc.field)
		}
		if strings.Contains(body, tc.next) && tc.next != "" || strings.Contains(body, password) {
			t.Errorf("%s: a password is written back into the page", tc.name)
		}
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused changes wrote %d audit entries", n)
	}
	// Another session of the same account ends when the password changes.
	otherOfSam, _, _ := signInAs(fx, acc.Email, password)
	before = fx.lastEntryID()
	res = fx.send(session, "POST", "/staff/password", url.Values{"current_password": {password}, "new_password": {newPassword},
		"confirm_password": {newPassword}}.Encode(), true)
	expectRedirect(t, res, "/staff/password?saved=1")
	fx.expectOneEntry(t, before, acc, audit.AccountPasswordChange, audit.TypeAccount, strconv.FormatInt(acc.ID, 10), password, newPassword)
	if doc := parseHTML(t, fx.send(session, "GET", "/staff/password?saved=1", "", false)); !strings.Contains(textOf(doc), "Your password was changed") {
		t.Error("no confirmation after the change")
	}
	if res := fx.send(session, "GET", "/staff", "", false); res.StatusCode != http.StatusOK {
		t.Errorf("after choosing a password, /staff = %d", res.StatusCode)
	}
	if res := fx.send(otherOfSam, "GET", "/staff", "", false); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
		t.Errorf("the other session survived the change: %d", res.StatusCode)
	}
	if _, _, err := signInAs(fx, acc.Email, password); err == nil {
		t.Error("the one-time password still works")
	}
	if _, _, err := signInAs(fx, acc.Email, newPassword); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}

func signInAs(fx *staffFixture, email, password string) (string, staff.Account, error) {
	acc, token, err := fx.a.Sessions.SignIn(context.Background(), staff.Credentials{Email: email, Password: password}, "192.0.2.200", "")
	return token, acc, err
}

func TestAdminChangesRolesAndAccess(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	admin := fx.accounts[asAdmin]
	ctx := context.Background()
	colleague := fx.freshAccount()
	session, _, err := signInAs(fx, colleague.Email, staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	token, err := fx.a.Staff.CreateToken(ctx, colleague.Email, "script")
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/staff/admin/accounts/%d", colleague.ID)
	record := strconv.FormatInt(colleague.ID, 10)

	// A clinician account needs its clinician; the choice is kept.
	before := fx.lastEntryID()
	res := fx.request(asAdmin, "POST", page+"/role", "role=clinician&clinician_id=")
	if res.StatusCode != unprocessable {
		t.Fatalf("clinician without clinician: %d", res.StatusCode)
	}
	doc := parseHTML(t, res)
	if fieldError(doc, "clinician_id") == "" || valueOf(doc, "role") != "clinician" {
		t.Errorf("message %q, role kept %q", fieldError(doc, "clinician_id"), valueOf(doc, "role"))
	}
	res = fx.request(asAdmin, "POST", page+"/role", "role=clinician&clinician_id=999999")
	if res.StatusCode != unprocessable || fieldError(parseHTML(t, res), "clinician_id") == "" {
		t.Errorf("unknown clinician: %d", res.StatusCode)
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused changes wrote %d entries", n)
	}
	res = fx.request(asAdmin, "POST", page+"/role", fmt.Sprintf("role=clinician&clinician_id=%d", fx.clinA))
	expectRedirect(t, res, page+"?saved=role")
	e := fx.expectOneEntry(t, before, admin, audit.AccountRoleChange, audit.TypeAccount, record)
	if !strings.Contains(e.Detail, "frontdesk") || !strings.Contains(e.Detail, "clinician") {
		t.Errorf("detail %q", e.Detail)
	}
	if acc, _ := fx.a.Staff.AccountByID(ctx, colleague.ID); acc.Role != staff.Clinician || acc.ClinicianID == nil || *acc.ClinicianID != fx.clinA {
		t.Errorf("after the change: %+v", acc)
	}
	if doc := parseHTML(t, fx.request(asAdmin, "GET", page+"?saved=role", "")); !strings.Contains(textOf(doc), "The role was saved.") {
		t.Error("no message after the change")
	}
	// The new role applies to the colleague's next request.
	if res := fx.send(session, "GET", "/staff/availability", "", false); res.StatusCode != http.StatusOK {
		t.Errorf("as a clinician now, /staff/availability = %d", res.StatusCode)
	}
	// Saving the same role again changes nothing and records nothing.
	before = fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", page+"/role", fmt.Sprintf("role=clinician&clinician_id=%d", fx.clinA)), page)
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("an unchanged role wrote %d entries", n)
	}

	// Nobody changes their own role or deactivates themself.
	own := fmt.Sprintf("/staff/admin/accounts/%d", admin.ID)
	for _, path := range []string{own + "/role", own + "/deactivate", own + "/reset-password"} {
		res := fx.request(asAdmin, "POST", path, "role=frontdesk")
		if res.StatusCode != http.StatusConflict {
			t.Errorf("%s on oneself: %d", path, res.StatusCode)
			continue
		}
		if msg := textOf(orEmpty(byID(parseHTML(t, res), "error-summary"))); !strings.Contains(msg, "own") {
			t.Errorf("%s on oneself: message %q", path, msg)
		}
	}
	if acc, _ := fx.a.Staff.AccountByID(ctx, admin.ID); !acc.Active || acc.Role != staff.Admin {
		t.Errorf("admin changed itself: %+v", acc)
	}

	// Deactivating ends the sessions and revokes the tokens.
	before = fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", page+"/deactivate", ""), page+"?saved=deactivated")
	fx.expectOneEntry(t, before, admin, audit.AccountDisabled, audit.TypeAccount, record)
	if res := fx.send(session, "GET", "/staff", "", false); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the deactivated account's session still works: %d", res.StatusCode)
	}
	if _, err := fx.a.Staff.AuthenticateToken(ctx, token); err == nil {
		t.Error("the deactivated account's token still works")
	}
	doc = parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/accounts", ""))
	if !strings.Contains(textOf(doc), "Deactivated") {
		t.Error("the list does not show the deactivated account")
	}
	// Reactivating lets it sign in again; the token stays revoked.
	before = fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", page+"/reactivate", ""), page+"?saved=reactivated")
	fx.expectOneEntry(t, before, admin, audit.AccountReactivate, audit.TypeAccount, record)
	if _, _, err := signInAs(fx, colleague.Email, staffPassword); err != nil {
		t.Errorf("sign-in after reactivation: %v", err)
	}
	if _, err := fx.a.Staff.AuthenticateToken(ctx, token); err == nil {
		t.Error("reactivation brought a revoked token back")
	}

	// A lost password is replaced by a new one-time password.
	before = fx.lastEntryID()
	res = fx.request(asAdmin, "POST", page+"/reset-password", "")
	loc := expectRedirect(t, res, page+"/password")
	doc = parseHTML(t, fx.send(fx.sessions[asAdmin], "GET", loc, "", false, revealCookie(t, res)))
	password := textOf(orEmpty(byID(doc, "secret")))
	if len(password) < staff.MinPasswordLen {
		t.Fatalf("one-time password %q", password)
	}
	fx.expectOneEntry(t, before, admin, audit.AccountPasswordReset, audit.TypeAccount, record, password)
	if _, _, err := signInAs(fx, colleague.Email, staffPassword); err == nil {
		t.Error("the old password still works after a reset")
	}
	session, _, err = signInAs(fx, colleague.Email, password)
	if err != nil {
		t.Fatalf("sign in with the new one-time password: %v", err)
	}
	if res := fx.send(session, "GET", "/staff", "", false); res.Header.Get("Location") != "/staff/password" {
		t.Errorf("after a reset: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// Two admins who deactivate each other at the same moment cannot leave
// the practice without an admin.
func TestTheLastAdminStays(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	for round := range 3 {
		second := fx.freshAccount()
		if err := fx.a.Staff.SetRole(ctx, staff.Actor{Account: fx.accounts[asAdmin], IP: "192.0.2.9"}, second.ID, staff.Admin, nil); err != nil {
			t.Fatal(err)
		}
		// Only the fixture's admin and second are active admins.
		var admins []staff.Account
		list, _ := fx.a.Staff.Accounts(ctx)
		for _, a := range list {
			if a.Active && a.Role == staff.Admin {
				admins = append(admins, a)
			}
		}
		if len(admins) != 2 {
			t.Fatalf("round %d: %d active admins before, want 2", round, len(admins))
		}
		sessions := make([]string, 2)
		for i, a := range admins {
			s, _, err := signInAs(fx, a.Email, staffPassword)
			if err != nil {
				t.Fatal(err)
			}
			sessions[i] = s
		}
		before := fx.lastEntryID()
		var wg sync.WaitGroup
		codes := make([]int, 2)
		done := 0
		var mu sync.Mutex
		for i := range 2 {
			wg.Go(func() {
				page := fmt.Sprintf("/staff/admin/accounts/%d", admins[1-i].ID)
				res := fx.send(sessions[i], "POST", page+"/deactivate", "", true)
				codes[i] = res.StatusCode
				switch {
				case res.StatusCode == http.StatusConflict:
					if !strings.Contains(readBody(t, res), "last active administrator") {
						t.Errorf("the refusal does not say why")
					}
				case res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == page+"?saved=deactivated":
					mu.Lock()
					done++
					mu.Unlock()
				case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/staff/signin"):
					// deactivated before its own request was read
				default:
					t.Errorf("answer %d to %q", res.StatusCode, res.Header.Get("Location"))
				}
			})
		}
		wg.Wait()
		if done != 1 {
			t.Errorf("round %d: %d deactivations went through (answers %v), want 1", round, done, codes)
		}
		var active []staff.Account
		list, _ = fx.a.Staff.Accounts(ctx)
		for _, a := range list {
			if a.Active && a.Role == staff.Admin {
				active = append(active, a)
			}
		}
		if len(active) != 1 {
			t.Fatalf("round %d: %d active admins after (answers %v), want 1", round, len(active), codes)
		}
		if n := len(fx.entriesSince(before)); n != 1 {
			t.Errorf("round %d: %d audit entries, want 1", round, n)
		}
		// The survivor becomes the fixture's admin for the next round.
		fx.accounts[asAdmin] = active[0]
		fx.sessions[asAdmin] = sessions[0]
		if active[0].ID == admins[1].ID {
			fx.sessions[asAdmin] = sessions[1]
		}
	}
}

func TestAdminClinicianPages(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	admin := fx.accounts[asAdmin]
	ctx := context.Background()

	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/clinicians", ""))
	hours := map[string]bool{}
	for _, a := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A }) {
		hours[attr(a, "href")] = true
	}
	for _, id := range []int64{fx.clinA, fx.clinB} {
		if !hours[fmt.Sprintf("/staff/clinicians/%d/availability", id)] || !hours[fmt.Sprintf("/staff/admin/clinicians/%d", id)] {
			t.Errorf("clinician %d: no link to their page or their hours", id)
		}
	}

	before := fx.lastEntryID()
	bad := url.Values{"name": {"Dr. Jamie Lee"}, "email": {"jamie@"}, "timezone": {"Mars/Olympus"}, "video_link": {"http://insecure.example"},
		"address": {"4 Elm St\r\nFloor 2"}}
	res := fx.request(asAdmin, "POST", "/staff/admin/clinicians", bad.Encode())
	if res.StatusCode != unprocessable {
		t.Fatalf("invalid clinician: %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	for _, f := range []string{"email", "timezone", "offers", "video_link"} {
		if fieldError(doc, f) == "" {
			t.Errorf("no message next to %s", f)
		}
	}
	if valueOf(doc, "name") != "Dr. Jamie Lee" || valueOf(doc, "email") != "jamie@" || valueOf(doc, "video_link") != "http://insecure.example" ||
		valueOf(doc, "timezone") != "Mars/Olympus" || strings.TrimSpace(valueOf(doc, "address")) != "4 Elm St\nFloor 2" {
		t.Errorf("values not kept: %q %q %q %q %q", valueOf(doc, "name"), valueOf(doc, "email"), valueOf(doc, "video_link"),
			valueOf(doc, "timezone"), valueOf(doc, "address"))
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("a refused clinician wrote %d entries", n)
	}

	form := fx.clinicianForm()
	res = fx.request(asAdmin, "POST", "/staff/admin/clinicians", form.Encode())
	loc := expectRedirect(t, res, "/staff/admin/clinicians/")
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/staff/admin/clinicians/"), "?saved=created"), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %s", loc)
	}
	fx.expectOneEntry(t, before, admin, audit.ClinicianCreate, audit.TypeClinician, strconv.FormatInt(id, 10))
	cl, err := fx.a.Booking.Clinician(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Name != form.Get("name") || cl.TimeZone != "America/Chicago" || !cl.OffersIndividual || !cl.OffersCouple || !cl.Active ||
		cl.Address != "12 Main St\nSuite 3" || cl.VideoLink != "https://video.example/room" {
		t.Errorf("stored %+v", cl)
	}
	doc = parseHTML(t, fx.request(asAdmin, "GET", loc, ""))
	if !strings.Contains(textOf(doc), "The clinician was added.") || valueOf(doc, "name") != form.Get("name") {
		t.Error("the new clinician's page does not show it")
	}

	// Editing: the audit entry names what changed, never the values.
	page := fmt.Sprintf("/staff/admin/clinicians/%d", id)
	edit := url.Values{"name": {"Dr. Renamed Person"}, "email": {form.Get("email")}, "timezone": {"America/Chicago"}, "offers": {"couple"},
		"video_link": {"https://video.example/room"}, "address": {"12 Main St\r\nSuite 3"}}
	before = fx.lastEntryID()
	res = fx.request(asAdmin, "POST", page, edit.Encode())
	expectRedirect(t, res, page+"?saved=saved")
	e := fx.expectOneEntry(t, before, admin, audit.ClinicianUpdate, audit.TypeClinician, strconv.FormatInt(id, 10), "Renamed")
	if e.Detail != "changed name, offers, active" {
		t.Errorf("detail %q", e.Detail)
	}
	if cl, _ := fx.a.Booking.Clinician(ctx, id); cl.Name != "Dr. Renamed Person" || cl.OffersIndividual || !cl.OffersCouple || cl.Active {
		t.Errorf("after the edit %+v", cl)
	}
	doc = parseHTML(t, fx.request(asAdmin, "GET", page, ""))
	if valueOf(doc, "active") != "false" || valueOf(doc, "offers-couple") != "true" || valueOf(doc, "offers-individual") != "false" {
		t.Error("the edit form does not show the stored clinician")
	}
	before = fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", page, edit.Encode()), page)
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("saving without a change wrote %d entries", n)
	}
	edit.Set("email", "broken")
	res = fx.request(asAdmin, "POST", page, edit.Encode())
	if res.StatusCode != unprocessable || valueOf(parseHTML(t, res), "email") != "broken" {
		t.Errorf("invalid edit: %d", res.StatusCode)
	}
	if res := fx.request(asAdmin, "GET", "/staff/admin/clinicians/999999", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown clinician: %d", res.StatusCode)
	}
}

func TestAdminSettingsPage(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	admin := fx.accounts[asAdmin]
	ctx := context.Background()

	current, err := fx.a.Practice.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/settings", ""))
	if valueOf(doc, "name") != current.Name || valueOf(doc, "crisis_text") != practice.DefaultCrisisText {
		t.Errorf("the form does not show the current settings")
	}

	before := fx.lastEntryID()
	bad := url.Values{"name": {"  "}, "timezone": {"Nowhere/Else"}, "address": {"1 River Rd"}, "video_link": {"ftp://video"},
		"crisis_text": {" "}, "sender_name": {`Bad "Name" <x>`}}
	res := fx.request(asAdmin, "POST", "/staff/admin/settings", bad.Encode())
	if res.StatusCode != unprocessable {
		t.Fatalf("invalid settings: %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	for _, f := range []string{"name", "timezone", "video_link", "crisis_text", "sender_name"} {
		if fieldError(doc, f) == "" {
			t.Errorf("no message next to %s", f)
		}
	}
	if valueOf(doc, "address") != "1 River Rd" || valueOf(doc, "video_link") != "ftp://video" || valueOf(doc, "sender_name") != `Bad "Name" <x>` ||
		valueOf(doc, "timezone") != "Nowhere/Else" {
		t.Error("values not kept")
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused settings wrote %d entries", n)
	}

	res = fx.request(asAdmin, "POST", "/staff/admin/settings", settingsForm().Encode())
	expectRedirect(t, res, "/staff/admin/settings?saved=1")
	e := fx.expectOneEntry(t, before, admin, audit.SettingsUpdate, audit.TypeSettings, "1", "988", "River", "video.example")
	if e.Detail != "changed name, timezone, address, video_link, crisis_text, sender_name" {
		t.Errorf("detail %q", e.Detail)
	}
	st, err := fx.a.Practice.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := practice.Settings{Name: "Riverside Relational Therapy", TimeZone: "America/Denver", Address: "1 River Rd",
		VideoLink: "https://video.example/practice", CrisisText: "Call or text 988.\nIn danger now: call 911.", SenderName: "Riverside Therapy", Saved: true,
		CrisisResources: practice.DefaultCrisisResources(), ReminderLeads: practice.DefaultReminderLeads(),
		ChangeCutoffHours: practice.DefaultChangeCutoffHours, WaitlistHoldMinutes: practice.DefaultWaitlistHoldMinutes}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stored %+v", st)
	}
	doc = parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/settings?saved=1", ""))
	if !strings.Contains(textOf(doc), "The settings were saved.") || valueOf(doc, "crisis_text") != want.CrisisText {
		t.Error("the page after saving does not show the saved settings")
	}
	// The public pages show the new crisis text.
	if body := readBody(t, fx.request(asAnonymous, "GET", "/crisis", "")); !strings.Contains(body, "In danger now: call 911.") {
		t.Error("the crisis page does not show the new crisis text")
	}
	// Staff pages show times in the practice's zone.
	if text := textOf(parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/accounts", ""))); !strings.Contains(text, "MST") && !strings.Contains(text, "MDT") {
		t.Error("account dates are not in the practice's time zone")
	}
}

func TestAdminTokens(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	admin := fx.accounts[asAdmin]
	desk := fx.accounts[asFrontdesk]

	before := fx.lastEntryID()
	res := fx.request(asAdmin, "POST", "/staff/admin/tokens", url.Values{"account_id": {""}, "label": {"  "}}.Encode())
	if res.StatusCode != unprocessable {
		t.Fatalf("invalid token: %d", res.StatusCode)
	}
	doc := parseHTML(t, res)
	if fieldError(doc, "account_id") == "" || fieldError(doc, "label") == "" {
		t.Error("no messages next to the fields")
	}
	res = fx.request(asAdmin, "POST", "/staff/admin/tokens", url.Values{"account_id": {fmt.Sprint(desk.ID)}, "label": {strings.Repeat("x", 101)}}.Encode())
	if doc := parseHTML(t, res); res.StatusCode != unprocessable || valueOf(doc, "account_id") != fmt.Sprint(desk.ID) || valueOf(doc, "label") != strings.Repeat("x", 101) {
		t.Errorf("values not kept: %d", res.StatusCode)
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused tokens wrote %d entries", n)
	}

	res = fx.request(asAdmin, "POST", "/staff/admin/tokens", url.Values{"account_id": {fmt.Sprint(desk.ID)}, "label": {"Reporting script"}}.Encode())
	loc := expectRedirect(t, res, "/staff/admin/tokens/")
	doc = parseHTML(t, fx.send(fx.sessions[asAdmin], "GET", loc, "", false, revealCookie(t, res)))
	token := textOf(orEmpty(byID(doc, "secret")))
	if !strings.HasPrefix(token, "fs_") || !strings.Contains(textOf(doc), desk.Email) {
		t.Fatalf("token page shows %q", token)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/staff/admin/tokens/"), "/secret")
	fx.expectOneEntry(t, before, admin, audit.TokenCreate, audit.TypeToken, id, token, strings.TrimPrefix(token, "fs_"))
	if doc := parseHTML(t, fx.request(asAdmin, "GET", loc, "")); byID(doc, "secret") != nil {
		t.Error("the token is shown a second time")
	}

	// It works on the JSON API as the front desk, and its use is noted.
	api := func() int {
		req := httptest.NewRequest("GET", "/api/v1/intakes", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		fx.a.Echo.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := api(); code != http.StatusOK {
		t.Fatalf("the new token: %d", code)
	}
	tokenRow := func() *html.Node {
		doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/tokens", ""))
		for _, tr := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
			if strings.Contains(textOf(tr), "Reporting script") {
				return tr
			}
		}
		t.Fatal("the token is not listed")
		return nil
	}
	if row := textOf(tokenRow()); !strings.Contains(row, desk.Email) || strings.Contains(row, "Never") || strings.Contains(row, token) {
		t.Errorf("token row %q: want the account, a last use, no secret", row)
	}
	revoke := findAll(tokenRow(), func(n *html.Node) bool { return n.DataAtom == atom.Form })
	if len(revoke) != 1 || attr(revoke[0], "action") != "/staff/admin/tokens/"+id+"/revoke" {
		t.Fatal("no revoke button")
	}
	before = fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", "/staff/admin/tokens/"+id+"/revoke", ""), "/staff/admin/tokens?saved=revoked")
	fx.expectOneEntry(t, before, admin, audit.TokenRevoke, audit.TypeToken, id, token)
	if code := api(); code != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d", code)
	}
	if row := textOf(tokenRow()); !strings.Contains(row, "Revoked") {
		t.Errorf("token row %q does not say it is revoked", row)
	}
	// Revoking again changes nothing.
	before = fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", "/staff/admin/tokens/"+id+"/revoke", ""), "/staff/admin/tokens")
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("a second revocation wrote %d entries", n)
	}
}

func TestAdminRetriesAFailedEmail(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	admin := fx.accounts[asAdmin]
	id := fx.failedEmail()

	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/emails", ""))
	rows := findAll(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Tr && len(findAll(n, func(c *html.Node) bool { return c.DataAtom == atom.Td })) > 0
	})
	if len(rows) != 1 {
		t.Fatalf("%d failed emails listed, want 1", len(rows))
	}
	text := textOf(rows[0])
	for _, want := range []string{"@client.example", "Your consultation", "The recipient's address does not exist.", "550", "mailbox unavailable"} {
		if !strings.Contains(text, want) {
			t.Errorf("failed email row %q lacks %q", text, want)
		}
	}
	if strings.Contains(textOf(doc), "See you soon") {
		t.Error("the page shows the email's body")
	}
	status := func() string {
		var s string
		fx.a.DB.Table("outbox_messages").Where("id = ?", id).Pluck("status", &s)
		return s
	}
	if s := status(); s != outbox.StatusFailed {
		t.Fatalf("status %s before the retry", s)
	}

	before := fx.lastEntryID()
	expectRedirect(t, fx.request(asAdmin, "POST", fmt.Sprintf("/staff/admin/emails/%d/retry", id), ""), "/staff/admin/emails?saved=retry")
	if s := status(); s != outbox.StatusPending {
		t.Errorf("status %s after the retry, want pending", s)
	}
	fx.expectOneEntry(t, before, admin, audit.EmailRetry, audit.TypeEmail, strconv.FormatInt(id, 10), "@client.example", "Your consultation")
	doc = parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/emails?saved=retry", ""))
	if !strings.Contains(textOf(doc), "queued again") || !strings.Contains(textOf(doc), "No failed emails.") {
		t.Error("after the retry the page does not say so")
	}

	// A second retry (from a stale page) is refused with the reason.
	before = fx.lastEntryID()
	res := fx.request(asAdmin, "POST", fmt.Sprintf("/staff/admin/emails/%d/retry", id), "")
	if res.StatusCode != http.StatusConflict || !strings.Contains(textOf(parseHTML(t, res)), "has not failed") {
		t.Errorf("second retry: %d", res.StatusCode)
	}
	if res := fx.request(asAdmin, "POST", "/staff/admin/emails/999999/retry", ""); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown email: %d", res.StatusCode)
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused retries wrote %d entries", n)
	}
	// The worker now delivers it.
	if n, err := fx.a.Mail.RunOnce(context.Background()); err != nil || n != 1 {
		t.Errorf("worker sent %d (%v), want 1", n, err)
	}
	if s := status(); s != outbox.StatusSent {
		t.Errorf("status %s after the worker ran", s)
	}
}

func TestAuditLogPage(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	ctx := context.Background()
	desk := fx.accounts[asFrontdesk]
	intakeID := fx.submit("Audit Subject", "private words", 0)
	fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", intakeID), "")
	for range 60 {
		fx.signIn(asClinician)
	}
	if _, _, err := fx.a.Sessions.SignIn(ctx, staff.Credentials{Email: "nobody@practice.example", Password: "wrong password here"}, "198.51.100.7", ""); err == nil {
		t.Fatal("unknown account signed in")
	}

	type row struct{ who, action, record, href, ip string }
	rowsOf := func(doc *html.Node) []row {
		var out []row
		for _, tr := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
			tds := findAll(tr, func(n *html.Node) bool { return n.DataAtom == atom.Td })
			if len(tds) != 6 {
				continue
			}
			href := ""
			if a := findAll(tds[3], func(n *html.Node) bool { return n.DataAtom == atom.A }); len(a) == 1 {
				href = attr(a[0], "href")
			}
			out = append(out, row{who: textOf(tds[1]), action: textOf(tds[2]), record: textOf(tds[3]), href: href, ip: textOf(tds[4])})
		}
		return out
	}

	// Newest first; each row says who, what, which record, from where.
	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/audit", ""))
	rows := rowsOf(doc)
	if len(rows) != 50 {
		t.Fatalf("%d rows on the first page, want 50", len(rows))
	}
	if rows[0].action != "Sign-in refused" || rows[0].who != "nobody signed in" || rows[0].ip != "198.51.100.7" {
		t.Errorf("newest row %+v", rows[0])
	}

	// Filters, and paging through them with the "older" link.
	var seen []row
	next := "/staff/admin/audit?" + url.Values{"action": {audit.SignIn}, "actor": {fx.accounts[asClinician].Email}}.Encode()
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		doc := parseHTML(t, fx.request(asAdmin, "GET", next, ""))
		seen = append(seen, rowsOf(doc)...)
		next = ""
		for _, a := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "rel") == "next" }) {
			next = attr(a, "href")
		}
		if next != "" && !strings.Contains(next, "before=") || next != "" && !strings.Contains(next, "action=staff.signin") {
			t.Errorf("older link %q does not keep the filter", next)
		}
	}
	if len(seen) != 61 { // the fixture's own sign-in and 60 more
		t.Errorf("%d sign-ins of the clinician over all pages, want 61", len(seen))
	}
	for _, r := range seen {
		if r.action != "Signed in" || r.who != fx.accounts[asClinician].Email {
			t.Errorf("filtered row %+v", r)
		}
	}
	// By record, with a link to the record.
	doc = parseHTML(t, fx.request(asAdmin, "GET", fmt.Sprintf("/staff/admin/audit?record_type=intake&record_id=%d&actor=%d", intakeID, desk.ID), ""))
	rows = rowsOf(doc)
	if len(rows) != 1 || rows[0].action != "Viewed a request" || rows[0].record != fmt.Sprintf("Request %d", intakeID) ||
		rows[0].href != fmt.Sprintf("/staff/intakes/%d", intakeID) {
		t.Errorf("intake rows %+v", rows)
	}
	if strings.Contains(textOf(doc), "private words") || strings.Contains(textOf(doc), "Audit Subject") {
		t.Error("the audit log shows intake content")
	}
	// By date, in the practice's time zone.
	zone, _ := time.LoadLocation(practice.Defaults().TimeZone)
	today := fx.clock.Now().In(zone).Format("2006-01-02")
	tomorrow := fx.clock.Now().In(zone).AddDate(0, 0, 1).Format("2006-01-02")
	if rows := rowsOf(parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/audit?action=intake.view&from="+today+"&to="+today, ""))); len(rows) != 1 {
		t.Errorf("today: %d rows", len(rows))
	}
	if rows := rowsOf(parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/audit?action=intake.view&from="+tomorrow, ""))); len(rows) != 0 {
		t.Errorf("from tomorrow: %d rows", len(rows))
	}
	// Mistakes in the filter are explained next to the field, kept as typed.
	res := fx.request(asAdmin, "GET", "/staff/admin/audit?from=last+week&actor=ghost%40practice.example", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("bad filter: %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	if fieldError(doc, "from") == "" || fieldError(doc, "actor") == "" || valueOf(doc, "from") != "last week" || valueOf(doc, "actor") != "ghost@practice.example" {
		t.Error("filter mistakes are not explained")
	}
	if rows := rowsOf(doc); len(rows) != 0 {
		t.Errorf("an unknown actor matches %d rows", len(rows))
	}
}

// The audit log never holds a secret: run every admin action and look at
// every column of every entry.
func TestAdminAuditHoldsNoSecrets(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	var secrets []string
	res := fx.request(asAdmin, "POST", "/staff/admin/accounts", "email=new%40practice.example&role=frontdesk")
	doc := parseHTML(t, fx.send(fx.sessions[asAdmin], "GET", res.Header.Get("Location"), "", false, revealCookie(t, res)))
	secrets = append(secrets, textOf(byID(doc, "secret")))
	res = fx.request(asAdmin, "POST", "/staff/admin/tokens", fmt.Sprintf("account_id=%d&label=Secretless", fx.accounts[asFrontdesk].ID))
	doc = parseHTML(t, fx.send(fx.sessions[asAdmin], "GET", res.Header.Get("Location"), "", false, revealCookie(t, res)))
	secrets = append(secrets, textOf(byID(doc, "secret")))
	fx.request(asAdmin, "POST", "/staff/admin/settings", settingsForm().Encode())
	secrets = append(secrets, "Call or text 988", staffPassword)
	fx.request(asFrontdesk, "POST", "/staff/password", url.Values{"current_password": {staffPassword}, "new_password": {"another secret passphrase"},
		"confirm_password": {"another secret passphrase"}}.Encode())
	secrets = append(secrets, "another secret passphrase")

	all, err := fx.a.Audit.List(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range all {
		actions[e.Action] = true
		for _, s := range secrets {
			for _, col := range []string{e.ActorEmail, e.Action, e.RecordType, e.RecordID, e.IP, e.Detail} {
				if s == "" || strings.Contains(col, s) {
					t.Errorf("entry %+v holds secret %q", e, s)
				}
			}
		}
	}
	for _, a := range []string{audit.AccountCreate, audit.TokenCreate, audit.SettingsUpdate, audit.AccountPasswordChange} {
		if !actions[a] {
			t.Errorf("no %s entry", a)
		}
	}
}
