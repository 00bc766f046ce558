// Package e2e drives Debian's Chromium through the real Firststep server,
// the way a person uses it: reading labels, typing, clicking.
//
// The tests need a Chromium binary: FIRSTSTEP_CHROMIUM, /usr/bin/chromium or
// chromium on PATH. Without one they skip and say so. When a test fails, a
// screenshot and the page's HTML are kept under FIRSTSTEP_E2E_ARTIFACTS (or
// a new folder in the system's temporary folder) and the path is logged.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/config"
)

// testTimeout bounds everything one test does in the browser.
const testTimeout = 60 * time.Second

// Server is a running Firststep on a fresh SQLite database.
type Server struct {
	URL string
	App *app.App
	log *syncBuffer
}

// StartServer starts the real server on 127.0.0.1 with a random port and a
// data folder of its own. env adds configuration variables (FIRSTSTEP_…).
// The server stops when the test ends; the test fails if it logged an error.
func StartServer(t *testing.T, env map[string]string) *Server {
	t.Helper()
	return StartServerWith(t, env, app.Options{})
}

// StartServerWith is StartServer with the app's test seams (clock, mail
// worker timings) set by opts.
func StartServerWith(t *testing.T, env map[string]string, opts app.Options) *Server {
	t.Helper()
	vars := map[string]string{"FIRSTSTEP_DATA": t.TempDir(), "FIRSTSTEP_ADDR": "127.0.0.1:0"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, _, err := config.Parse("serve", nil, func(k string) string { return vars[k] }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr

	s := &Server{URL: cfg.BaseURL, log: &syncBuffer{}}
	logger := slog.New(slog.NewJSONHandler(s.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, opts)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("start app: %v", err)
	}
	s.App = a
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with: %v", err)
			}
		case <-time.After(25 * time.Second):
			t.Errorf("server did not stop within 25s")
		}
		a.Close()
		for _, line := range s.errorLines() {
			t.Errorf("server logged an error: %s", line)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	return s
}

// errorLines are the server's log lines at level ERROR.
func (s *Server) errorLines() []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s.log.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var entry struct{ Level string }
		if json.Unmarshal(sc.Bytes(), &entry) == nil && entry.Level == "ERROR" {
			out = append(out, sc.Text())
		}
	}
	return out
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// chromium finds the browser, or skips the test with a message that says
// how to get one.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FIRSTSTEP_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("FIRSTSTEP_CHROMIUM=%s: %v", p, err)
		}
		return path
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("browser tests need Chromium: apt-get install chromium")
	return ""
}

// Browser is one headless Chromium with one tab, pointed at a Server.
type Browser struct {
	t    *testing.T
	base string
	tab  context.Context // lives as long as the browser
	ctx  context.Context // the tab with the test's deadline
}

// NewBrowser starts a fresh headless Chromium (its own profile, no network
// chatter of its own) for s. It closes when the test ends; if the test
// failed, a screenshot is kept first.
func NewBrowser(t *testing.T, s *Server) *Browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})

	// The first run starts the browser; it may not carry a deadline (that
	// would end the browser), so the wait for it is bounded here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(tab) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Chromium did not start within 30s")
	}

	ctx, cancel := context.WithTimeout(tab, testTimeout)
	t.Cleanup(cancel)
	b := &Browser{t: t, base: s.URL, tab: tab, ctx: ctx}
	t.Cleanup(b.keepEvidence)
	return b
}

// keepEvidence saves a screenshot and the HTML of the page when the test
// failed. They go to a folder that outlives the test, so that they can be
// looked at afterwards.
func (b *Browser) keepEvidence() {
	if !b.t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	dir := os.Getenv("FIRSTSTEP_E2E_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "firststep-e2e-"); err != nil {
			b.t.Logf("no folder for the screenshot: %v", err)
			return
		}
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(b.t.Name(), "_")
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		path := filepath.Join(dir, name+".png")
		if err := os.WriteFile(path, png, 0o644); err == nil {
			b.t.Logf("screenshot of the failed test: %s", path)
		}
	} else {
		b.t.Logf("no screenshot: %v", err)
	}
	if page, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		path := filepath.Join(dir, name+".html")
		if err := os.WriteFile(path, []byte(page), 0o644); err == nil {
			b.t.Logf("HTML of the failed test: %s", path)
		}
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("the browser was at %s", loc)
	}
}

