package booking

import (
	"fmt"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/practice"

	"gorm.io/gorm"
)

// Whether a consultation can still be rescheduled or cancelled — by its
// client through a manage link or by staff on the client's behalf — is
// decided here and nowhere else: only while it is booked (active) and has
// not started. changeable says it for one booking; stillChangeable says
// the same of a query of many. Its client, in addition, only until the
// practice's change cut-off before it (the change policy, clientChangeable):
// inside that window they are asked to contact the practice, and staff can
// still change it for them.

// started reports whether a consultation that starts at start has started
// at now.
func started(start, now time.Time) bool { return !now.Before(start) }

// changeable returns nil while a consultation with status and start can
// still be changed at now, else the conflict that tells the person why not.
func changeable(status string, start, now time.Time) error {
	if status != StatusActive {
		return errCancelled
	}
	if started(start, now) {
		return errPast
	}
	return nil
}

// Changeable returns nil while b can still be rescheduled or cancelled at
// now, else the conflict that says why not (cancelled, or started).
func (b Booking) Changeable(now time.Time) error { return changeable(b.Status, b.Start, now) }

// Past reports whether the consultation has started.
func (b Booking) Past(now time.Time) bool { return started(b.Start, now) }

func (b bookingRow) changeable(now time.Time) error { return changeable(b.Status, b.StartAt, now) }

// stillChangeable narrows a query of bookings to those changeable at now.
func stillChangeable(q *gorm.DB, now time.Time) *gorm.DB {
	return q.Where("status = ? AND start_at > ?", StatusActive, now.UTC())
}

// CodeChangeWindowClosed is the code of the refusal of a client's change
// inside the practice's change cut-off.
const CodeChangeWindowClosed = "change_window_closed"

// ChangePolicy is what the change policy needs of the practice's
// settings: the cut-off, and how a client reaches the practice instead.
type ChangePolicy struct {
	// CutoffHours before a consultation its client can no longer change
	// it; 0 means until it starts.
	CutoffHours int
	// PracticeName and PracticeAddress tell the client whom to contact.
	PracticeName, PracticeAddress string
}

// policyOf reads the change policy from the practice's settings; the name
// is the one emails use (the operator's until an admin saves one).
func (s *Service) policyOf(st practice.Settings) ChangePolicy {
	return ChangePolicy{CutoffHours: st.ChangeCutoffHours, PracticeName: st.EmailName(s.cfg.FromName),
		PracticeAddress: strings.Join(strings.Fields(strings.ReplaceAll(st.Address, "\n", ", ")), " ")}
}

// windowClosed reports whether, at now, a consultation starting at start
// is inside the cut-off: the window closes cutoff before the start.
func (p ChangePolicy) windowClosed(start, now time.Time) bool {
	cutoff := time.Duration(p.CutoffHours) * time.Hour
	return cutoff > 0 && !now.Before(start.Add(-cutoff))
}

// Contact is the sentence that tells a client how to reach the practice.
func (p ChangePolicy) Contact() string {
	if p.PracticeAddress != "" {
		return fmt.Sprintf("Please contact %s (%s) if you need to change or cancel it.", p.PracticeName, p.PracticeAddress)
	}
	return fmt.Sprintf("Please contact %s if you need to change or cancel it.", p.PracticeName)
}

// closedError is the refusal of a client's change inside the cut-off.
func (p ChangePolicy) closedError() *apperr.Error {
	return apperr.New(apperr.Conflict, CodeChangeWindowClosed, fmt.Sprintf(
		"Your consultation is less than %d hours away, so it can no longer be rescheduled or cancelled online. %s",
		p.CutoffHours, p.Contact()))
}

// clientChangeable returns nil while the client of a consultation with
// status and start may still change it themselves at now: it can change
// at all (changeable), and it is not yet inside the practice's cut-off.
func clientChangeable(status string, start, now time.Time, p ChangePolicy) error {
	if err := changeable(status, start, now); err != nil {
		return err
	}
	if p.windowClosed(start, now) {
		return p.closedError()
	}
	return nil
}

// ClientChangeable returns nil while b's client may still reschedule or
// cancel it at now, under the change policy it was read with.
func (b Booking) ClientChangeable(now time.Time) error {
	return clientChangeable(b.Status, b.Start, now, b.Policy)
}

// IsChangeWindowClosed reports whether err refuses a client's change
// inside the cut-off.
func IsChangeWindowClosed(err error) bool {
	e := apperr.As(err)
	return e != nil && e.Code == CodeChangeWindowClosed
}

// mayChange is the check of a change inside its transaction: a client's
// under the change policy, staff's until the consultation starts.
func (b bookingRow) mayChange(now time.Time, p ChangePolicy, byClient bool) error {
	if byClient {
		return clientChangeable(b.Status, b.StartAt, now, p)
	}
	return b.changeable(now)
}
