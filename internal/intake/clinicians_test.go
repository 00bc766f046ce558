package intake

import (
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/staff"
	"gorm.io/gorm"
)

// bookingClinicians is Clinicians answered by package booking, as
// internal/app wires it: the tests scope intakes by real bookings.
type bookingClinicians struct{}

var _ Clinicians = bookingClinicians{}

func (bookingClinicians) ActiveClinician(tx *gorm.DB, id int64) (bool, error) {
	return booking.ActiveClinician(tx, id)
}

func (bookingClinicians) CliniciansBookedFor(tx *gorm.DB, intakeID int64) ([]int64, error) {
	return booking.CliniciansBookedFor(tx, intakeID)
}

func (bookingClinicians) IntakesBookedWith(tx *gorm.DB, clinicianID int64) ([]int64, error) {
	return booking.IntakesBookedWith(tx, clinicianID)
}

// BookingClinicians is bookingClinicians for the package's external tests.
var BookingClinicians Clinicians = bookingClinicians{}

// StaffClinicians is staff.Clinicians as internal/app wires it, for the
// external tests.
var StaffClinicians staff.Clinicians = staffClinicians{}

// newTestService is a service over db with the test key, its clinicians
// and note authors answered by the real booking and staff packages.
func newTestService(db *gorm.DB, now func() time.Time) *Service {
	return NewService(db, now, testKey, bookingClinicians{}, staff.NewService(db, now, staffClinicians{}))
}

// staffClinicians is staff.Clinicians answered by package booking, as
// internal/app wires it.
type staffClinicians struct{}

func (staffClinicians) ClinicianExistsTx(tx *gorm.DB, id int64) (bool, error) {
	return booking.ClinicianExists(tx, id)
}
