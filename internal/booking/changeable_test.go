package booking_test

import (
	"strings"
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

// The change policy: a client may change a consultation until the
// practice's cut-off before it; the window closes at start - cutoff.
func TestClientChangeable(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	day := booking.ChangePolicy{CutoffHours: 24, PracticeName: "Riverbend Therapy", PracticeAddress: "12 River Street"}
	cases := []struct {
		name     string
		status   string
		policy   booking.ChangePolicy
		now      time.Time
		wantCode string
	}{
		{"a second outside the window", booking.StatusActive, day, start.Add(-24*time.Hour - time.Second), ""},
		{"as the window closes", booking.StatusActive, day, start.Add(-24 * time.Hour), "change_window_closed"},
		{"a second inside the window", booking.StatusActive, day, start.Add(-24*time.Hour + time.Second), "change_window_closed"},
		{"a minute before, no cut-off", booking.StatusActive, booking.ChangePolicy{}, start.Add(-time.Minute), ""},
		{"started", booking.StatusActive, day, start, "booking_past"},
		{"cancelled, inside the window", booking.StatusCancelled, day, start.Add(-time.Hour), "booking_cancelled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := booking.Booking{Status: c.status, Start: start, End: start.Add(50 * time.Minute), Policy: c.policy}
			err := b.ClientChangeable(c.now)
			if c.wantCode == "" {
				if err != nil {
					t.Fatalf("ClientChangeable = %v, want nil", err)
				}
				return
			}
			ae := apperr.As(err)
			if ae == nil || ae.Kind != apperr.Conflict || ae.Code != c.wantCode {
				t.Fatalf("ClientChangeable = %v, want a conflict %q", err, c.wantCode)
			}
			if c.wantCode == "change_window_closed" && (!booking.IsChangeWindowClosed(err) || !strings.Contains(ae.Message, "Riverbend Therapy (12 River Street)")) {
				t.Errorf("message %q does not say how to reach the practice", ae.Message)
			}
			if b.Changeable(c.now) != nil && c.wantCode == "change_window_closed" {
				t.Error("staff could no longer change it inside the window")
			}
		})
	}
}
