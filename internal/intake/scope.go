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

// Clinicians is what intake needs to know of the practice's clinicians and
// their consultations, which package booking keeps; internal/app adapts it.
// Each question is asked inside the caller's transaction (tx).
type Clinicians interface {
	// ActiveClinician reports whether clinician id exists and is active:
	// only such a clinician can be assigned a request.
	ActiveClinician(tx *gorm.DB, id int64) (bool, error)
	// CliniciansBookedFor returns the clinicians with an active booking
	// for intake intakeID.
	CliniciansBookedFor(tx *gorm.DB, intakeID int64) ([]int64, error)
	// IntakesBookedWith returns the intakes with an active booking with
	// clinician clinicianID.
	IntakesBookedWith(tx *gorm.DB, clinicianID int64) ([]int64, error)
}

// Which intakes a staff member sees is decided by staff.CanSeeIntake for
// one intake and by scoped for lists; the two say the same thing: every
// intake for admins and front desk, and for a clinician those assigned to
// them or with an active booking with them. Bookings are asked of
// Clinicians.

// loadVisible loads intake id if acc may see it: not found, or forbidden.
func (s *Service) loadVisible(tx *gorm.DB, acc staff.Account, id int64) (row, error) {
	var r row
	err := tx.Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row{}, ErrNotFound
	}
	if err != nil {
		return row{}, fmt.Errorf("load intake: %w", err)
	}
	if acc.Can(staff.ViewAllIntakes) {
		return r, nil
	}
	booked, err := s.clinicians.CliniciansBookedFor(tx, id)
	if err != nil {
		return row{}, err
	}
	if !staff.CanSeeIntake(acc, r.AssignedClinicianID, booked) {
		return row{}, errNotYours
	}
	return r, nil
}

// scoped narrows an intakes query on db to what acc may see. A clinician's
// booked requests are listed by id: a clinician has a consultation's worth
// of them, far below the databases' limits on parameters.
func (s *Service) scoped(db, q *gorm.DB, acc staff.Account) (*gorm.DB, error) {
	if acc.Can(staff.ViewAllIntakes) {
		return q, nil
	}
	if !acc.Can(staff.ViewOwnIntakes) || acc.ClinicianID == nil {
		return q.Where("1 = 0"), nil
	}
	me := *acc.ClinicianID
	booked, err := s.clinicians.IntakesBookedWith(db, me)
	if err != nil {
		return nil, err
	}
	if len(booked) == 0 {
		return q.Where("intakes.assigned_clinician_id = ?", me), nil
	}
	return q.Where("(intakes.assigned_clinician_id = ? OR intakes.id IN ?)", me, booked), nil
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
			return record(tx, now, by, audit.IntakeViewDenied, id, "")
		}
		if err != nil {
			return err
		}
		in = r.intake()
		if in.Partner, err = partnerAnswers(tx, id); err != nil {
			return err
		}
		return record(tx, now, by, audit.IntakeView, id, "")
	})
	if err != nil {
		return Intake{}, err
	}
	if denied != nil {
		return Intake{}, denied
	}
	return in, nil
}
