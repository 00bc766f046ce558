package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeTags are the rule sets the public pages are held to: WCAG 2.2 AA and
// everything below it.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeStrict are rules outside those tags that fail the test at any impact:
// a role that overrides an element's own (<a role="listitem">) hides what
// it is from a screen reader, though axe rates it minor.
var axeStrict = []string{"aria-allowed-role"}

// axeSource reads axe-core: FIRSTSTEP_AXE names axe.min.js, or it is
// e2e/node_modules/axe-core/axe.min.js as `npm ci` in e2e/ installs it.
// Without it the test skips and says how to get it.
func axeSource(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("FIRSTSTEP_AXE"); path != "" {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("FIRSTSTEP_AXE: %v", err)
		}
		return string(src)
	}
	src, err := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Skipf("ACCESSIBILITY NOT CHECKED: axe-core is not installed (%v). Install it with: (cd e2e && npm ci), or set FIRSTSTEP_AXE to an axe.min.js", err)
	}
	return string(src)
}

// axeViolation is one failed rule and the elements that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// CheckAccessibility runs axe-core on the page the browser shows and fails
// the test for every serious or critical violation, naming the rule and
// the elements. Lesser ones are logged.
func (b *Browser) CheckAccessibility(axe, page string) {
	b.t.Helper()
	const maxNodes = 5 // elements named per rule; the rest are counted
	if !Eval[bool](b, `typeof window.axe === "object"`) {
		Eval[bool](b, axe+"\n;true")
	}
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	strict := map[string]bool{}
	rules := ""
	for _, id := range axeStrict {
		strict[id] = true
		rules += `"` + id + `": {enabled: true},`
	}
	js := `axe.run(document, {runOnly: {type: "tag", values: ` + tags + `}, rules: {` + rules + `}}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help,
  nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html, summary: n.failureSummary || ""})),
})))`
	violations, err := evalAwait[[]axeViolation](b, js)
	if err != nil {
		b.fatalf("axe on %s: %v", page, err)
	}
	for _, v := range violations {
		var nodes []string
		for i, n := range v.Nodes {
			if i == maxNodes {
				nodes = append(nodes, fmt.Sprintf("    … and %d more", len(v.Nodes)-maxNodes))
				break
			}
			nodes = append(nodes, fmt.Sprintf("    %s\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      ")))
		}
		report := fmt.Sprintf("%s: %s (%s): %s\n%s", page, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n"))
		if v.Impact == "serious" || v.Impact == "critical" || strict[v.ID] {
			b.t.Errorf("accessibility violation on %s", report)
		} else {
			b.t.Logf("lesser accessibility issue on %s", report)
		}
	}
}

// The public pages, as a person reaches them, have no serious or critical
// WCAG 2.2 AA violations that axe-core can find.
func TestPublicPagesAccessibility(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	s, _ := StartBookingServer(t)
	b := NewBrowser(t, s)
	check := func(page string, wantStatus int64, status int64) {
		t.Helper()
		if status != wantStatus {
			t.Errorf("%s: status %d, want %d", page, status, wantStatus)
		}
		b.CheckAccessibility(axe, page)
	}

	for _, path := range []string{"/", "/request/individual", "/request/couple", "/crisis", "/privacy"} {
		check(path, 200, b.Visit(path))
	}

	b.Visit("/request/couple")
	check("the couple form with errors", 422, b.Press("Send my request"))
	if n := Eval[int](b, `document.querySelectorAll(".field-error").length`); n == 0 {
		t.Error("the empty couple form came back without error messages")
	}

	b.Visit("/request/individual")
	b.Fill("Your name", "Jo")
	b.Fill("Your email", "jo@example.org")
	b.Choose("Yes")
	b.Check("I have read the privacy notice")
	check("the support page", 200, b.Press("Send my request"))
	token(t, b.Path(), "/support")

	check("the slot picker", 200, b.Follow("Continue"))
	if n := len(b.PickerDays()); n == 0 {
		t.Error("the picker shows no times to check")
	}
	check("the manage page", 200, b.PressSlot(2, 1))
	manage := b.Path()
	if !regexp.MustCompile(`^/bookings/[A-Za-z0-9_-]{20,}$`).MatchString(manage) {
		t.Fatalf("after booking the browser is at %s", manage)
	}
	// Inside the practice's change cut-off the page says how to reach the
	// practice instead of offering to change it.
	setChangeCutoff(t, s, 720)
	check("the manage page inside the change cut-off", 200, b.Visit(manage))
	if got := b.Text("#change-closed"); !strings.Contains(got, "please contact Riverbend Therapy") {
		t.Errorf("inside the cut-off the manage page says %q", got)
	}
	setChangeCutoff(t, s, 0)
	b.Visit(manage)
	check("the reschedule picker", 200, b.Follow("Choose a new time"))
	check("the cancel page", 200, b.Visit(manage+"/cancel"))
	check("the cancelled manage page", 200, b.Press("Yes, cancel it"))

	partner := coupleRequest(t, b, s)
	check("the couple's slot picker with the partner link", 200, b.Visit(b.Path()))
	check("the partner's form", 200, b.Visit(partner))
	b.Fill("Your email", "alex@")
	check("the partner's form with errors", 422, b.Press("Send my answers"))
	if n := Eval[int](b, `document.querySelectorAll(".field-error").length`); n == 0 {
		t.Error("the partner's form came back without error messages")
	}
	b.Replace("Your email", "alex@example.org")
	b.Choose("Yes")
	b.Check("I have read the privacy notice")
	check("the partner's support page", 200, b.Press("Send my answers"))
	check("the partner's thank-you page", 200, b.Follow("Continue"))
}

// evalAwait runs a JavaScript expression that returns a promise and decodes
// what the promise resolves to.
func evalAwait[T any](b *Browser, expr string) (T, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// setChangeCutoff sets the practice's change cut-off in hours.
func setChangeCutoff(t *testing.T, s *Server, hours int) {
	t.Helper()
	st, err := s.App.Practice.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st.ChangeCutoffHours = hours
	if err := s.App.Practice.Save(s.App.DB, st); err != nil {
		t.Fatal(err)
	}
}
