package intake

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"gorm.io/gorm"
)

// CancelledBy says who cancelled a request's consultation.
type CancelledBy string

const (
	CancelledByClient CancelledBy = "client" // through a manage link or the API
	CancelledByStaff  CancelledBy = "staff"  // on the client's behalf
)

// Cancellation is the cancelled consultation a request is back in review
// for: when, and by whom.
type Cancellation struct {
	At time.Time
	By CancelledBy
}

// Label is how staff read who cancelled: "Cancelled by the client".
func (c Cancellation) Label() string {
	if c.By == CancelledByStaff {
		return "Cancelled by staff"
	}
	return "Cancelled by the client"
}

// afterCancel is where a request in status from goes when its consultation
// is cancelled and no other is booked: a request waiting for its
// consultation goes back to review, where the front desk follows up (offers
// another time, or closes it), whoever cancelled — a consultation cancelled
// by staff is no more booked than one cancelled by the client. A request
// staff have already decided on (accepted, referred out, declined, closed)
// keeps its status.
func afterCancel(from Status) (Status, bool) {
	if from == StatusConsultBooked {
		return StatusInReview, true
	}
	return from, false
}

// MarkCancelled records, in booking's transaction, that intake id's
// consultation was cancelled at now by by and that none is left booked: the
// request leaves "consult booked" for "in review" and shows the
// cancellation until a consultation is booked again. A client's
// cancellation writes the status change to the audit log (no staff member
// made it); a staff member's is recorded by their own entry of the
// cancellation, in the same transaction.
func (s *Service) MarkCancelled(tx *gorm.DB, id int64, by CancelledBy, now time.Time) error {
	var r row
	if err := tx.Select("id", "status").Take(&r, id).Error; err != nil {
		return fmt.Errorf("mark consultation cancelled: %w", err)
	}
	now = now.UTC()
	changes := map[string]any{"consult_cancelled_at": now, "consult_cancelled_by": string(by), "updated_at": now}
	from := Status(r.Status)
	to, moved := afterCancel(from)
	q := tx.Model(&row{}).Where("id = ?", id)
	if moved {
		changes["status"] = string(to)
		q = q.Where("status = ?", string(from))
	}
	res := q.Updates(changes)
	if res.Error != nil {
		return fmt.Errorf("mark consultation cancelled: %w", res.Error)
	}
	if !moved || res.RowsAffected == 0 || by != CancelledByClient {
		return nil
	}
	// A client's own change: nobody on staff made it.
	return audit.For(tx, now, audit.Actor{}).Record(audit.IntakeStatus, audit.TypeIntake, strconv.FormatInt(id, 10),
		fmt.Sprintf("status %s → %s: consultation %s", from, to, strings.ToLower(Cancellation{By: by}.Label())))
}
