package booking_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/schedule"
)

func TestWeekPreview(t *testing.T) {
	t.Parallel()
	// Every case runs with the clock of newEnv: Tuesday 1 December 2026,
	// 12:00 UTC (07:00 in New York). Times are shown as the clinician's
	// wall clock with the zone's abbreviation.
	nights := func(day string) schedule.AvailabilityInput {
		return schedule.AvailabilityInput{TimeZone: "America/New_York", SlotMinutes: 60, HorizonDays: 365,
			Weekly: []schedule.WeeklyWindowInput{
				{Weekday: "monday", Start: "09:00", End: "11:00"},
				{Weekday: day, Start: "00:00", End: "04:00"},
			}}
	}
	cases := []struct {
		name  string
		rules *schedule.AvailabilityInput // nil: Maya's weekdays 09:00–12:00, 50 + 10 minutes
		book  []string                    // New York times on Wednesday 2 December to book first
		week  string                      // any day of the week to show
		want  [7][]string                 // Monday to Sunday
	}{
		{
			name:  "spring forward: 02:00 does not exist on Sunday",
			rules: func() *schedule.AvailabilityInput { r := nights("sunday"); return &r }(),
			week:  "2027-03-10", // Sunday 14 March 2027 the clocks go 02:00 → 03:00
			want:  [7][]string{{"09:00 EST", "10:00 EST"}, nil, nil, nil, nil, nil, {"00:00 EST", "01:00 EST", "03:00 EDT"}},
		},
		{
			name:  "fall back: 01:00 is offered once on Sunday",
			rules: func() *schedule.AvailabilityInput { r := nights("sunday"); return &r }(),
			week:  "2027-11-01", // Sunday 7 November 2027 the clocks go 02:00 → 01:00
			want:  [7][]string{{"09:00 EDT", "10:00 EDT"}, nil, nil, nil, nil, nil, {"00:00 EDT", "01:00 EDT", "02:00 EST", "03:00 EST"}},
		},
		{
			name: "a closed day and extra hours",
			rules: &schedule.AvailabilityInput{TimeZone: "America/New_York", SlotMinutes: 60, BufferMinutes: 0, HorizonDays: 60,
				Weekly: []schedule.WeeklyWindowInput{
					{Weekday: "wednesday", Start: "09:00", End: "11:00"},
					{Weekday: "thursday", Start: "09:00", End: "10:00"},
				},
				Exceptions: []schedule.ExceptionInput{
					{Date: "2026-12-09", Closed: true},
					{Date: "2026-12-10", Start: "14:00", End: "15:00"},
					{Date: "2026-12-12", Start: "10:00", End: "11:00"},
				}},
			week: "2026-12-13", // a Sunday: the week is Monday 7 to Sunday 13
			want: [7][]string{nil, nil, nil, {"09:00 EST", "14:00 EST"}, nil, {"10:00 EST"}, nil},
		},
		{
			name: "a booked time and the times inside its buffer are gone; past days are empty",
			book: []string{"10:00"},
			week: "2026-11-30",
			want: [7][]string{
				nil, // Monday 30 November is past
				{"09:00 EST", "10:00 EST", "11:00 EST"},
				{"09:00 EST", "11:00 EST"},
				{"09:00 EST", "10:00 EST", "11:00 EST"},
				{"09:00 EST", "10:00 EST", "11:00 EST"},
				nil, nil,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			if c.rules != nil {
				if _, err := e.svc.SetAvailability(ctx, e.maya.ID, *c.rules); err != nil {
					t.Fatal(err)
				}
			}
			for i, at := range c.book {
				r, _ := e.couple([]string{"ann@example.org", "cy@example.org"}[i])
				if _, err := e.svc.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at(at)}, nil); err != nil {
					t.Fatal(err)
				}
			}
			d, err := schedule.ParseDate(c.week)
			if err != nil {
				t.Fatal(err)
			}
			days, err := e.svc.WeekPreview(ctx, e.maya.ID, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != 7 {
				t.Fatalf("%d days, want 7", len(days))
			}
			monday := schedule.WeekStart(d)
			for i, day := range days {
				if day.Date != monday.AddDays(i) || day.Date.Weekday() != time.Weekday((i+1)%7) {
					t.Errorf("day %d is %s (%s)", i, day.Date, day.Date.Weekday())
				}
				var got []string
				for _, s := range day.Slots {
					if s.ClinicianID != e.maya.ID || s.End.Sub(s.Start) <= 0 {
						t.Errorf("slot %+v", s)
					}
					got = append(got, s.Start.In(e.ny).Format("15:04 MST"))
				}
				if !slices.Equal(got, c.want[i]) {
					t.Errorf("%s %s: %v, want %v", day.Date.Weekday(), day.Date, got, c.want[i])
				}
			}
		})
	}
}

func TestWeekPreviewOfUnsavedRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rules, err := schedule.AvailabilityInput{TimeZone: "Europe/London", SlotMinutes: 30, HorizonDays: 30,
		Weekly: []schedule.WeeklyWindowInput{{Weekday: "saturday", Start: "10:00", End: "11:00"}}}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	week, _ := schedule.ParseDate("2026-12-07")
	days, err := e.svc.PreviewWeek(ctx, e.sam.ID, rules, week)
	if err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	var got []string
	for _, d := range days {
		for _, s := range d.Slots {
			got = append(got, s.Start.In(london).Format("Mon 15:04"))
		}
	}
	if !slices.Equal(got, []string{"Sat 10:00", "Sat 10:30"}) {
		t.Errorf("preview of unsaved rules: %v", got)
	}
	// The saved rules are untouched.
	saved, err := e.svc.Availability(ctx, e.sam.ID)
	if err != nil || saved.TimeZone != "America/New_York" {
		t.Errorf("saved rules changed: %+v, %v", saved, err)
	}
	if _, err := e.svc.PreviewWeek(ctx, 999999, rules, week); err == nil {
		t.Error("a preview for a clinician who does not exist")
	}
}

func TestUpcomingConsultations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r1, in1 := e.couple("ann@example.org")
	r2, _ := e.couple("cy@example.org")
	first, err := e.svc.Book(ctx, r1.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("11:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.svc.Book(ctx, r2.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, second.ManageToken); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.Upcoming(ctx, e.maya.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Status != booking.StatusCancelled || list[1].BookingID != first.ID ||
		list[1].IntakeID != in1.ID || list[1].Kind != "couple" || !list[1].Start.Equal(e.at("11:00")) {
		t.Errorf("upcoming: %+v", list)
	}
	if other, _ := e.svc.Upcoming(ctx, e.sam.ID, 10); len(other) != 0 {
		t.Errorf("another clinician's consultations: %+v", other)
	}
	e.clock.Set(e.at("12:00").UTC())
	if later, _ := e.svc.Upcoming(ctx, e.maya.ID, 10); len(later) != 0 {
		t.Errorf("consultations that have ended are listed: %+v", later)
	}
}
