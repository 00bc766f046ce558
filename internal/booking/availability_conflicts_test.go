package booking_test

import (
	"context"
	"errors"
	"testing"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/schedule"
)

// weekdayMornings are the env's hours (weekdays 09:00–12:00 New York) with
// change applied.
func weekdayMornings(change func(*schedule.AvailabilityInput)) schedule.AvailabilityInput {
	in := schedule.AvailabilityInput{TimeZone: "America/New_York", SlotMinutes: 50, BufferMinutes: 10, HorizonDays: 60}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		in.Weekly = append(in.Weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "09:00", End: "12:00"})
	}
	if change != nil {
		change(&in)
	}
	return in
}

func withoutDay(day string) func(*schedule.AvailabilityInput) {
	return func(in *schedule.AvailabilityInput) {
		var kept []schedule.WeeklyWindowInput
		for _, w := range in.Weekly {
			if w.Weekday != day {
				kept = append(kept, w)
			}
		}
		in.Weekly = kept
	}
}

// Hours that close a day or remove hours holding an upcoming consultation
// are refused with the list of those consultations, unless the change says
// to keep them booked; nothing is saved silently.
func TestHoursThatLeaveConsultationsOutAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r, _ := e.couple("ann@example.org")
	conf, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil) // Wednesday
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := e.svc.Availability(ctx, e.maya.ID)
	cases := []struct {
		name     string
		change   func(*schedule.AvailabilityInput)
		affected bool
	}{
		{"Wednesday no longer worked", withoutDay("wednesday"), true},
		{"the date closed", func(in *schedule.AvailabilityInput) {
			in.Exceptions = []schedule.ExceptionInput{{Date: "2026-12-02", Closed: true}}
		}, true},
		{"the morning starts later", func(in *schedule.AvailabilityInput) { in.Weekly[2].Start = "10:00" }, true},
		{"another zone moves the hours", func(in *schedule.AvailabilityInput) { in.TimeZone = "America/Los_Angeles" }, true},
		{"closed, but extra hours that hold it", func(in *schedule.AvailabilityInput) {
			in.Exceptions = []schedule.ExceptionInput{{Date: "2026-12-02", Closed: true}, {Date: "2026-12-02", Start: "08:00", End: "10:00"}}
		}, false},
		{"another day closed", withoutDay("friday"), false},
		{"longer consultations, shorter notice", func(in *schedule.AvailabilityInput) { in.SlotMinutes, in.MinNoticeHours = 60, 48 }, false},
	}
	for _, c := range cases {
		_, err := e.svc.SetAvailability(ctx, e.maya.ID, weekdayMornings(c.change))
		var conflict *booking.HoursConflict
		switch {
		case !c.affected && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.affected && !errors.As(err, &conflict):
			t.Errorf("%s: err = %v, want the consultation listed", c.name, err)
		case c.affected:
			ae := apperr.As(err)
			if ae == nil || ae.Kind != apperr.Invalid || ae.Code != "hours_hold_consultations" || ae.Details == nil {
				t.Errorf("%s: %+v, want 422 hours_hold_consultations with details", c.name, ae)
			}
			if len(conflict.Consultations) != 1 || conflict.Consultations[0].BookingID != conf.ID || !conflict.Consultations[0].Start.Equal(e.at("09:00")) {
				t.Errorf("%s: affected %+v", c.name, conflict.Consultations)
			}
			if now, _ := e.svc.Availability(ctx, e.maya.ID); len(now.Weekly) != len(saved.Weekly) || now.TimeZone != saved.TimeZone || len(now.Exceptions) != 0 {
				t.Errorf("%s: the refused hours were saved: %+v", c.name, now.Input())
			}
		}
		// Put the hours back for the next case.
		if _, err := e.svc.SetAvailability(ctx, e.maya.ID, saved.Input()); err != nil {
			t.Fatal(err)
		}
	}

	// Kept on purpose: saved, the consultation stays booked, and a later
	// change is not refused for it again.
	keep := weekdayMornings(withoutDay("wednesday"))
	keep.KeepBookings = true
	if _, err := e.svc.SetAvailability(ctx, e.maya.ID, keep); err != nil {
		t.Fatalf("save anyway: %v", err)
	}
	if b, _ := e.svc.ByManageToken(ctx, conf.ManageToken); b.Status != booking.StatusActive {
		t.Errorf("the kept consultation is %s", b.Status)
	}
	if _, err := e.svc.SetAvailability(ctx, e.maya.ID, weekdayMornings(func(in *schedule.AvailabilityInput) {
		withoutDay("wednesday")(in)
		in.BufferMinutes = 15
	})); err != nil {
		t.Errorf("a later change refused for a consultation kept on purpose: %v", err)
	}
	// A cancelled consultation holds nothing.
	if _, err := e.svc.Cancel(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetAvailability(ctx, e.maya.ID, saved.Input()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetAvailability(ctx, e.maya.ID, weekdayMornings(withoutDay("wednesday"))); err != nil {
		t.Errorf("closing a day that holds only a cancelled consultation: %v", err)
	}
}
