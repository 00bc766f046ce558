package e2e

import (
	"strings"
	"testing"
)

// Safety, in the browser against a real SMTP server: a couple whose partner
// does not know about the request yet books a consultation; the form said
// the partner would not be emailed, and only the client and the clinician
// get invitations. The booking page says the partner was not contacted
// (without serious accessibility faults) and its button, pressed by the
// client, sends the partner their invitation.
func TestNotYetPartnerIsContactedOnlyWhenTheClientSaysSo(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	s, ms := StartBookingServer(t)
	b := NewBrowser(t, s)
	const (
		client  = "sam@example.org"
		partner = "alex@example.org"
	)
	b.Visit("/request/couple")
	if hint := b.Text("#h-partner_email"); !strings.Contains(hint, "we will not email them") {
		t.Errorf("the partner's email field does not say a partner who does not know is not emailed: %q", hint)
	}
	b.Fill("Your name", "Sam Rivera")
	b.Fill("Your email", client)
	b.Fill("Your partner's name", "Alex Rivera")
	b.Fill("Your partner's email", partner)
	b.Choose("Not yet")
	b.Check("I have read the privacy notice")
	if status := b.Press("Send my request"); status != 200 {
		t.Fatalf("sending the request: %d", status)
	}
	if got := b.Text("#partner-contact-title"); got != "Your partner has not been contacted" {
		t.Errorf("the picker says %q about the partner", got)
	}
	if status := b.PressSlot(2, 1); status != 200 {
		t.Fatalf("choosing a time: %d", status)
	}
	ms.WaitForInvitations(t, 0, client, clinicianEmail)
	for _, m := range ms.Messages() {
		if strings.Contains(strings.ToLower(string(m.Data)), partner) {
			t.Fatalf("a message to %v names the partner who does not know", m.To)
		}
	}
	b.CheckAccessibility(axe, "the booking page with the partner not contacted")
	if got := b.Text("#partner-contact-title"); got != "Your partner has not been contacted" {
		t.Errorf("the booking page says %q about the partner", got)
	}
	if status := b.Press("My partner knows now — send them the invitation"); status != 200 {
		t.Fatalf("allowing contact: %d", status)
	}
	if got := b.Text("[role=status]"); !strings.Contains(got, "We may now contact your partner") {
		t.Errorf("after allowing, the page says %q", got)
	}
	ms.WaitForInvitations(t, 0, client, clinicianEmail, partner)
}
