package staff

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules: long enough to resist guessing; bcrypt reads at most 72 bytes.
const (
	MinPasswordLen   = 12
	maxPasswordBytes = 72
	bcryptCost       = 12
)

// passwordProblem returns a message for a password that may not be used.
func passwordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return "Use at least 12 characters. A few unrelated words make a strong, memorable password."
	case len(pw) > maxPasswordBytes:
		return "Use at most 72 bytes."
	}
	return ""
}

func hashPassword(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(h), err
}

// dummyHash is compared against when an email is unknown, so a sign-in for
// an unknown email takes as long as one with a wrong password. It is a
// constant (a bcrypt hash of a phrase no account uses, at bcryptCost): made
// at start-up it would cost a quarter second, made on first use it would
// make that first unknown-email sign-in slower than the rest.
var dummyHash = []byte("$2a$12$fZIEgItTBodjUOfdCU0zfeZ3vHrWNWzVLBc2HSGbsuaqv4ifE.o4K")

// dummyHashes holds the comparison hash of each other cost in use (tests
// lower the cost); the hash must have the cost real hashes have, or an
// unknown email would answer at a different speed than a wrong password.
var dummyHashes sync.Map // int → func() []byte

// dummyHashFor returns the comparison hash for unknown accounts at cost.
func dummyHashFor(cost int) []byte {
	if cost == bcryptCost || cost <= 0 {
		return dummyHash
	}
	f, _ := dummyHashes.LoadOrStore(cost, sync.OnceValue(func() []byte {
		h, err := bcrypt.GenerateFromPassword([]byte("no account has this password"), cost)
		if err != nil {
			return dummyHash
		}
		return h
	}))
	return f.(func() []byte)()
}

// checkPassword reports whether pw matches hash. An empty hash (no such
// account) is compared against the dummy hash of cost, and never matches.
func checkPassword(hash, pw string, cost int) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHashFor(cost), []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
