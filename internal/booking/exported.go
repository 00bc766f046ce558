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

// ClientOf returns who the consultation request intakeID is for.
func (s *Service) ClientOf(ctx context.Context, intakeID int64) (Client, error) {
	return s.clientOf(ctx, intakeID)
}

// FormatWhen formats a consultation's start for a person in zone name.
func FormatWhen(t time.Time, name string) string { return formatWhen(t, name) }
