package booking

import "testing"

func TestEmailWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		kind     letterKind
		audience string
		idx      int
		want     string
	}{
		{"client's invitation", kindNew, "client", 0, "Invitation to the client"},
		{"partner's invitation", kindNew, "client", 1, "Invitation to the partner"},
		{"clinician's update", kindUpdate, "clinician", 2, "Updated invitation to the clinician"},
		{"client's cancellation", kindCancel, "client", 0, "Cancellation to the client"},
		{"previous clinician", kindMovedAway, "clinician", 3, "Cancellation to the previous clinician"},
		{"new place", kindPlace, "client", 0, "Updated invitation to the client (new place)"},
	}
	for _, c := range cases {
		if got := EmailWords(emailPurpose(c.kind, c.audience, c.idx)); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := EmailWords("receipt.client"); got != "Receipt to the client" {
		t.Errorf("receipt: %q", got)
	}
	for _, p := range []string{"", "reminder.client", "new.stranger", "new"} {
		if got := EmailWords(p); got != "" {
			t.Errorf("%q has words %q", p, got)
		}
	}
}
