package staff

import (
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

// dummyHashAt returns a hash to compare unknown emails against at cost, the
// cost new passwords are hashed at: the constant for bcryptCost, otherwise
// one made now (a lower cost is quick to make; tests use bcrypt.MinCost,
// and a fixed cost-12 comparison would make every unknown-email sign-in of
// theirs a quarter second slower than a wrong password).
func dummyHashAt(cost int) []byte {
	if cost == bcryptCost {
		return dummyHash
	}
	h, err := bcrypt.GenerateFromPassword([]byte("no account has this password"), cost)
	if err != nil {
		return dummyHash
	}
	return h
}

// checkPassword compares pw with hash, or with dummy when there is no
// account (hash is empty), so that both take as long.
func checkPassword(hash string, dummy []byte, pw string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummy, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
