package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/staff"
)

// browser sends requests with a jar of the cookies the server set, as a
// browser does, and in its forms the CSRF token its pages carry.
type browser struct {
	fx      *staffFixture
	cookies map[string]string
}

func newBrowser(fx *staffFixture, session string) *browser {
	return &browser{fx: fx, cookies: map[string]string{staff.SessionCookie: session, "_csrf": testCSRF}}
}

func (b *browser) do(method, path string, form url.Values) *http.Response {
	b.fx.t.Helper()
	var req *http.Request
	if form != nil {
		token := b.cookies["_csrf"] // the double-submit cookie's, without a session
		if s := b.cookies[staff.SessionCookie]; s != "" {
			token = csrfFor(path, s) // the staff pages bind it to the session
		}
		form.Set("_csrf", token)
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = "192.0.2.202:50000"
	for k, v := range b.cookies {
		if v != "" {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
	}
	rec := httptest.NewRecorder()
	b.fx.a.Echo.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode >= 500 {
		b.fx.t.Errorf("%s %s answered %d", method, path, res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return res
}

func noteBox(t *testing.T, res *http.Response) string {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("intake page = %d", res.StatusCode)
	}
	return textOf(byID(parseHTML(t, res), "f-body"))
}

// A note sent after the idle timeout is not lost: sign-in, then back to
// the intake with the note in the box; kept on the server, never in the
// URL, for the account that wrote it only, and only for a while.
func TestNoteSurvivesAnEndedSession(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	id := fx.submit("Jamie Client", "", 0)
	page := fmt.Sprintf("/staff/intakes/%d", id)
	const note = "Called Jamie: prefers evenings.\nWill call back Thursday — 10% chance of travel."

	write := func(b *browser) *http.Response {
		t.Helper()
		if res := b.do("GET", page, nil); res.StatusCode != http.StatusOK {
			t.Fatalf("open intake = %d", res.StatusCode)
		}
		fx.clock.Advance(31 * time.Minute) // writing takes longer than the idle timeout
		return b.do("POST", page+"/notes", url.Values{"body": {note}})
	}
	signIn := func(b *browser, role, next string) *http.Response {
		t.Helper()
		return b.do("POST", "/staff/signin", url.Values{"email": {fx.accounts[role].Email}, "password": {staffPassword}, "next": {next}})
	}

	b := newBrowser(fx, fx.signIn(asFrontdesk))
	res := write(b)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || loc != "/staff/signin?next="+url.QueryEscape(page) {
		t.Fatalf("note after the timeout: %d to %q, want sign-in and back to the intake", res.StatusCode, loc)
	}
	if strings.Contains(loc, "Thursday") || strings.Contains(loc, "Called") {
		t.Errorf("the note is in the URL: %q", loc)
	}
	if b.cookies[staff.DraftCookie] == "" {
		t.Fatal("no draft cookie")
	}
	var saved int64
	fx.a.DB.Table("intake_notes").Where("intake_id = ?", id).Count(&saved)
	if saved != 0 {
		t.Errorf("%d notes saved without a session", saved)
	}
	signin := b.do("GET", "/staff/signin?next="+url.QueryEscape(page), nil)
	if textOf(byID(parseHTML(t, signin), "draft-kept")) == "" {
		t.Error("the sign-in page does not say the note is kept")
	}
	res = signIn(b, asFrontdesk, page)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	restored := b.do("GET", page, nil)
	doc := parseHTML(t, restored)
	if box := byID(doc, "f-body"); box == nil || box.FirstChild == nil || box.FirstChild.Data != note {
		t.Errorf("note box holds %q, want exactly %q", textOf(box), note)
	}
	if textOf(byID(doc, "note-restored")) == "" {
		t.Error("the page does not say the note was restored")
	}
	if b.cookies[staff.DraftCookie] != "" {
		t.Error("the draft cookie is not cleared once the note is restored")
	}
	if got := noteBox(t, b.do("GET", page, nil)); got != "" {
		t.Errorf("the note is restored twice: %q", got)
	}
	// Sending it now saves it.
	if res := b.do("POST", page+"/notes", url.Values{"body": {note}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add note = %d", res.StatusCode)
	}
	fx.a.DB.Table("intake_notes").Where("intake_id = ? AND body = ?", id, note).Count(&saved)
	if saved != 1 {
		t.Errorf("%d notes saved, want 1", saved)
	}

	t.Run("someone else signing in on that browser does not get it", func(t *testing.T) {
		b := newBrowser(fx, fx.signIn(asFrontdesk))
		write(b)
		signIn(b, asAdmin, page)
		if got := noteBox(t, b.do("GET", page, nil)); got != "" {
			t.Errorf("another account sees the note: %q", got)
		}
		signIn(b, asFrontdesk, page)
		if got := noteBox(t, b.do("GET", page, nil)); got != strings.Join(strings.Fields(note), " ") {
			t.Errorf("its author, signing in next, gets %q", got)
		}
	})

	t.Run("a draft expires", func(t *testing.T) {
		b := newBrowser(fx, fx.signIn(asFrontdesk))
		write(b)
		fx.clock.Advance(2 * time.Hour)
		signIn(b, asFrontdesk, page)
		if got := noteBox(t, b.do("GET", page, nil)); got != "" {
			t.Errorf("a draft two hours old is restored: %q", got)
		}
		if b.cookies[staff.DraftCookie] != "" {
			t.Error("the expired draft's cookie is not cleared")
		}
	})

	t.Run("without any session nothing is kept", func(t *testing.T) {
		b := newBrowser(fx, "")
		res := b.do("POST", page+"/notes", url.Values{"body": {note}})
		if res.StatusCode != http.StatusSeeOther || b.cookies[staff.DraftCookie] != "" {
			t.Errorf("anonymous note: %d, draft cookie %q", res.StatusCode, b.cookies[staff.DraftCookie])
		}
	})
}
