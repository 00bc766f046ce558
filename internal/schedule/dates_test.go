package schedule

import (
	"testing"
	"time"
)

func TestHolds(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	r := rules(t, "America/New_York", 50, 10, "monday 09:00-12:00", "monday 13:00-17:00", "tuesday 09:00-12:00")
	r.Exceptions = []Exception{
		{Date: Date{2026, time.December, 8}, Closed: true},                     // a Tuesday off
		{Date: Date{2026, time.December, 9}, Start: 10 * 60, End: 12 * 60},     // Wednesday's extra hours
		{Date: Date{2026, time.December, 14}, Start: 11 * 60, End: 13*60 + 30}, // overlaps both of Monday's windows, joining them
	}
	cases := []struct {
		name  string
		start string
		mins  int
		want  bool
	}{
		{"inside a weekly window", "2026-12-07 09:00", 50, true},
		{"ends at the window's end", "2026-12-07 11:10", 50, true},
		{"runs past the window", "2026-12-07 11:30", 50, false},
		{"between two windows", "2026-12-07 12:10", 50, false},
		{"on a day without hours", "2026-12-10 09:00", 50, false},
		{"on a closed day", "2026-12-08 09:00", 50, false},
		{"in the extra hours", "2026-12-09 10:00", 50, true},
		{"across windows joined by extra hours", "2026-12-14 11:30", 120, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := at(t, ny, c.start)
			if got := r.Holds(start, start.Add(time.Duration(c.mins)*time.Minute)); got != c.want {
				t.Errorf("Holds(%s, +%dm) = %v, want %v", c.start, c.mins, got, c.want)
			}
		})
	}
}

func TestWeekStartAndGroupWeek(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ day, monday string }{
		{"2026-12-07", "2026-12-07"}, // a Monday
		{"2026-12-13", "2026-12-07"}, // the Sunday of that week
		{"2027-01-01", "2026-12-28"}, // across the year
		{"2026-03-01", "2026-02-23"}, // across the end of February
	} {
		d, err := ParseDate(c.day)
		if err != nil {
			t.Fatal(err)
		}
		if got := WeekStart(d).String(); got != c.monday {
			t.Errorf("WeekStart(%s) = %s, want %s", c.day, got, c.monday)
		}
	}
	ny := mustLoc(t, "America/New_York")
	monday := Date{2026, time.November, 2}
	slots := []Slot{
		{ClinicianID: 1, Start: at(t, ny, "2026-11-01 23:00")}, // the Sunday before: left out
		{ClinicianID: 1, Start: at(t, ny, "2026-11-02 09:00")},
		{ClinicianID: 2, Start: at(t, ny, "2026-11-08 23:30")},
		{ClinicianID: 1, Start: at(t, ny, "2026-11-09 00:00")}, // the next Monday: left out
	}
	days := GroupWeek(monday, slots, ny)
	if len(days) != 7 || days[0].Date != monday || days[6].Date != (Date{2026, time.November, 8}) {
		t.Fatalf("days %+v", days)
	}
	if len(days[0].Slots) != 1 || days[0].Slots[0].ClinicianID != 1 || len(days[6].Slots) != 1 || days[6].Slots[0].ClinicianID != 2 {
		t.Errorf("grouped %+v", days)
	}
	if got := Midnight(monday, ny); !got.Equal(at(t, ny, "2026-11-02 00:00")) {
		t.Errorf("Midnight = %v", got)
	}
}
