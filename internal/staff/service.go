package staff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/mailbox"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Service manages staff accounts and their API tokens.
type Service struct {
	db         *gorm.DB
	now        func() time.Time
	clinicians Clinicians
	cost       int // bcrypt cost of new password hashes
	// throttle limits guesses at the current password on the password
	// page, where a borrowed or stolen session could otherwise try
	// passwords without the sign-in page's limit.
	throttle *throttle
}

// NewService returns the staff service.
func NewService(db *gorm.DB, now func() time.Time, clinicians Clinicians) *Service {
	return &Service{db: db, now: now, clinicians: clinicians, cost: bcryptCost, throttle: newThrottle(failureWindow, lockoutFor)}
}

// Clinicians is what staff needs of the practice's clinicians (whose table
// is booking's): whether one exists, asked inside the transaction that ties
// an account to it.
type Clinicians interface {
	ClinicianExistsTx(tx *gorm.DB, id int64) (bool, error)
}

// SetPasswordCost changes the bcrypt cost of passwords hashed from now on.
// Tests lower it (bcrypt.MinCost) so that creating accounts is fast; a
// stored hash keeps the cost it was made with.
func (s *Service) SetPasswordCost(cost int) { s.cost = cost }

// NewAccount is the input for creating an account.
type NewAccount struct {
	Email       string
	Name        string
	Role        Role
	ClinicianID *int64
	Password    string
	// MustChangePassword marks a one-time password handed to a new colleague.
	MustChangePassword bool
}

// Validate checks a new account's fields.
func (in *NewAccount) Validate() error {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = mailbox.NormalName(in.Name)
	f := map[string]string{}
	if !mailbox.AddressOK(in.Email) {
		f["email"] = "Enter an email address like name@example.com."
	}
	if msg := nameProblem(in.Name); msg != "" {
		f["name"] = msg
	}
	if !in.Role.Valid() {
		f["role"] = "Choose admin, clinician or frontdesk."
	}
	if in.Role == Clinician && in.ClinicianID == nil {
		f["clinician_id"] = "A clinician account must name the clinician it belongs to."
	}
	if in.Role != Clinician && in.ClinicianID != nil {
		f["clinician_id"] = "Only clinician accounts belong to a clinician."
	}
	if msg := passwordProblem(in.Password); msg != "" {
		f["password"] = msg
	}
	return apperr.Validation(f)
}

// Operator is the actor recorded in the audit log for changes made on the
// server's command line (firststep user add, token create, serve --demo).
const Operator = "command line"

// Add creates an account from the command line; the audit log records it
// as done by the Operator.
func (s *Service) Add(ctx context.Context, in NewAccount) (Account, error) {
	var acc Account
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if acc, err = s.AddTx(tx, in); err != nil {
			return err
		}
		return audit.For(tx, s.now().UTC(), operator).Record(audit.AccountCreate, audit.TypeAccount, strconv.FormatInt(acc.ID, 10), "role "+string(acc.Role))
	})
	return acc, err
}

// AddTx creates an account inside the caller's transaction.
func (s *Service) AddTx(tx *gorm.DB, in NewAccount) (Account, error) {
	if err := in.Validate(); err != nil {
		return Account{}, err
	}
	if in.ClinicianID != nil {
		if err := s.clinicianExists(tx, *in.ClinicianID); err != nil {
			return Account{}, err
		}
	}
	hash, err := hashPassword(in.Password, s.cost)
	if err != nil {
		return Account{}, fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	r := accountRow{Email: in.Email, Name: in.Name, PasswordHash: hash, Role: string(in.Role), ClinicianID: in.ClinicianID,
		Active: true, MustChangePassword: in.MustChangePassword, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&r).Error; err != nil {
		if store.IsUniqueViolation(err) {
			return Account{}, &apperr.Error{Kind: apperr.Conflict, Code: "email_taken", Message: "An account with that email already exists.",
				Fields: map[string]string{"email": "An account with that email already exists."}}
		}
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	return r.account(), nil
}

// ByEmail returns the account with that email.
func (s *Service) ByEmail(ctx context.Context, email string) (Account, error) {
	var r accountRow
	err := s.db.WithContext(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Account{}, apperr.New(apperr.NotFound, "account_not_found", "No account has that email.")
	}
	if err != nil {
		return Account{}, fmt.Errorf("load account: %w", err)
	}
	return r.account(), nil
}

// Count returns how many accounts exist (for first-run checks).
func (s *Service) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&accountRow{}).Count(&n).Error
	return n, err
}

// CreateToken issues a new API token for the account with email from the
// command line and returns it; only its hash is kept, so it is shown this
// once. The audit log records it as done by the Operator.
func (s *Service) CreateToken(ctx context.Context, email, label string) (string, error) {
	acc, err := s.ByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	if !acc.Active {
		return "", apperr.New(apperr.Conflict, "account_inactive", "That account is deactivated.")
	}
	var token string
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		now := s.now().UTC()
		r, plain, err := insertToken(tx, acc.ID, label, now)
		if err != nil {
			return err
		}
		token = plain
		return audit.For(tx, now, operator).Record(audit.TokenCreate, audit.TypeToken, strconv.FormatInt(r.ID, 10), "for account "+strconv.FormatInt(acc.ID, 10))
	})
	return token, err
}

// ErrBadToken answers a request to the JSON API without a valid token.
var ErrBadToken = apperr.New(apperr.Unauthorized, "unauthorized", "A valid API token is required (Authorization: Bearer TOKEN).")

// AuthenticateToken returns the active account an API token belongs to,
// and notes when the token was used (at most once a minute, so that a busy
// integration does not turn every request into a write).
func (s *Service) AuthenticateToken(ctx context.Context, token string) (Account, error) {
	token, ok := strings.CutPrefix(token, "fs_")
	if !ok || token == "" {
		return Account{}, ErrBadToken
	}
	var r struct {
		Account         accountRow `gorm:"embedded"`
		TokenID         int64
		TokenLastUsedAt *time.Time
	}
	db := s.db.WithContext(ctx)
	err := db.Table("api_tokens t").Select("a.*, t.id AS token_id, t.last_used_at AS token_last_used_at").
		Joins("JOIN staff_accounts a ON a.id = t.account_id").
		Where("t.token_hash = ? AND t.revoked_at IS NULL AND a.active = ?", secret.Hash(token), true).
		Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Account{}, ErrBadToken
	}
	if err != nil {
		return Account{}, fmt.Errorf("check token: %w", err)
	}
	now := s.now().UTC()
	if r.TokenLastUsedAt == nil || now.Sub(*r.TokenLastUsedAt) >= touchEvery {
		if err := db.Model(&tokenRow{}).Where("id = ?", r.TokenID).Update("last_used_at", now).Error; err != nil {
			return Account{}, fmt.Errorf("note token use: %w", err)
		}
	}
	return r.Account.account(), nil
}
