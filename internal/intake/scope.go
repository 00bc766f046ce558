package intake

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Which intakes a staff member sees is decided by staff.CanSeeIntake for
// one intake and by scoped for lists; the two say the same thing: every
// intake for admins and front desk, and for a clinician those assigned to
// them or with an active booking with them. Which bookings are active is
// booking's to say: it answers through BookingScope.

// BookingScope is what intake needs of booking to decide which requests a
// clinician sees; booking.Scope is the one. Its methods run in the
// caller's transaction.
type BookingScope interface {
	// BookedClinicians returns the clinicians with an active booking for
	// the request intakeID.
	BookedClinicians(tx *gorm.DB, intakeID int64) ([]int64, error)
	// IntakesBookedWith is the subquery of the IDs of the requests with an
	// active booking with clinicianID.
	IntakesBookedWith(tx *gorm.DB, clinicianID int64) *gorm.DB
}

// loadVisible loads intake id if acc may see it: not found, or forbidden.
func (s *Service) loadVisible(tx *gorm.DB, acc staff.Account, id int64) (row, error) {
	var r row
	err := tx.Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row{}, errNotFound
	}
	if err != nil {
		return row{}, fmt.Errorf("load intake: %w", err)
	}
	if acc.Can(staff.ViewAllIntakes) {
		return r, nil
	}
	booked, err := s.bookings.BookedClinicians(tx, id)
	if err != nil {
		return row{}, err
	}
	if !staff.CanSeeIntake(acc, r.AssignedClinicianID, booked) {
		return row{}, errNotYours
	}
	return r, nil
}

// scoped narrows an intakes query to what acc may see.
func (s *Service) scoped(q *gorm.DB, acc staff.Account) *gorm.DB {
	if acc.Can(staff.ViewAllIntakes) {
		return q
	}
	if !acc.Can(staff.ViewOwnIntakes) || acc.ClinicianID == nil {
		return q.Where("1 = 0")
	}
	me := *acc.ClinicianID
	return q.Where("(intakes.assigned_clinician_id = ? OR intakes.id IN (?))", me, s.bookings.IntakesBookedWith(q, me))
}

// listDetail names the intakes a list returned, as far as the audit
// entry's detail has room.
func listDetail(list []Intake) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d intakes", len(list))
	for i, in := range list {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		id := strconv.FormatInt(in.ID, 10)
		if b.Len()+len(sep)+len(id) > 480 {
			b.WriteString(", …")
			break
		}
		b.WriteString(sep + id)
	}
	return b.String()
}

// GetForStaff returns intake id to a staff member who may see it and
// records the view. A clinician asking for another clinician's intake is
// refused, and the refusal is recorded too.
func (s *Service) GetForStaff(ctx context.Context, by Actor, id int64) (Intake, error) {
	if !by.Account.Can(staff.ViewOwnIntakes) {
		return Intake{}, errForbidden
	}
	now := s.now().UTC()
	var (
		in     Intake
		denied error
	)
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		r, err := s.loadVisible(tx, by.Account, id)
		if errors.Is(err, errNotYours) {
			denied = err
			return audit.Record(tx, now, entry(by, audit.IntakeViewDenied, id, ""))
		}
		if err != nil {
			return err
		}
		in = r.intake()
		if in.Partner, err = partnerAnswers(tx, id); err != nil {
			return err
		}
		return audit.Record(tx, now, entry(by, audit.IntakeView, id, ""))
	})
	if err != nil {
		return Intake{}, err
	}
	if denied != nil {
		return Intake{}, denied
	}
	return in, nil
}

// ClinicianOption is a clinician as the assignment list shows them.
type ClinicianOption struct {
	ID     int64
	Name   string
	Active bool
}

// Clinicians lists the practice's clinicians by name, for assigning
// intakes and filtering the queue (a read-only query of the clinicians
// table).
func (s *Service) Clinicians(ctx context.Context) ([]ClinicianOption, error) {
	var out []ClinicianOption
	err := s.db.WithContext(ctx).Table("clinicians").Select("id, name, active").Order("name, id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list clinicians: %w", err)
	}
	return out, nil
}
