package staff

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestDummyHashMatchesTheRealCost(t *testing.T) {
	t.Parallel()
	cost, err := bcrypt.Cost(dummyHash)
	if err != nil || cost != bcryptCost {
		t.Fatalf("dummy hash cost = %d (%v), want %d: an unknown email would answer faster than a wrong password", cost, err, bcryptCost)
	}
	// (The comparison itself runs at the lowest cost: one at cost 12 takes
	// seconds under the race detector.)
	if checkPassword("", dummyHashAt(bcrypt.MinCost), "anything") {
		t.Fatal("an unknown account signed in")
	}
}

// With new passwords hashed at a lower cost (as in tests), an unknown email
// is compared at that cost too: at the fixed cost 12 it would answer slower
// than a wrong password, and each such sign-in would cost the test suite a
// quarter second (more under -race).
func TestDummyHashFollowsThePasswordCost(t *testing.T) {
	t.Parallel()
	s := NewSessions(nil, nil, SessionConfig{})
	if cost, _ := bcrypt.Cost(s.dummy); cost != bcryptCost {
		t.Fatalf("default dummy hash cost = %d, want %d", cost, bcryptCost)
	}
	s.SetPasswordCost(bcrypt.MinCost)
	if cost, err := bcrypt.Cost(s.dummy); err != nil || cost != bcrypt.MinCost {
		t.Fatalf("dummy hash cost after SetPasswordCost(%d) = %d (%v)", bcrypt.MinCost, cost, err)
	}
	if checkPassword("", s.dummy, "no account has this password") {
		t.Fatal("an unknown account signed in")
	}
}
