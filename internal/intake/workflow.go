package intake

import (
	"context"
	"fmt"
	"strconv"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// transitions is the review workflow: where an intake in each status may
// go next. new → in_review → consult_booked → accepted / referred_out /
// declined / closed, with the shortcuts the front desk needs (a request
// that is plainly not for the practice is declined or referred out from
// new; a cancelled consultation goes back to review; a closed request can
// be reopened for review).
var transitions = map[Status][]Status{
	StatusNew:           {StatusInReview, StatusConsultBooked, StatusReferredOut, StatusDeclined, StatusClosed},
	StatusInReview:      {StatusConsultBooked, StatusAccepted, StatusReferredOut, StatusDeclined, StatusClosed},
	StatusConsultBooked: {StatusInReview, StatusAccepted, StatusReferredOut, StatusDeclined, StatusClosed},
	StatusAccepted:      {StatusClosed},
	StatusReferredOut:   {StatusClosed},
	StatusDeclined:      {StatusClosed},
	StatusClosed:        {StatusInReview},
}

// NextStatuses returns the statuses an intake in from may move to.
func NextStatuses(from Status) []Status {
	return append([]Status(nil), transitions[from]...)
}

// CheckTransition returns nil when an intake may move from → to, and an
// Invalid error for the "status" field otherwise.
func CheckTransition(from, to Status) error {
	if !valid(Statuses, string(to)) {
		return apperr.Validation(map[string]string{"status": "Choose a status from the list."})
	}
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	return apperr.Validation(map[string]string{"status": fmt.Sprintf("A request that is %q cannot move to %q.",
		Label(Statuses, string(from)), Label(Statuses, string(to)))})
}

// Actor is the staff member making a request and where from.
type Actor = staff.Actor

// entry is the audit entry of an action by a on intake intakeID.
func entry(a Actor, action string, intakeID int64, detail string) audit.Entry {
	return a.Entry(action, audit.TypeIntake, strconv.FormatInt(intakeID, 10), detail)
}

var (
	errForbidden = apperr.New(apperr.Forbidden, "forbidden", "Your role does not allow this. Ask an administrator if you need it.")
	errNotYours  = apperr.New(apperr.Forbidden, "forbidden", "This request is not assigned to you or booked with you. Ask the front desk if you should see it.")
)

// SetStatus moves an intake to another status of the workflow. seen is the
// status the person saw when they chose (empty: whatever it is now); if
// someone else has moved the intake since, nothing changes and the answer
// is a conflict. The change and its audit entry commit together.
func (s *Service) SetStatus(ctx context.Context, by Actor, id int64, to, seen Status) error {
	if !by.Account.Can(staff.EditIntake) {
		return errForbidden
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		r, err := s.loadVisible(tx, by.Account, id)
		if err != nil {
			return err
		}
		from := Status(r.Status)
		if seen != "" && seen != from {
			return statusChanged(from)
		}
		if err := CheckTransition(from, to); err != nil {
			return err
		}
		res := tx.Model(&row{}).Where("id = ? AND status = ?", id, string(from)).
			Updates(map[string]any{"status": string(to), "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("set intake status: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return statusChanged("")
		}
		return audit.Record(tx, now, entry(by, audit.IntakeStatus, id, fmt.Sprintf("status %s → %s", from, to)))
	})
}

func statusChanged(now Status) error {
	msg := "Someone else changed this request's status while you were looking at it. Check it and choose again."
	if now != "" {
		msg = fmt.Sprintf("Someone else changed this request's status to %q while you were looking at it. Check it and choose again.", Label(Statuses, string(now)))
	}
	return &apperr.Error{Kind: apperr.Conflict, Code: "status_changed", Message: msg, Fields: map[string]string{"status": msg}}
}

// Assign makes clinicianID the clinician of an intake (nil: nobody). The
// clinician must exist and be active. Assigning the clinician already
// assigned changes and records nothing.
func (s *Service) Assign(ctx context.Context, by Actor, id int64, clinicianID *int64) error {
	if !by.Account.Can(staff.AssignIntake) {
		return errForbidden
	}
	now := s.now().UTC()
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		r, err := s.loadVisible(tx, by.Account, id)
		if err != nil {
			return err
		}
		if clinicianID != nil {
			var n int64
			if err := tx.Table("clinicians").Where("id = ? AND active = ?", *clinicianID, true).Count(&n).Error; err != nil {
				return fmt.Errorf("find clinician: %w", err)
			}
			if n == 0 {
				return apperr.Validation(map[string]string{"clinician_id": "Choose a clinician from the list."})
			}
		}
		was := r.AssignedClinicianID
		if sameID(was, clinicianID) {
			return nil
		}
		err = tx.Model(&row{}).Where("id = ?", id).
			Updates(map[string]any{"assigned_clinician_id": clinicianID, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("assign intake: %w", err)
		}
		return audit.Record(tx, now, entry(by, audit.IntakeAssign, id, assignDetail(was, clinicianID)))
	})
}

func sameID(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func assignDetail(was, now *int64) string {
	switch {
	case now == nil:
		return fmt.Sprintf("unassigned (was clinician %d)", *was)
	case was == nil:
		return fmt.Sprintf("assigned clinician %d", *now)
	default:
		return fmt.Sprintf("assigned clinician %d (was %d)", *now, *was)
	}
}
