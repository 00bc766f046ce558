package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
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
