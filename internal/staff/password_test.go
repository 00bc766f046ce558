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
	if checkPassword("", "anything") {
		t.Fatal("an unknown account signed in")
	}
}
