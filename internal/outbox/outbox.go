// Package outbox is Firststep's transactional outbox: every email is written
// as a row in the same transaction as the change that causes it (a booking,
// a cancellation), and a worker delivers the rows afterwards, at least once,
// retrying with backoff while the mail server is unreachable.
//
// A row is claimed by one worker at a time with a conditional UPDATE, so two
// workers — in one process or in several instances on one Postgres database —
// never send the same row at the same time, and a message the server has
// accepted is marked sent and never sent again.
package outbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The states of a message.
const (
	StatusPending = "pending" // waiting for its first or next attempt
	StatusSent    = "sent"    // accepted by the mail server (or written to a file)
	StatusFailed  = "failed"  // refused for good; only staff can send it again
)

// Message is one email to deliver. From and To are bare envelope addresses
// ("clinic@example.org"); Raw is the complete RFC 5322 message with CRLF line
// endings, sent byte for byte. Raw must carry a Message-ID header equal to
// MessageID: a retry resends the same bytes, so a receiver that sees the
// message twice (the server accepted it but the acceptance never reached us)
// can recognise the copy.
type Message struct {
	MessageID string
	From      string
	To        []string
	Subject   string
	Raw       []byte
	BookingID *int64
	IntakeID  *int64
	// Purpose says what the email is, as a code of its sender's
	// ("new.client"); staff read it as words (booking.EmailWords).
	Purpose string
}

// messageRow is the outbox_messages table. It never leaves the package.
type messageRow struct {
	ID            int64 `gorm:"primaryKey"`
	MessageID     string
	Sender        string
	Recipients    string // JSON array of bare addresses
	Subject       string
	Raw           string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LockedUntil   *time.Time
	LastError     string
	BookingID     *int64
	IntakeID      *int64
	Purpose       string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SentAt        *time.Time
}

func (messageRow) TableName() string { return "outbox_messages" }

// Enqueue records msgs in the caller's transaction tx, due at now. The
// messages exist exactly when the transaction commits; call Worker.Notify
// after the commit so that they go out at once rather than at the next poll.
func Enqueue(tx *gorm.DB, now time.Time, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	now = now.UTC()
	rows := make([]messageRow, 0, len(msgs))
	for i, m := range msgs {
		if err := m.validate(); err != nil {
			return fmt.Errorf("enqueue message %d: %w", i, err)
		}
		to, err := json.Marshal(m.To)
		if err != nil {
			return fmt.Errorf("enqueue message %d: %w", i, err)
		}
		rows = append(rows, messageRow{
			MessageID:     m.MessageID,
			Sender:        m.From,
			Recipients:    string(to),
			Subject:       m.Subject,
			Raw:           string(m.Raw),
			Status:        StatusPending,
			NextAttemptAt: now,
			BookingID:     m.BookingID,
			IntakeID:      m.IntakeID,
			Purpose:       m.Purpose,
			CreatedAt:     now,
			UpdatedAt:     now,
		})
	}
	if err := tx.Create(&rows).Error; err != nil {
		return fmt.Errorf("enqueue %d message(s): %w", len(rows), err)
	}
	return nil
}

// validate rejects messages the worker could never deliver, so that the
// mistake surfaces in the transaction that made it rather than as a failed
// row later.
func (m Message) validate() error {
	if strings.TrimSpace(m.MessageID) == "" {
		return errors.New("message ID is empty")
	}
	if strings.ContainsAny(m.MessageID, "\r\n") {
		return errors.New("message ID contains a line break")
	}
	if err := checkAddress(m.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if len(m.To) == 0 {
		return errors.New("no recipients")
	}
	for _, to := range m.To {
		if err := checkAddress(to); err != nil {
			return fmt.Errorf("to: %w", err)
		}
	}
	if len(m.Raw) == 0 {
		return errors.New("raw message is empty")
	}
	// The raw column is TEXT: Postgres refuses invalid UTF-8 and NUL bytes.
	// MIME-encoded messages are ASCII, so this only catches broken input.
	if !utf8.Valid(m.Raw) || bytes.IndexByte(m.Raw, 0) >= 0 {
		return errors.New("raw message is not valid UTF-8 text")
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return fmt.Errorf("raw message headers: %w", err)
	}
	header := parsed.Header.Get("Message-ID")
	if header == "" {
		return errors.New("raw message has no Message-ID header")
	}
	if bareID(header) != bareID(m.MessageID) {
		return fmt.Errorf("raw message's Message-ID %q differs from MessageID %q", header, m.MessageID)
	}
	return nil
}

// checkAddress accepts a bare address ("a@example.org"), not a display form
// ("A <a@example.org>"), since it goes into MAIL FROM / RCPT TO as is.
func checkAddress(addr string) error {
	if addr == "" {
		return errors.New("address is empty")
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Address != addr || parsed.Name != "" {
		return errors.New("not a bare email address") // the address itself is not logged
	}
	return nil
}

// bareID is a Message-ID without its angle brackets and surrounding space.
func bareID(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
}
