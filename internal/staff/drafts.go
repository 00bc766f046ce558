package staff

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/firststep/firststep/internal/secret"
	"gorm.io/gorm"
)

// A staff member who writes a note for longer than the idle timeout finds,
// on sending it, that their session has ended. The text is not lost: the
// session guard (internal/web/auth) keeps it as a draft tied to the account
// of the ended session and to a short-lived random token in an HttpOnly
// cookie (never in the URL), sends the person to sign in and back to that
// page, and there hands the text to the page to put back into the form.

// DraftCookie carries the token of a kept draft.
const DraftCookie = "fs_draft"

// draftTTL is how long a kept draft waits for its author to sign in again.
const draftTTL = time.Hour

type draftRow struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	AccountID int64
	Path      string
	Field     string
	Body      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (draftRow) TableName() string { return "staff_drafts" }

// Draft is restored form text: the field it belongs to and what was typed.
type Draft struct {
	Field string
	Body  string
}

// KeepDraft keeps body, typed into field of the form on page path, for the
// account of the session sessionToken belonged to, even though that session
// has ended. It returns the draft's token for the browser, or "" when the
// session is unknown (nothing says whose the text is) or body is empty.
func (s *Sessions) KeepDraft(ctx context.Context, sessionToken, path, field, body string) (string, error) {
	if sessionToken == "" || body == "" || path == "" {
		return "", nil
	}
	now := s.now().UTC()
	token, hash := secret.New()
	kept := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sr sessionRow
		err := tx.Select("id", "account_id").Where("token_hash = ?", secret.Hash(sessionToken)).Take(&sr).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find session of draft: %w", err)
		}
		if err := tx.Where("expires_at <= ?", now).Delete(&draftRow{}).Error; err != nil {
			return fmt.Errorf("delete expired drafts: %w", err)
		}
		d := draftRow{TokenHash: hash, AccountID: sr.AccountID, Path: path, Field: field, Body: body, CreatedAt: now, ExpiresAt: now.Add(draftTTL)}
		if err := tx.Create(&d).Error; err != nil {
			return fmt.Errorf("keep draft: %w", err)
		}
		kept = true
		return nil
	})
	if err != nil || !kept {
		return "", err
	}
	return token, nil
}

// TakeDraft returns, and deletes, the draft of token kept for accountID on
// page path. found is false when there is none (another page's, another
// account's, or expired); done is true when the token is of no further use
// (taken, expired or unknown), so the browser may forget it.
func (s *Sessions) TakeDraft(ctx context.Context, accountID int64, token, path string) (d Draft, found, done bool, err error) {
	now := s.now().UTC()
	db := s.db.WithContext(ctx)
	var r draftRow
	err = db.Where("token_hash = ?", secret.Hash(token)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Draft{}, false, true, nil
	}
	if err != nil {
		return Draft{}, false, false, fmt.Errorf("load draft: %w", err)
	}
	if !now.Before(r.ExpiresAt) {
		if err := db.Delete(&draftRow{}, r.ID).Error; err != nil {
			return Draft{}, false, false, fmt.Errorf("delete expired draft: %w", err)
		}
		return Draft{}, false, true, nil
	}
	if r.AccountID != accountID || r.Path != path {
		return Draft{}, false, false, nil
	}
	res := db.Delete(&draftRow{}, r.ID)
	if res.Error != nil {
		return Draft{}, false, false, fmt.Errorf("take draft: %w", res.Error)
	}
	if res.RowsAffected == 0 { // taken by a concurrent request
		return Draft{}, false, true, nil
	}
	return Draft{Field: r.Field, Body: r.Body}, true, true, nil
}

// DraftCookieFor is the cookie that carries a kept draft's token to the
// browser; for token "" it is the cookie that makes the browser forget it.
func (s *Sessions) DraftCookieFor(token string) *http.Cookie {
	c := &http.Cookie{Name: DraftCookie, Value: token, Path: "/staff", HttpOnly: true, Secure: s.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(draftTTL / time.Second)}
	if token == "" {
		c.MaxAge, c.Expires = -1, time.Unix(1, 0)
	}
	return c
}
