package booking

import (
	"time"

	"gorm.io/gorm"
)

// Canceller says who cancelled a consultation.
type Canceller string

const (
	CancelledByClient Canceller = "client" // through a manage link or the API
	CancelledByStaff  Canceller = "staff"  // on the client's behalf
)

// requestAfterCancel tells the request (through Intakes) that its
// consultation was cancelled, unless another one is still booked for it:
// the request then goes back to the front desk's work.
func (s *Service) requestAfterCancel(tx *gorm.DB, intakeID int64, by Canceller, now time.Time) error {
	upcoming, err := hasUpcoming(tx, intakeID, now)
	if err != nil || upcoming {
		return err
	}
	return s.intakes.MarkCancelled(tx, intakeID, by, now)
}
