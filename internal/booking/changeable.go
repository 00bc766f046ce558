package booking

import (
	"time"

	"gorm.io/gorm"
)

// Whether a consultation can still be rescheduled or cancelled — by its
// client through a manage link or by staff on the client's behalf — is
// decided here and nowhere else: only while it is booked (active) and has
// not started. changeable says it for one booking; stillChangeable says
// the same of a query of many.

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
