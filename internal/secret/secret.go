// Package secret makes the unguessable tokens Firststep hands out (intake
// and manage links, sessions, API tokens, calendar feeds). Only a hash of a
// token is stored, so a copy of the database does not open anyone's link.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// Keyed derives a token from key and a purpose string ("manage-link:42"):
// the same inputs always give the same token, so a link can be sent again
// in a later email while only its hash is stored.
func Keyed(key []byte, purpose string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// KeyFile is the name of the generated key inside the data folder.
const KeyFile = "secret.key"

// LoadKey returns the server key: hexKey when given (several instances
// must share one), otherwise the key in dataDir/secret.key, generated on
// first start.
func LoadKey(dataDir, hexKey string) ([]byte, error) {
	if hexKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(hexKey))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("FIRSTSTEP_SECRET_KEY must be at least 64 hex characters")
		}
		return k, nil
	}
	path := filepath.Join(dataDir, KeyFile)
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("%s is damaged: want 64 hex characters", path)
		}
		return k, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := publishKey(dataDir, path, k); errors.Is(err, fs.ErrExist) {
		return LoadKey(dataDir, "") // another instance made it first
	} else if err != nil {
		return nil, err
	}
	return k, nil
}

// publishKey makes path hold k, complete, or fails with fs.ErrExist when
// it is already there. The key is written and synced under a temporary
// name and then hard-linked into place, so that an instance starting at
// the same moment either finds no key file or a whole one — never an
// empty file it would call damaged.
func publishKey(dataDir, path string, k []byte) error {
	tmp, err := os.CreateTemp(dataDir, ".secret-*.tmp")
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("create key: %w", err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("create key: %w", err)
	}
	if d, err := os.Open(dataDir); err == nil { // make the new name durable
		d.Sync()
		d.Close()
	}
	return nil
}
