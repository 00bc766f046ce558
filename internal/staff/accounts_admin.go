package staff

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/mailbox"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

var (
	errAccountNotFound = apperr.New(apperr.NotFound, "account_not_found", "There is no such account.")
	errLastAdmin       = apperr.New(apperr.Conflict, "last_admin",
		"This is the last active administrator. Make another account an administrator first, so that someone can still manage the practice.")
)

// Accounts returns every account, active ones first, then by email.
func (s *Service) Accounts(ctx context.Context) ([]Account, error) {
	var rows []accountRow
	if err := s.db.WithContext(ctx).Order("active DESC, email, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	out := make([]Account, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// AccountByID returns one account.
func (s *Service) AccountByID(ctx context.Context, id int64) (Account, error) {
	r, err := loadAccount(s.db.WithContext(ctx), id)
	return r.account(), err
}

func loadAccount(tx *gorm.DB, id int64) (accountRow, error) {
	var r accountRow
	err := tx.Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, errAccountNotFound
	}
	if err != nil {
		return r, fmt.Errorf("load account: %w", err)
	}
	return r, nil
}

// Invite is what an admin fills in to open an account for a colleague.
type Invite struct {
	Email       string
	Name        string
	Role        Role
	ClinicianID *int64
}

// Invite creates an account with a generated one-time password and returns
// both. Only the password's hash is kept, so this is the one time anyone
// sees it; the colleague must choose their own at first sign-in.
func (s *Service) Invite(ctx context.Context, by Actor, in Invite) (Account, string, error) {
	if !by.Account.Can(ManageAccounts) {
		return Account{}, "", ErrForbidden
	}
	password := oneTimePassword()
	na := NewAccount{Email: in.Email, Name: in.Name, Role: in.Role, ClinicianID: in.ClinicianID, Password: password, MustChangePassword: true}
	if err := na.Validate(); err != nil {
		return Account{}, "", err
	}
	now := s.now().UTC()
	var acc Account
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if acc, err = s.AddTx(tx, na); err != nil {
			return err
		}
		return audit.For(tx, now, by.Audit()).Record(audit.AccountCreate, audit.TypeAccount, strconv.FormatInt(acc.ID, 10), roleDetail(acc.Role, acc.ClinicianID))
	})
	if err != nil {
		return Account{}, "", err
	}
	return acc, password, nil
}

// SetRole gives account id another role and, for a clinician account, the
// clinician it belongs to. It takes effect on the account's next request.
// Nobody changes their own role, and the last active admin stays an admin.
func (s *Service) SetRole(ctx context.Context, by Actor, id int64, role Role, clinicianID *int64) error {
	if !by.Account.Can(ManageAccounts) {
		return ErrForbidden
	}
	f := map[string]string{}
	if !role.Valid() {
		f["role"] = "Choose admin, clinician or frontdesk."
	}
	if role == Clinician && clinicianID == nil {
		f["clinician_id"] = "A clinician account must name the clinician it belongs to."
	}
	if role != Clinician {
		clinicianID = nil // the link means nothing for other roles
	}
	if err := apperr.Validation(f); err != nil {
		return err
	}
	if by.Account.ID == id {
		return apperr.New(apperr.Conflict, "own_account", "You cannot change your own role. Ask another administrator.")
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		r, err := loadAccount(tx, id)
		if err != nil {
			return err
		}
		if Role(r.Role) == role && sameID(r.ClinicianID, clinicianID) {
			return nil // nothing changes, nothing to record
		}
		if clinicianID != nil {
			if err := s.clinicianExists(tx, *clinicianID); err != nil {
				return err
			}
		}
		if role != Admin {
			if err := keepAnAdmin(tx, id); err != nil {
				return err
			}
		}
		err = tx.Model(&accountRow{}).Where("id = ?", id).
			Updates(map[string]any{"role": string(role), "clinician_id": clinicianID, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("change role: %w", err)
		}
		detail := roleDetail(Role(r.Role), r.ClinicianID) + " → " + roleDetail(role, clinicianID)
		return audit.For(tx, now, by.Audit()).Record(audit.AccountRoleChange, audit.TypeAccount, strconv.FormatInt(id, 10), detail)
	})
}

// Reactivate lets a deactivated account sign in again. Its old sessions and
// API tokens stay ended.
func (s *Service) Reactivate(ctx context.Context, by Actor, id int64) error {
	if !by.Account.Can(ManageAccounts) {
		return ErrForbidden
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&accountRow{}).Where("id = ? AND active = ?", id, false).
			Updates(map[string]any{"active": true, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("reactivate account: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			_, err := loadAccount(tx, id)
			return err // nil: already active
		}
		return audit.For(tx, now, by.Audit()).Record(audit.AccountReactivate, audit.TypeAccount, strconv.FormatInt(id, 10), "")
	})
}

