package booking

import (
	"fmt"

	"gorm.io/gorm"
)

// What package intake asks of clinicians and their consultations, read in
// the caller's transaction (tx): whether a clinician can be assigned a
// request, and which clinicians a request is booked with (a clinician sees
// the requests assigned to them or booked with them). internal/app adapts
// these to intake.Clinicians.

// ActiveClinician reports whether clinician id exists and is active.
func ActiveClinician(tx *gorm.DB, id int64) (bool, error) {
	var n int64
	if err := tx.Model(&clinicianRow{}).Where("id = ? AND active = ?", id, true).Count(&n).Error; err != nil {
		return false, fmt.Errorf("find clinician: %w", err)
	}
	return n > 0, nil
}

// CliniciansBookedFor returns the clinicians with an active booking for
// intake intakeID.
func CliniciansBookedFor(tx *gorm.DB, intakeID int64) ([]int64, error) {
	var ids []int64
	err := tx.Model(&bookingRow{}).Where("intake_id = ? AND status = ?", intakeID, StatusActive).
		Distinct().Pluck("clinician_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("find bookings of intake: %w", err)
	}
	return ids, nil
}

// IntakesBookedWith returns the intakes with an active booking with
// clinician clinicianID.
func IntakesBookedWith(tx *gorm.DB, clinicianID int64) ([]int64, error) {
	var ids []int64
	err := tx.Model(&bookingRow{}).Where("clinician_id = ? AND status = ?", clinicianID, StatusActive).
		Distinct().Pluck("intake_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("find intakes booked with clinician: %w", err)
	}
	return ids, nil
}
