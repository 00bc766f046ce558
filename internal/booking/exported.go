package booking

import (
	"context"
	"time"
)

// The errors the pages tell apart (errors.Is) to show a refused choice on
// the page that made it rather than on an error page.
var (
	ErrSlotNotOpen       = errSlotNotOpen
	ErrAlreadyBooked     = errAlreadyBooked
	ErrCancelled         = errCancelled
	ErrPast              = errPast
	ErrBookingNotFound   = errBookingNotFound
	ErrClinicianNotFound = errClinicianNotFound
	ErrNoAvailability    = errNoAvailability
)

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Changeable returns why b can no longer be moved or cancelled at now
// (cancelled, or started), or nil.
func (b Booking) Changeable(now time.Time) error {
	return changeable(bookingRow{Status: b.Status, StartAt: b.Start}, now)
}

// ClientOf returns who the consultation request intakeID is for.
func (s *Service) ClientOf(ctx context.Context, intakeID int64) (Client, error) {
	return s.clientOf(ctx, intakeID)
}

// EmptyWeek is the week from monday with no open times.
func EmptyWeek(monday Date, loc *time.Location) []DayPreview { return groupWeek(monday, nil, loc) }

// FormatWhen formats a consultation's start for a person in zone name.
func FormatWhen(t time.Time, name string) string { return formatWhen(t, name) }
