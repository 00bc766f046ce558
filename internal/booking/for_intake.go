package booking

import (
	"fmt"

	"gorm.io/gorm"
)

// Scope answers, from booking's own table, which requests a clinician
// holds an active consultation for: what package intake needs to decide
// which requests a clinician may see. It holds nothing, so it can be built
// before the intake service that booking itself depends on; its methods
// run in the caller's transaction.
type Scope struct{}

// BookedClinicians returns the clinicians with an active booking for the
// request intakeID.
func (Scope) BookedClinicians(tx *gorm.DB, intakeID int64) ([]int64, error) {
	var ids []int64
	err := tx.Model(&bookingRow{}).Where("intake_id = ? AND status = ?", intakeID, StatusActive).
		Distinct().Pluck("clinician_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("find bookings of intake: %w", err)
	}
	return ids, nil
}

// IntakesBookedWith is the subquery of the IDs of the requests with an
// active booking with clinicianID, for narrowing a list of requests in SQL.
func (Scope) IntakesBookedWith(tx *gorm.DB, clinicianID int64) *gorm.DB {
	return tx.Session(&gorm.Session{NewDB: true}).Model(&bookingRow{}).Select("intake_id").
		Where("clinician_id = ? AND status = ?", clinicianID, StatusActive)
}