// ResetPassword gives account id a new one-time password, which it returns,
// for a colleague who lost theirs: the old password stops working, the
// account's sessions end and its API tokens are revoked (whoever had the
// old password may have made some), and a new password must be chosen at
// sign-in.
func (s *Service) ResetPassword(ctx context.Context, by Actor, id int64) (string, error) {
	if !by.Account.Can(ManageAccounts) {
		return "", ErrForbidden
	}
	if by.Account.ID == id {
		return "", apperr.New(apperr.Conflict, "own_account", "Change your own password on the password page.")
	}
	password := oneTimePassword()
	hash, err := hashPassword(password, s.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if _, err := loadAccount(tx, id); err != nil {
			return err
		}
		err := tx.Model(&accountRow{}).Where("id = ?", id).
			Updates(map[string]any{"password_hash": hash, "must_change_password": true, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("reset password: %w", err)
		}
		if err := tx.Model(&sessionRow{}).Where("account_id = ? AND ended_at IS NULL", id).Update("ended_at", now).Error; err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if err := tx.Model(&tokenRow{}).Where("account_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		return audit.For(tx, now, by.Audit()).Record(audit.AccountPasswordReset, audit.TypeAccount, strconv.FormatInt(id, 10), "")
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// PasswordChange is the form of the password page.
type PasswordChange struct {
	Current string
	New     string
	Confirm string
}

// ChangePassword sets acc's own password after checking the current one.
// It clears must_change_password and ends the account's other sessions
// (keepSession is the secret of the one in use), since whoever knew the old
// password may have opened them.
func (s *Service) ChangePassword(ctx context.Context, by Actor, keepSession string, in PasswordChange) error {
	r, err := loadAccount(s.db.WithContext(ctx), by.Account.ID)
	if err != nil {
		return err
	}
	if !r.Active {
		return ErrForbidden
	}
	f := map[string]string{}
	key := "account:" + strconv.FormatInt(by.Account.ID, 10)
	switch {
	case in.Current == "":
		f["current_password"] = "Enter your current password."
	case !s.throttle.attempt(s.now().UTC(), limit{key, maxFailuresPerEmail}):
		f["current_password"] = "Too many tries. Wait 15 minutes, then enter your current password again."
	case !checkPassword(r.PasswordHash, in.Current, s.cost):
		f["current_password"] = "That is not your current password."
	default:
		s.throttle.forgive(key)
	}
	switch msg := passwordProblem(in.New); {
	case msg != "":
		f["new_password"] = msg
	case in.New == in.Current:
		f["new_password"] = "Choose a password different from the current one."
	}
	if in.Confirm != in.New {
		f["confirm_password"] = "The two new passwords are not the same. Type the new password again."
	}
	if err := apperr.Validation(f); err != nil {
		return err
	}
	hash, err := hashPassword(in.New, s.cost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		err := tx.Model(&accountRow{}).Where("id = ?", by.Account.ID).
			Updates(map[string]any{"password_hash": hash, "must_change_password": false, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		q := tx.Model(&sessionRow{}).Where("account_id = ? AND ended_at IS NULL", by.Account.ID)
		if keepSession != "" {
			q = q.Where("token_hash <> ?", secret.Hash(keepSession))
		}
		if err := q.Update("ended_at", now).Error; err != nil {
			return fmt.Errorf("end other sessions: %w", err)
		}
		return audit.For(tx, now, r.actor(by.IP)).Record(audit.AccountPasswordChange, audit.TypeAccount, strconv.FormatInt(r.ID, 10), "")
	})
}

// keepAnAdmin refuses to let account leaving stop being an active admin
// when it is the last one. On Postgres the admins' rows are locked, so two
// admins deactivating each other at the same moment cannot both succeed;
// SQLite serializes write transactions already.
func keepAnAdmin(tx *gorm.DB, leaving int64) error {
	q := tx.Model(&accountRow{}).Select("id").Where("role = ? AND active = ?", string(Admin), true)
	if store.DialectOf(tx) == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []accountRow
	if err := q.Find(&rows).Error; err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	isAdmin, others := false, 0
	for _, r := range rows {
		if r.ID == leaving {
			isAdmin = true
		} else {
			others++
		}
	}
	if isAdmin && others == 0 {
		return errLastAdmin
	}
	return nil
}

// clinicianExists refuses a clinician id that names nobody.
func (s *Service) clinicianExists(tx *gorm.DB, id int64) error {
	if s.clinicians == nil {
		return errors.New("staff: built without the clinicians to check an account's against")
	}
	ok, err := s.clinicians.ClinicianExistsTx(tx, id)
	if err != nil {
		return err
	}
	if !ok {
		return &apperr.Error{Kind: apperr.Invalid, Code: "invalid_input", Message: "No such clinician.",
			Fields: map[string]string{"clinician_id": "There is no clinician with that id."}}
	}
	return nil
}

func sameID(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// roleDetail describes a role for the audit log: "clinician 3", "frontdesk".
func roleDetail(r Role, clinicianID *int64) string {
	if clinicianID != nil {
		return string(r) + " (clinician " + strconv.FormatInt(*clinicianID, 10) + ")"
	}
	return string(r)
}

// nameProblem checks the optional display name of an account.
func nameProblem(name string) string {
	if !mailbox.NameOK(name) {
		return "Use at most 200 characters, on one line."
	}
	return ""
}

// passwordAlphabet leaves out characters that are easy to misread or
// mistype when a password is read aloud or copied from a screen (0/o, 1/l/i).
const passwordAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// oneTimePassword returns a password for an admin to hand over: four groups
// of five characters (about 99 bits), easy to read out and to type.
func oneTimePassword() string {
	const n = 20
	// Bytes at or above limit are dropped so that every character is
	// equally likely (256 is not a multiple of the alphabet's length).
	limit := byte(256 / len(passwordAlphabet) * len(passwordAlphabet))
	var sb strings.Builder
	buf := make([]byte, 32)
	for chars := 0; chars < n; {
		rand.Read(buf) // never fails
		for _, x := range buf {
			if x >= limit || chars == n {
				continue
			}
			if chars > 0 && chars%5 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(passwordAlphabet[int(x)%len(passwordAlphabet)])
			chars++
		}
	}
	return sb.String()
}
