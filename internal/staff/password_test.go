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
	if checkPassword("", "anything", 0) {
		t.Fatal("an unknown account signed in")
	}
}

func TestUnknownAccountHashHasTheConfiguredCost(t *testing.T) {
	t.Parallel()
	for _, want := range []int{bcrypt.MinCost, bcrypt.MinCost + 1, bcryptCost} {
		cost, err := bcrypt.Cost(dummyHashFor(want))
		if err != nil || cost != want {
			t.Errorf("comparison hash for cost %d has cost %d (%v): an unknown email answers at another speed than a wrong password", want, cost, err)
		}
		if checkPassword("", "no account has this password", want) {
			t.Errorf("an unknown account signed in (cost %d)", want)
		}
	}

}
