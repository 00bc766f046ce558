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
// an unknown email takes as long as one with a wrong password. It is made
// on first use, not at start-up (a bcrypt hash takes a quarter second).
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("firststep-no-such-account"), bcryptCost)
	return h
})

func checkPassword(hash, pw string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
