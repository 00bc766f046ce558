package staff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Token is an API token as admins see it: never its secret, which only
// exists as a hash once it has been shown.
type Token struct {
	ID           int64
	AccountID    int64
	AccountEmail string
	Label        string
	CreatedAt    time.Time
	LastUsedAt   *time.Time // recorded at most once a minute
	RevokedAt    *time.Time
}

// tokenListLimit bounds the token list; a practice has a handful.
const tokenListLimit = 1000

var errTokenNotFound = apperr.New(apperr.NotFound, "token_not_found", "There is no such API token.")

type tokenWithEmail struct {
	Row          tokenRow `gorm:"embedded"`
	AccountEmail string
}

func (r tokenWithEmail) token() Token {
	t := r.Row
	return Token{ID: t.ID, AccountID: t.AccountID, AccountEmail: r.AccountEmail, Label: t.Label, CreatedAt: t.CreatedAt.UTC(),
		LastUsedAt: utcPtr(t.LastUsedAt), RevokedAt: utcPtr(t.RevokedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func tokensQuery(db *gorm.DB) *gorm.DB {
	return db.Table("api_tokens t").Select("t.*, a.email AS account_email").
		Joins("JOIN staff_accounts a ON a.id = t.account_id")
}

// Tokens returns the API tokens, newest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	var rows []tokenWithEmail
	if err := tokensQuery(s.db.WithContext(ctx)).Order("t.id DESC").Limit(tokenListLimit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]Token, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// TokenByID returns one API token.
func (s *Service) TokenByID(ctx context.Context, id int64) (Token, error) {
	var r tokenWithEmail
	err := tokensQuery(s.db.WithContext(ctx)).Where("t.id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Token{}, errTokenNotFound
	}
	if err != nil {
		return Token{}, fmt.Errorf("load token: %w", err)
	}
	return r.token(), nil
}

// TokenLabelProblem checks the label of a new token: required, so that the
// list says what each token is for, and short.
func TokenLabelProblem(label string) string {
	switch {
	case strings.TrimSpace(label) == "":
		return "Say what the token is for, such as “website form” or “reporting script”."
	case len([]rune(label)) > 100 || strings.IndexFunc(label, unicode.IsControl) >= 0:
		return "Use at most 100 characters, on one line."
	}
	return ""
}

// IssueToken creates an API token for the active account accountID and
// returns it with its secret, which is shown this once.
func (s *Service) IssueToken(ctx context.Context, by Actor, accountID int64, label string) (Token, string, error) {
	if !by.Account.Can(ManageTokens) {
		return Token{}, "", ErrForbidden
	}
	label = strings.TrimSpace(label)
	f := map[string]string{}
	if msg := TokenLabelProblem(label); msg != "" {
		f["label"] = msg
	}
	if accountID <= 0 {
		f["account_id"] = "Choose the account the token acts for."
	}
	if err := apperr.Validation(f); err != nil {
		return Token{}, "", err
	}
	now := s.now().UTC()
	var (
		tok   Token
		plain string
	)
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		acc, err := loadAccount(tx, accountID)
		if errors.Is(err, errAccountNotFound) || err == nil && !acc.Active {
			return apperr.Validation(map[string]string{"account_id": "Choose an active account."})
		}
		if err != nil {
			return err
		}
		r, secretText, err := insertToken(tx, accountID, label, now)
		if err != nil {
			return err
		}
		tok, plain = Token{ID: r.ID, AccountID: acc.ID, AccountEmail: acc.Email, Label: r.Label, CreatedAt: now}, secretText
		return audit.For(tx, now, by.Audit()).Record(audit.TokenCreate, audit.TypeToken, strconv.FormatInt(r.ID, 10),
			"for account "+strconv.FormatInt(acc.ID, 10))
	})
	if err != nil {
		return Token{}, "", err
	}
	return tok, plain, nil
}

// RevokeToken stops API token id from working, at once and for good.
func (s *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	if !by.Account.Can(ManageTokens) {
		return ErrForbidden
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&tokenRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
		if res.Error != nil {
			return fmt.Errorf("revoke token: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&tokenRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
				return fmt.Errorf("find token: %w", err)
			}
			if n == 0 {
				return errTokenNotFound
			}
			return nil // already revoked
		}
		return audit.For(tx, now, by.Audit()).Record(audit.TokenRevoke, audit.TypeToken, strconv.FormatInt(id, 10), "")
	})
}

// insertToken stores a new token of accountID and returns its row and the
// secret to hand out ("fs_…"); only the hash is stored.
func insertToken(tx *gorm.DB, accountID int64, label string, now time.Time) (tokenRow, string, error) {
	token, hash := secret.New()
	r := tokenRow{AccountID: accountID, TokenHash: hash, Label: label, CreatedAt: now}
	if err := tx.Create(&r).Error; err != nil {
		return tokenRow{}, "", fmt.Errorf("create token: %w", err)
	}
	return r, "fs_" + token, nil
}
