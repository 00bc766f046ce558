package staff

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// SessionCookie is the name of the cookie that carries a staff session.
const SessionCookie = "fs_session"

// Session limits. A session ends after Idle without a request, and after
// Absolute however busy it is.
const (
	DefaultSessionIdle     = 30 * time.Minute
	DefaultSessionAbsolute = 12 * time.Hour

	// touchEvery bounds how often a session's last_seen_at is written: a
	// busy page does not turn every request into a database write, at the
	// price of an idle timeout that may end a session up to a minute early.
	touchEvery = time.Minute
)

// Failed sign-ins: an email address that fails maxFailuresPerEmail times
// within failureWindow is refused for lockoutFor, whoever tries it from
// wherever. An IP address gets a larger allowance, because a practice's
// whole front desk may share one address.
const (
	failureWindow       = 15 * time.Minute
	lockoutFor          = 15 * time.Minute
	maxFailuresPerEmail = 5
	maxFailuresPerIP    = 20
)

// SessionConfig sets the limits of staff sessions.
type SessionConfig struct {
	Idle     time.Duration // zero: DefaultSessionIdle
	Absolute time.Duration // zero: DefaultSessionAbsolute
	Secure   bool          // the cookie is sent over HTTPS only
	// PasswordCost is the bcrypt cost of the accounts' hashes (zero: the
	// production cost); an unknown email is checked against a hash of it.
	PasswordCost int
}

// Sessions signs staff in and out of the web pages. Only a hash of each
// session's secret is stored, so a copy of the database opens no session.
type Sessions struct {
	db       *gorm.DB
	now      func() time.Time
	cfg      SessionConfig
	throttle *throttle
}

// NewSessions returns the session service; now is the clock.
func NewSessions(db *gorm.DB, now func() time.Time, cfg SessionConfig) *Sessions {
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultSessionIdle
	}
	if cfg.Absolute <= 0 {
		cfg.Absolute = DefaultSessionAbsolute
	}
	return &Sessions{db: db, now: now, cfg: cfg, throttle: newThrottle(failureWindow, lockoutFor)}
}