func (b *Browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf(format, args...)
}

// Visit opens path and returns the HTTP status of the page.
func (b *Browser) Visit(path string) int64 {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.fatalf("visit %s: %v", path, err)
	}
	if res == nil {
		b.fatalf("visit %s: no page loaded", path)
	}
	b.settle()
	return res.Status
}

// settle waits until the page has loaded and stayed at one address for a
// few polls, so that a page that moves on by itself (a form that submits
// on load) has done so before the test looks at it.
func (b *Browser) settle() {
	b.t.Helper()
	const js = `document.readyState === "complete" ? location.href : ""`
	last, same := "", 0
	for same < 3 {
		href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
		if err != nil {
			// A navigation replaced the page mid-question; ask again.
			if b.ctx.Err() != nil {
				b.fatalf("wait for the page to settle: %v", err)
			}
			href = ""
		}
		if href != "" && href == last {
			same++
		} else {
			last, same = href, 0
		}
		select {
		case <-b.ctx.Done():
			b.fatalf("wait for the page to settle: %v", b.ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Path is the path of the page the browser shows.
func (b *Browser) Path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// findControl returns the ids of the form controls of the given kinds
// ("text", "select", "checkbox", "radio") whose label reads label. The
// label's "(optional)" note does not count; an exact match wins over a
// label that starts with label. "#id" names a control by its id.
const findControl = `(function (label, kinds) {
  const norm = s => s.replace(/\s+/g, " ").trim();
  const kindOf = c => c.tagName === "SELECT" ? "select" : c.tagName === "TEXTAREA" ? "text" :
    (c.type === "checkbox" || c.type === "radio") ? c.type : "text";
  if (label.startsWith("#")) {
    const c = document.getElementById(label.slice(1));
    return c && kinds.includes(kindOf(c)) ? [c.id] : [];
  }
  const own = l => { const c = l.cloneNode(true); c.querySelectorAll(".optional").forEach(e => e.remove()); return norm(c.textContent); };
  const labels = [...document.querySelectorAll("label")].filter(l => l.control && kinds.includes(kindOf(l.control)));
  let found = labels.filter(l => own(l) === label);
  if (found.length === 0) { found = labels.filter(l => own(l).startsWith(label)); }
  return found.map(l => l.control.id);
})`

func (b *Browser) control(label string, kinds ...string) string {
	b.t.Helper()
	args, _ := json.Marshal([]any{label, kinds})
	expr := findControl + "(..." + string(args) + ")"
	ids, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		b.fatalf("find %q: %v", label, err)
	}
	switch len(ids) {
	case 0:
		b.fatalf("no %s field labelled %q on %s", strings.Join(kinds, " or "), label, b.Path())
	case 1:
		if ids[0] == "" {
			b.fatalf("the field labelled %q has no id", label)
		}
		return ids[0]
	}
	b.fatalf("%d fields labelled %q (%v); name one by #id", len(ids), label, ids)
	return ""
}

// Fill types text into the text field or text area labelled label.
func (b *Browser) Fill(label, text string) {
	b.t.Helper()
	id := b.control(label, "text")
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		b.fatalf("type into %q: %v", label, err)
	}
}

// Replace selects what the field labelled label holds and types text over
// it, as a person correcting a mistake does.
func (b *Browser) Replace(label, text string) {
	b.t.Helper()
	id := b.control(label, "text")
	sel := fmt.Sprintf("document.getElementById(%q).select()", id)
	if err := chromedp.Do(b.ctx,
		chromedp.Focus(chromedp.ID(id)),
		chromedp.Evaluate[chromedp.Void](sel),
		chromedp.SendKeys(chromedp.ID(id), text),
	); err != nil {
		b.fatalf("replace %q: %v", label, err)
	}
	if got := b.Value("#" + id); got != text {
		b.fatalf("after replacing, %q holds %q, want %q", label, got, text)
	}
}

// Check ticks the checkbox labelled label (it must not be ticked yet).
func (b *Browser) Check(label string) {
	b.t.Helper()
	b.clickControl(label, "checkbox")
}

// Choose picks the radio button labelled label.
func (b *Browser) Choose(label string) {
	b.t.Helper()
	b.clickControl(label, "radio")
}

func (b *Browser) clickControl(label, kind string) {
	b.t.Helper()
	id := b.control(label, kind)
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		b.fatalf("click %q: %v", label, err)
	}
	if !b.Checked("#" + id) {
		b.fatalf("%q is not checked after clicking it", label)
	}
}

// Checked reports whether the checkbox or radio labelled label is checked.
func (b *Browser) Checked(label string) bool {
	b.t.Helper()
	id := b.control(label, "checkbox", "radio")
	v, err := chromedp.Run(b.ctx, chromedp.JavascriptAttribute[bool](chromedp.ID(id), "checked"))
	if err != nil {
		b.fatalf("read %q: %v", label, err)
	}
	return v
}

// Value is what the field labelled label holds now.
func (b *Browser) Value(label string) string {
	b.t.Helper()
	id := b.control(label, "text", "select")
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		b.fatalf("read %q: %v", label, err)
	}
	return v
}

