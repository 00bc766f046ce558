// Package secret makes the unguessable tokens Firststep hands out (intake
// and manage links, sessions, API tokens, calendar feeds). Only a hash of a
// token is stored, so a copy of the database does not open anyone's link.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// New returns a fresh 256-bit token (URL-safe) and the hash to store.
func New() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token)
}

// Hash is the stored form of token: hex SHA-256. Tokens carry 256 bits of
// entropy, so a fast hash is enough (no password-style stretching needed).
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
