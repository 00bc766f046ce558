package booking

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Staff book, move and cancel consultations on a client's behalf through
// the same service methods as the client (BookForIntake, RescheduleByID,
// CancelByID): the same rules, the same invitations. What differs is who
// made the change, which the caller records with an AuditHook inside the
// change's own transaction.

// The kinds of change made on a client's behalf, as StaffChange.Kind.
const (
	OnBehalfBook       = "book"
	OnBehalfReschedule = "reschedule"
	OnBehalfCancel     = "cancel"
)

// StaffChange is a booking as a change made on a client's behalf left it.
type StaffChange struct {
	Kind        string // OnBehalfBook, OnBehalfReschedule or OnBehalfCancel
	BookingID   int64
	IntakeID    int64
	ClinicianID int64
	Start       time.Time
	Sequence    int
}

// AuditHook runs inside the transaction of a change made on a client's
// behalf, after the booking and its emails are written; an error undoes the
// whole change. A change that changes nothing (cancelling a cancelled
// booking) does not call it.
type AuditHook func(tx *gorm.DB, ch StaffChange) error

func runHooks(tx *gorm.DB, hooks []AuditHook, kind string, b bookingRow) error {
	for _, h := range hooks {
		if h == nil {
			continue
		}
		err := h(tx, StaffChange{Kind: kind, BookingID: b.ID, IntakeID: b.IntakeID, ClinicianID: b.ClinicianID,
			Start: b.StartAt.UTC(), Sequence: b.Sequence})
		if err != nil {
			return err
		}
	}
	return nil
}

// ByID returns one booking (staff).
func (s *Service) ByID(ctx context.Context, id int64) (Booking, error) {
	db := s.db.WithContext(ctx)
	b, err := bookingByID(db, id)
	if err != nil {
		return Booking{}, err
	}
	return s.view(ctx, db, b, "")
}

// clientOf returns who the consultation request intakeID is for.
func (s *Service) clientOf(ctx context.Context, intakeID int64) (Client, error) {
	return s.intakes.ClientByID(s.db.WithContext(ctx), intakeID)
}
