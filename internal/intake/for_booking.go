package intake

import (
	"errors"
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/secret"
	"gorm.io/gorm"
)

// ByTokenTx is ByToken inside the caller's transaction, for booking.
func (s *Service) ByTokenTx(tx *gorm.DB, token string) (Intake, error) {
	if token == "" {
		return Intake{}, ErrNotFound
	}
	var r row
	err := tx.Where("token_hash = ?", secret.Hash(token)).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Intake{}, ErrNotFound
	}
	if err != nil {
		return Intake{}, fmt.Errorf("load intake: %w", err)
	}
	return r.intake(), nil
}

// GetTx is Get inside the caller's transaction.
func (s *Service) GetTx(tx *gorm.DB, id int64) (Intake, error) {
	var r row
	err := tx.First(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Intake{}, ErrNotFound
	}
	if err != nil {
		return Intake{}, fmt.Errorf("load intake: %w", err)
	}
	return r.intake(), nil
}

// KindsTx returns the kind of each of the intakes ids that exists, and
// nothing else of them: what a clinician's list of consultations shows.
func (s *Service) KindsTx(tx *gorm.DB, ids []int64) (map[int64]Kind, error) {
	out := make(map[int64]Kind, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []struct {
		ID   int64
		Kind Kind
	}
	if err := tx.Model(&row{}).Select("id, kind").Where("id IN ?", ids).Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("read request kinds: %w", err)
	}
	for _, k := range list {
		out[k.ID] = k.Kind
	}
	return out, nil
}

// MarkBooked moves an intake to "consult booked" when a consultation is
// booked for it, unless staff have already moved it past that point. A
// cancellation shown on the request is cleared: there is a consultation
// again.
func (s *Service) MarkBooked(tx *gorm.DB, id int64, now time.Time) error {
	err := tx.Model(&row{}).Where("id = ? AND status IN ?", id, []string{string(StatusNew), string(StatusInReview)}).
		Updates(map[string]any{"status": string(StatusConsultBooked), "updated_at": now.UTC()}).Error
	if err != nil {
		return fmt.Errorf("mark intake booked: %w", err)
	}
	err = tx.Model(&row{}).Where("id = ? AND consult_cancelled_at IS NOT NULL", id).
		Updates(map[string]any{"consult_cancelled_at": nil, "consult_cancelled_by": ""}).Error
	if err != nil {
		return fmt.Errorf("mark intake booked: %w", err)
	}
	return nil
}