type sessionRow struct {
	ID         int64 `gorm:"primaryKey"`
	TokenHash  string
	AccountID  int64
	IP         string `gorm:"column:ip"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// errSignIn is the one answer to every failed sign-in — unknown email,
// wrong password, deactivated account, too many attempts — so the page
// tells nobody which accounts exist or which are locked.
var errSignIn = apperr.New(apperr.Unauthorized, "signin_failed",
	"We could not sign you in with that email and password. After several unsuccessful tries, sign-in pauses for 15 minutes.")

// ErrNoSession answers a request without a live session.
var ErrNoSession = apperr.New(apperr.Unauthorized, "unauthorized", "Please sign in.")

// Credentials are what a person types on the sign-in page.
type Credentials struct {
	Email    string
	Password string
}

// SignIn checks the credentials and starts a new session, returning the
// account and the session's secret for the cookie. previous is the session
// secret the browser presented, if any: that session is ended, never
// reused, so a secret planted before sign-in is worthless afterwards.
// Every attempt, successful or not, is written to the audit log.
func (s *Sessions) SignIn(ctx context.Context, cred Credentials, ip, previous string) (Account, string, error) {
	email := strings.ToLower(strings.TrimSpace(cred.Email))
	now := s.now().UTC()
	var r accountRow
	found := true
	err := s.db.WithContext(ctx).Where("email = ?", email).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		found = false
	} else if err != nil {
		return Account{}, "", fmt.Errorf("sign in: load account: %w", err)
	}
	emailKey, ipKey := "email:"+email, "ip:"+ip
	if !s.throttle.attempt(now, limit{emailKey, maxFailuresPerEmail}, limit{ipKey, maxFailuresPerIP}) {
		return Account{}, "", s.refuse(ctx, now, ip, r, found, "too many attempts")
	}
	hash := ""
	if found {
		hash = r.PasswordHash
	}
	ok := checkPassword(hash, cred.Password, s.cfg.PasswordCost)
	reason := ""
	switch {
	case !found:
		reason = "unknown account"
	case !ok:
		reason = "wrong password"
	case !r.Active:
		reason = "account deactivated"
	}
	if reason != "" {
		return Account{}, "", s.refuse(ctx, now, ip, r, found, reason)
	}

	token, tokenHash := secret.New()
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if previous != "" {
			if err := endByHash(tx, secret.Hash(previous), now); err != nil {
				return err
			}
		}
		sr := sessionRow{TokenHash: tokenHash, AccountID: r.ID, IP: ip, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.Absolute)}
		if err := tx.Create(&sr).Error; err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return audit.For(tx, now, r.actor(ip)).Record(audit.SignIn, audit.TypeAccount, strconv.FormatInt(r.ID, 10), "")
	})
	if err != nil {
		return Account{}, "", fmt.Errorf("sign in: %w", err)
	}
	// A right password gives back only its own attempt: wrong guesses stay
	// counted for the window, so a sign-in in the middle of a burst of
	// guesses does not open the account to five more.
	s.throttle.forgive(emailKey)
	s.throttle.forgive(ipKey)
	return r.account(), token, nil
}

// refuse records a failed sign-in and returns errSignIn. The entry names
// the account only when the email belongs to one; the password is never
// recorded, nor an email that matches no account.
func (s *Sessions) refuse(ctx context.Context, now time.Time, ip string, r accountRow, found bool, reason string) error {
	by, recordType, recordID := audit.Actor{IP: ip}, "", "" // nobody: an unknown account
	if found {
		by, recordType, recordID = r.actor(ip), audit.TypeAccount, strconv.FormatInt(r.ID, 10)
	}
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		return audit.For(tx, now, by).Record(audit.SignInFailed, recordType, recordID, reason)
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	return errSignIn
}

// actor is the account of r, acting from ip, as the audit log names it.
func (r accountRow) actor(ip string) audit.Actor {
	id := r.ID
	return audit.Actor{ID: &id, Email: r.Email, IP: ip}
}

// Authenticate returns the active account whose live session token is.
// A session past its idle or absolute limit is ended on the way.
func (s *Sessions) Authenticate(ctx context.Context, token string) (Account, error) {
	if token == "" {
		return Account{}, ErrNoSession
	}
	now := s.now().UTC()
	db := s.db.WithContext(ctx)
	var sr sessionRow
	err := db.Where("token_hash = ? AND ended_at IS NULL", secret.Hash(token)).Take(&sr).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Account{}, ErrNoSession
	}
	if err != nil {
		return Account{}, fmt.Errorf("load session: %w", err)
	}
	if !now.Before(sr.ExpiresAt) || now.Sub(sr.LastSeenAt) >= s.cfg.Idle {
		if err := db.Model(&sessionRow{}).Where("id = ? AND ended_at IS NULL", sr.ID).Update("ended_at", now).Error; err != nil {
			return Account{}, fmt.Errorf("end expired session: %w", err)
		}
		return Account{}, ErrNoSession
	}
	var r accountRow
	err = db.Where("id = ? AND active = ?", sr.AccountID, true).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Account{}, ErrNoSession
	}
	if err != nil {
		return Account{}, fmt.Errorf("load session account: %w", err)
	}
	if now.Sub(sr.LastSeenAt) >= touchEvery {
		if err := db.Model(&sessionRow{}).Where("id = ? AND ended_at IS NULL", sr.ID).Update("last_seen_at", now).Error; err != nil {
			return Account{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return r.account(), nil
}

// SignOut ends the session of token, so the cookie is refused from now on
// even if someone kept a copy, and records it.
func (s *Sessions) SignOut(ctx context.Context, token, ip string) error {
	if token == "" {
		return nil
	}
	now := s.now().UTC()
	var sr sessionRow
	err := s.db.WithContext(ctx).Where("token_hash = ? AND ended_at IS NULL", secret.Hash(token)).Take(&sr).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sign out: load session: %w", err)
	}
	var r accountRow
	if err := s.db.WithContext(ctx).Take(&r, sr.AccountID).Error; err != nil {
		return fmt.Errorf("sign out: load account: %w", err)
	}
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&sessionRow{}).Where("id = ? AND ended_at IS NULL", sr.ID).Update("ended_at", now)
		if res.Error != nil {
			return fmt.Errorf("end session: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // ended concurrently; that sign-out was recorded
		}
		return audit.For(tx, now, r.actor(ip)).Record(audit.SignOut, audit.TypeAccount, strconv.FormatInt(r.ID, 10), "")
	})
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

func endByHash(tx *gorm.DB, tokenHash string, now time.Time) error {
	if err := tx.Model(&sessionRow{}).Where("token_hash = ? AND ended_at IS NULL", tokenHash).Update("ended_at", now).Error; err != nil {
		return fmt.Errorf("end previous session: %w", err)
	}
	return nil
}

// Cookie is the session cookie for token: HttpOnly, SameSite=Lax, Secure
// when the site is served over HTTPS, and gone when the browser closes.
func (s *Sessions) Cookie(token string) *http.Cookie {
	return &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode}
}

// ClearCookie removes the session cookie from the browser.
func (s *Sessions) ClearCookie() *http.Cookie {
	c := s.Cookie("")
	c.MaxAge = -1
	c.Expires = time.Unix(1, 0)
	return c
}
