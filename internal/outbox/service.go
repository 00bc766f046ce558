package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"gorm.io/gorm"
)

// Status is what staff see of one email: where it stands and why, never its
// body.
type Status struct {
	ID            int64      `json:"id"`
	MessageID     string     `json:"message_id"`
	Recipients    []string   `json:"recipients"`
	Subject       string     `json:"subject"`
	Status        string     `json:"status"` // StatusPending, StatusSent or StatusFailed
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"` // the mail server's reply to the last failed attempt
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	BookingID     *int64     `json:"booking_id,omitempty"`
	IntakeID      *int64     `json:"intake_id,omitempty"`
	Purpose       string     `json:"purpose,omitempty"` // the sender's code of what the email is
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// Service answers staff questions about emails and lets them send a failed
// one again.
type Service struct {
	db   *gorm.DB
	now  func() time.Time
	wake func()
}

// NewService returns a Service on db; now is the clock (time.Now when nil)
// and wake, when not nil, is called after a successful Retry — pass
// Worker.Notify so that the email goes out at once.
func NewService(db *gorm.DB, now func() time.Time, wake func()) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now, wake: wake}
}

// statusColumns leaves out raw: staff views never load message bodies.
var statusColumns = []string{
	"id", "message_id", "recipients", "subject", "status", "attempts", "last_error",
	"next_attempt_at", "booking_id", "intake_id", "purpose", "created_at", "sent_at",
}

// failedLimit bounds the failed list; an outbox with more failures than this
// has a configuration problem that the first page already shows.
const failedLimit = 500

// ForBooking returns the emails caused by a booking, oldest first.
func (s *Service) ForBooking(ctx context.Context, bookingID int64) ([]Status, error) {
	var rows []messageRow
	err := s.db.WithContext(ctx).Select(statusColumns).
		Where("booking_id = ?", bookingID).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("emails for booking %d: %w", bookingID, err)
	}
	return statusesOf(rows)
}

// ForIntake returns the emails caused by an intake, oldest first.
func (s *Service) ForIntake(ctx context.Context, intakeID int64) ([]Status, error) {
	var rows []messageRow
	err := s.db.WithContext(ctx).Select(statusColumns).
		Where("intake_id = ?", intakeID).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("emails for intake %d: %w", intakeID, err)
	}
	return statusesOf(rows)
}

// Failed returns the emails the mail server refused for good, newest first.
func (s *Service) Failed(ctx context.Context) ([]Status, error) {
	var rows []messageRow
	err := s.db.WithContext(ctx).Select(statusColumns).
		Where("status = ?", StatusFailed).Order("updated_at DESC, id DESC").Limit(failedLimit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("failed emails: %w", err)
	}
	return statusesOf(rows)
}

// Retry makes a failed email due again now, keeping its Message-ID and bytes.
// It returns apperr NotFound for an unknown id and Conflict when the email
// has not failed (it is still being tried, or it was sent).
func (s *Service) Retry(ctx context.Context, id int64) error {
	if err := s.RetryTx(s.db.WithContext(ctx), id); err != nil {
		return err
	}
	s.Wake()
	return nil
}

// RetryTx is Retry inside the caller's transaction tx, so that the retry and
// the record of who asked for it commit together. Call Wake after the
// commit so that the email goes out at once.
func (s *Service) RetryTx(tx *gorm.DB, id int64) error {
	now := s.now().UTC()
	res := tx.Exec(`UPDATE outbox_messages
		SET status = ?, next_attempt_at = ?, locked_until = NULL, updated_at = ?
		WHERE id = ? AND status = ?`,
		StatusPending, now, now, id, StatusFailed)
	if res.Error != nil {
		return fmt.Errorf("retry email %d: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var row messageRow
	err := tx.Select("id", "status").Take(&row, id).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return apperr.New(apperr.NotFound, "email_not_found", "That email does not exist.")
	case err != nil:
		return fmt.Errorf("retry email %d: %w", id, err)
	case row.Status == StatusSent:
		return apperr.New(apperr.Conflict, "email_already_sent", "That email has already been sent.")
	default:
		return apperr.New(apperr.Conflict, "email_not_failed", "That email has not failed; it is still being sent.")
	}
}

// Wake tells the worker that an email is due now.
func (s *Service) Wake() {
	if s.wake != nil {
		s.wake()
	}
}

func statusesOf(rows []messageRow) ([]Status, error) {
	out := make([]Status, 0, len(rows))
	for _, r := range rows {
		var to []string
		if err := json.Unmarshal([]byte(r.Recipients), &to); err != nil {
			return nil, fmt.Errorf("email %d recipients: %w", r.ID, err)
		}
		out = append(out, Status{
			ID:            r.ID,
			MessageID:     r.MessageID,
			Recipients:    to,
			Subject:       r.Subject,
			Status:        r.Status,
			Attempts:      r.Attempts,
			LastError:     r.LastError,
			NextAttemptAt: r.NextAttemptAt.UTC(),
			BookingID:     r.BookingID,
			IntakeID:      r.IntakeID,
			Purpose:       r.Purpose,
			CreatedAt:     r.CreatedAt.UTC(),
			SentAt:        utcPtr(r.SentAt),
		})
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
