package staff

import (
	"context"
	"fmt"
	"strconv"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Deactivate stops an account: it can no longer sign in, its open sessions
// end and its API tokens are revoked (reactivating it does not bring them
// back). by must be allowed to manage accounts; the change is audited.
// The last active admin cannot be deactivated.
func (s *Service) Deactivate(ctx context.Context, by Actor, id int64) error {
	if !by.Account.Can(ManageAccounts) {
		return ErrForbidden
	}
	if by.Account.ID == id {
		return apperr.New(apperr.Conflict, "own_account", "You cannot deactivate your own account.")
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if err := keepAnAdmin(tx, id); err != nil {
			return err
		}
		res := tx.Model(&accountRow{}).Where("id = ? AND active = ?", id, true).
			Updates(map[string]any{"active": false, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("deactivate account: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			var n int64
			if err := tx.Model(&accountRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
				return fmt.Errorf("find account: %w", err)
			}
			if n == 0 {
				return apperr.New(apperr.NotFound, "account_not_found", "There is no such account.")
			}
			return nil // already deactivated
		}
		if err := tx.Model(&sessionRow{}).Where("account_id = ? AND ended_at IS NULL", id).Update("ended_at", now).Error; err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		if err := tx.Model(&tokenRow{}).Where("account_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		return audit.For(tx, now, by.Audit()).Record(audit.AccountDisabled, audit.TypeAccount, strconv.FormatInt(id, 10), "")
	})
}