// Select chooses the option with the given text or value in the list
// labelled label, and tells the page it changed, as choosing with the
// mouse or keyboard does.
func (b *Browser) Select(label, option string) {
	b.t.Helper()
	id := b.control(label, "select")
	js := fmt.Sprintf(`(function (id, want) {
  const s = document.getElementById(id);
  const o = [...s.options].find(o => o.value === want || o.text.trim() === want);
  if (!o) { return false; }
  s.focus();
  s.value = o.value;
  s.dispatchEvent(new Event("input", {bubbles: true}));
  s.dispatchEvent(new Event("change", {bubbles: true}));
  return true;
})(%q, %q)`, id, option)
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		b.fatalf("choose %q in %q: %v", option, label, err)
	}
	if !ok {
		b.fatalf("the list %q has no option %q", label, option)
	}
}

// xpathText is s as an XPath string literal.
func xpathText(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "concat(\"" + strings.ReplaceAll(s, `"`, `", '"', "`) + "\")"
}

// Press clicks the button that reads text and waits for the next page; it
// returns that page's HTTP status.
func (b *Browser) Press(text string) int64 {
	b.t.Helper()
	return b.navigateBy(fmt.Sprintf(`//button[normalize-space(.)=%s]`, xpathText(text)), "button "+text)
}

// Follow clicks the link whose text contains text and waits for the next
// page; it returns that page's HTTP status.
func (b *Browser) Follow(text string) int64 {
	b.t.Helper()
	return b.navigateBy(fmt.Sprintf(`//a[contains(normalize-space(.), %s)]`, xpathText(text)), "link "+text)
}

func (b *Browser) navigateBy(xpath, what string) int64 {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, xpath)))
	if err != nil {
		b.fatalf("find %s: %v", what, err)
	}
	if n != 1 {
		b.fatalf("%d elements match %s on %s, want 1", n, what, b.Path())
	}
	res, err := chromedp.RunResponse(b.ctx, chromedp.Click(xpath))
	if err != nil {
		b.fatalf("click %s: %v", what, err)
	}
	if res == nil {
		b.fatalf("click %s: no page loaded", what)
	}
	b.settle()
	return res.Status
}

// Text is the visible text of the first element that matches the CSS
// selector, waiting until it is visible.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(css))); err != nil {
		b.fatalf("wait for %s: %v", css, err)
	}
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fatalf("read %s: %v", css, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// Eval runs a JavaScript expression in the page and decodes its value.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// FormState is what the page's form would send now, name by name.
func (b *Browser) FormState(css string) map[string][]string {
	b.t.Helper()
	return Eval[map[string][]string](b, fmt.Sprintf(`(function () {
  const out = {};
  for (const [k, v] of new FormData(document.querySelector(%q))) { (out[k] = out[k] || []).push(v); }
  return out;
})()`, css))
}

// eventually checks cond, a condition nothing signals (a page that must be
// reloaded to show a change), every 100 ms until it holds, and fails the
// test after 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("after 20s, still waiting for %s", what)
		}
	}
}
