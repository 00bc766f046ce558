package booking

import (
	"fmt"

	"gorm.io/gorm"
)

// ClinicianExists reports whether clinician id exists, inside the caller's
// transaction: staff asks it before tying an account to a clinician.
func ClinicianExists(tx *gorm.DB, id int64) (bool, error) {
	var n int64
	if err := tx.Model(&clinicianRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return false, fmt.Errorf("find clinician: %w", err)
	}
	return n > 0, nil
}

// ClinicianExistsTx is ClinicianExists for callers that hold the service.
func (s *Service) ClinicianExistsTx(tx *gorm.DB, id int64) (bool, error) {
	return ClinicianExists(tx, id)
}
