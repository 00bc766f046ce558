package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/firststep/firststep/internal/staff"
)

// EmulateTimeZone makes the browser report zone as its own, as a person's
// computer set to that zone does.
func (b *Browser) EmulateTimeZone(zone string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	})); err != nil {
		b.fatalf("emulate time zone %s: %v", zone, err)
	}
}

// The request form preselects the browser's own time zone, and a form sent
// back with a mistake keeps it.
func TestRequestFormPreselectsBrowserTimeZone(t *testing.T) {
	t.Parallel()
	s := StartServer(t, nil)
	b := NewBrowser(t, s)
	for _, zone := range []string{"America/Chicago", "Pacific/Chatham"} {
		b.EmulateTimeZone(zone)
		if status := b.Visit("/request/individual"); status != 200 {
			t.Fatalf("form: %d", status)
		}
		if got := b.Value("Your time zone"); got != zone {
			t.Errorf("time zone preselected %q, want the browser's %q", got, zone)
		}
	}
	b.Fill("Your name", "Jo")
	if status := b.Press("Send my request"); status != 422 {
		t.Fatalf("form without email: %d, want 422", status)
	}
	if got := b.Value("Your time zone"); got != "Pacific/Chatham" {
		t.Errorf("after a mistake the time zone is %q, want the one sent", got)
	}
}

// The couple's partner link has a copy button that copies it and says so;
// the link stands at the top of the page after the request.
func TestPartnerLinkCopyButton(t *testing.T) {
	t.Parallel()
	s := StartServer(t, nil)
	b := NewBrowser(t, s)
	// Let the page write to (and the test read) the clipboard, as a person's
	// click allows.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
			_, err := cdp.Call(ctx, tab, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true}, Setting: "granted", Origin: s.URL})
			return err
		})); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	path := coupleRequest(t, b, s)
	link := s.URL + path
	// At the top: before the time-zone choice and the times.
	if !Eval[bool](b, `(function () {
  const link = document.querySelector(".partner-link"), form = document.querySelector("main form");
  return !!link && !!form && !!(link.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
})()`) {
		t.Error("the partner link is not above the time choice")
	}
	if !Eval[bool](b, `(function () { const b = document.querySelector("button[data-copy=partner-link]"); return !!b && !b.hidden && b.offsetParent !== null; })()`) {
		t.Fatal("no visible copy button")
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("button[data-copy=partner-link]"))); err != nil {
		t.Fatalf("click the copy button: %v", err)
	}
	said, err := evalAwait[string](b, `new Promise((resolve, reject) => {
  const status = document.getElementById("partner-link-status");
  if (status.textContent) { resolve(status.textContent); return; }
  new MutationObserver(() => resolve(status.textContent)).observe(status, {childList: true, characterData: true, subtree: true});
})`)
	if err != nil {
		t.Fatalf("waiting for the copy button to answer: %v", err)
	}
	if !strings.HasPrefix(said, "Link copied.") {
		t.Errorf("after copying the page says %q", said)
	}
	copied, err := evalAwait[string](b, `navigator.clipboard.readText()`)
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	if copied != link {
		t.Errorf("clipboard holds %q, want %q", copied, link)
	}
	b.CheckAccessibility(axeSource(t), "the picker with the partner link")
}

// The settings page with its crisis lines, and the page where a new
// colleague chooses a password, have every field labelled and no serious
// accessibility violation; saving the settings unchanged keeps the lines.
func TestSettingsAndFirstPasswordPagesAccessibility(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	s := StartStaffServer(t)
	admin := AddStaffAccount(t, s, staff.Admin, "Ada Admin", nil)
	b := NewBrowser(t, s)
	b.StaffSignIn(admin)
	if status := b.Visit("/staff/admin/settings"); status != 200 {
		t.Fatalf("settings page: %d", status)
	}
	b.CheckAccessibility(axe, "the practice settings page")
	if status := b.Press("Save settings"); status != 200 {
		t.Fatalf("saving the settings: %d", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "The settings were saved.") {
		t.Fatalf("after saving: %q", got)
	}
	st, err := s.App.Practice.Get(context.Background())
	if err != nil || len(st.CrisisResources) != 4 || st.CrisisResources[0].Phone != "988" {
		t.Errorf("crisis lines after saving the page unchanged: %+v (%v)", st.CrisisResources, err)
	}

	if _, err := s.App.Staff.Add(context.Background(), staff.NewAccount{Email: "new@practice.test", Name: "New Colleague",
		Role: staff.Frontdesk, Password: staffPassword, MustChangePassword: true}); err != nil {
		t.Fatal(err)
	}
	newcomer := NewBrowser(t, s)
	newcomer.Visit("/staff/signin")
	newcomer.Fill("Email", "new@practice.test")
	newcomer.Fill("Password", staffPassword)
	newcomer.Press("Sign in")
	if p := newcomer.Path(); p != "/staff/password" {
		t.Fatalf("a one-time password leads to %s, want /staff/password", p)
	}
	if got := newcomer.Value("Your account"); got != "new@practice.test" {
		t.Errorf("account field reads %q", got)
	}
	newcomer.CheckAccessibility(axe, "the first-password page")
}
