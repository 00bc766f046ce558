package booking_test

import (
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
)

func TestChangeable(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		status   string
		start    time.Time
		wantCode string // "" when it can still change
	}{
		{"booked, a minute ahead", booking.StatusActive, now.Add(time.Minute), ""},
		{"booked, starting now", booking.StatusActive, now, "booking_past"},
		{"booked, started", booking.StatusActive, now.Add(-time.Hour), "booking_past"},
		{"cancelled, ahead", booking.StatusCancelled, now.Add(time.Hour), "booking_cancelled"},
		{"cancelled, started", booking.StatusCancelled, now.Add(-time.Hour), "booking_cancelled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := booking.Booking{Status: c.status, Start: c.start, End: c.start.Add(50 * time.Minute)}
			err := b.Changeable(now)
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("Changeable = %v, want nil", err)
				}
				return
			}
			ae := apperr.As(err)
			if ae == nil || ae.Kind != apperr.Conflict || ae.Code != c.wantCode {
				t.Fatalf("Changeable = %v, want a conflict %q", err, c.wantCode)
			}
			if got := b.Past(now); got != !c.start.After(now) {
				t.Errorf("Past = %v", got)
			}
		})
	}
}
