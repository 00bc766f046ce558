package staffui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// adminRevealCookie carries a new secret (a one-time password, an API token)
// from the form post that made it to the one page that shows it, so that
// creating follows post/redirect/get like every other change without the
// secret ever being stored on the server.
//
// The value is sealed with AES-GCM under a key derived from the server
// key, bound to its purpose (the record and the admin who made it), and
// expires after adminRevealFor. The page that shows it clears it: a reload or
// the back button finds nothing, so the secret is shown once.
const (
	adminRevealCookie = "fs_reveal"
	adminRevealPath   = "/staff/admin"
	adminRevealFor    = 2 * time.Minute
)

// adminSealer seals and opens reveal cookies.
type adminSealer struct {
	aead   cipher.AEAD
	secure bool
	now    func() time.Time
}

// adminNewSealer derives its AES-256 key from the server key (secret.LoadKey
// makes sure it has at least 256 bits).
func adminNewSealer(serverKey []byte, secure bool, now func() time.Time) *adminSealer {
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte("firststep admin reveal cookie"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key is always a valid AES key
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // AES has the block size GCM needs
	}
	return &adminSealer{aead: aead, secure: secure, now: now}
}

// seal returns the sealed form of secret for purpose.
func (s *adminSealer) seal(purpose, secret string) string {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) // never fails
	plain := binary.BigEndian.AppendUint64(nil, uint64(s.now().Add(adminRevealFor).Unix()))
	plain = append(plain, secret...)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(purpose)))
}

// open returns the secret sealed in value for purpose, if it is intact,
// meant for purpose and not expired.
func (s *adminSealer) open(purpose, value string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", false
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], []byte(purpose))
	if err != nil || len(plain) < 8 {
		return "", false
	}
	if s.now().Unix() >= int64(binary.BigEndian.Uint64(plain[:8])) {
		return "", false
	}
	return string(plain[8:]), true
}

func (s *adminSealer) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: adminRevealCookie, Value: value, Path: adminRevealPath, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode}
}

// put hands secret to the next page, which must take it with the same
// purpose.
func (s *adminSealer) put(c echo.Context, purpose, secret string) {
	c.SetCookie(s.cookie(s.seal(purpose, secret), int(adminRevealFor/time.Second)))
}

// take returns the secret handed over for purpose and forgets it.
func (s *adminSealer) take(c echo.Context, purpose string) (string, bool) {
	ck, err := c.Cookie(adminRevealCookie)
	if err != nil {
		return "", false
	}
	gone := s.cookie("", -1)
	gone.Expires = time.Unix(1, 0)
	c.SetCookie(gone)
	return s.open(purpose, ck.Value)
}
