package e2e

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/intake"
)

var partnerPath = regexp.MustCompile(`^/partner/[A-Za-z0-9_-]{20,}$`)

// coupleRequest sends a short couple request in b and returns the path of
// the partner's private link that the next page offers.
func coupleRequest(t *testing.T, b *Browser, s *Server) string {
	t.Helper()
	b.Visit("/request/couple")
	b.Fill("Your name", "Sam Rivera")
	b.Fill("Your email", "sam@example.org")
	b.Fill("Your partner's name", "Alex Rivera")
	b.Fill("What are you hoping for?", "We want to rebuild trust.")
	b.Check("I have read the privacy notice")
	if status := b.Press("Send my request"); status != 200 {
		t.Fatalf("sending the couple request: %d", status)
	}
	token(t, b.Path(), "")
	if got := b.Text("#partner-link-title"); got != "For your partner" {
		t.Errorf("partner link heading reads %q", got)
	}
	link := b.Value("Your partner's private link")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, s.URL+"/partner/") || !partnerPath.MatchString(u.Path) {
		t.Fatalf("partner link %q, want %s/partner/{token}", link, s.URL)
	}
	return u.Path
}

// The partner opens the private link in their own browser, sees only their
// own name filled in, answers and is thanked.
func TestPartnerAddsOwnAnswers(t *testing.T) {
	t.Parallel()
	s := StartServer(t, nil)
	path := coupleRequest(t, NewBrowser(t, s), s)

	b := NewBrowser(t, s) // the partner's own browser
	if status := b.Visit(path); status != 200 {
		t.Fatalf("partner form: %d", status)
	}
	if h := b.Text("h1"); h != "Add your own answers" {
		t.Errorf("heading %q", h)
	}
	if got := b.Value("Your name"); got != "Alex Rivera" {
		t.Errorf("name prefilled with %q, want Alex Rivera", got)
	}
	if main := b.Text("main"); strings.Contains(main, "rebuild trust") || strings.Contains(main, "Sam") {
		t.Errorf("the partner's form shows the first partner's answers: %q", main)
	}
	b.Replace("Your name", "Alex")
	b.Fill("Pronouns", "he/him")
	b.Fill("Your email", "alex@example.org")
	b.Choose("Email or phone")
	b.Fill("Phone", "555 010 3000")
	b.Check("Grief or loss")
	b.Fill("What are you hoping for?", "To feel heard.")
	b.Check("Emotionally Focused Therapy (EFT)")
	b.Choose("No")
	b.Check("I have read the privacy notice")
	if status := b.Press("Send my answers"); status != 200 {
		t.Fatalf("sending the partner's answers: %d", status)
	}
	if p := b.Path(); p != path+"/thanks" {
		t.Fatalf("after sending the browser is at %s, want %s/thanks", p, path)
	}
	if got := b.Text("main"); !strings.Contains(got, "Thank you") || !strings.Contains(got, "Your answers are saved") {
		t.Errorf("thank-you page reads %q", got)
	}

	list, err := s.App.Intakes.List(context.Background(), intake.Filter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("intakes: %d, %v", len(list), err)
	}
	var stored struct{ Name, Email, Hopes, ContactPreference string }
	if err := s.App.DB.Table("partner_answers").Where("intake_id = ?", list[0].ID).Take(&stored).Error; err != nil {
		t.Fatalf("partner answers: %v", err)
	}
	if stored.Name != "Alex" || stored.Email != "alex@example.org" || stored.Hopes != "To feel heard." || stored.ContactPreference != "either" {
		t.Errorf("stored %+v", stored)
	}
}
