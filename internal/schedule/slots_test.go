package schedule

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// rules parses availability for tests: zone, slot/buffer minutes and weekly
// windows written "monday 09:00-12:00"; no notice and a long horizon unless
// the case changes them.
func rules(t testing.TB, zone string, slot, buffer int, weekly ...string) Availability {
	t.Helper()
	in := AvailabilityInput{TimeZone: zone, SlotMinutes: slot, BufferMinutes: buffer, HorizonDays: 365}
	for _, w := range weekly {
		day, span, _ := strings.Cut(w, " ")
		start, end, _ := strings.Cut(span, "-")
		in.Weekly = append(in.Weekly, WeeklyWindowInput{Weekday: day, Start: start, End: end})
	}
	a, err := in.Parse()
	if err != nil {
		t.Fatalf("rules: %v %v", err, apperr.FieldsOf(err))
	}
	return a
}

func everyDay(span string) []string {
	var out []string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		out = append(out, d+" "+span)
	}
	return out
}

func weekdays(span string) []string { return everyDay(span)[:5] }

// at reads "2006-01-02 15:04" in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// show writes slots as "id Mon 2006-01-02 15:04-07:00 +50m" in loc (the
// clinician's zone unless given), which makes offsets and lengths visible.
func show(slots []Slot, loc *time.Location) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		l := loc
		if l == nil {
			l = s.Start.Location()
		}
		out[i] = fmt.Sprintf("%d %s +%dm", s.ClinicianID, s.Start.In(l).Format("Mon 2006-01-02 15:04-07:00"), int(s.End.Sub(s.Start).Minutes()))
	}
	return out
}

func checkSlots(t *testing.T, got []Slot, loc *time.Location, want []string) {
	t.Helper()
	if g := show(got, loc); !slices.Equal(g, want) {
		t.Errorf("slots:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestOpenSlots(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	// 2026-06-01 is a Monday.
	weekStart, weekEnd := at(t, ny, "2026-06-01 00:00"), at(t, ny, "2026-06-08 00:00")
	longAgo := at(t, ny, "2026-01-01 00:00")
	plain := func() Availability { return rules(t, "America/New_York", 50, 10, weekdays("09:00-12:00")...) }
	withExceptions := func(ex ...ExceptionInput) Availability {
		in := plain().Input()
		in.Exceptions = ex
		a, err := in.Parse()
		if err != nil {
			t.Fatalf("%v %v", err, apperr.FieldsOf(err))
		}
		return a
	}
	busy := func(from, to string) Interval { return Interval{at(t, ny, from), at(t, ny, to)} }

	for _, tc := range []struct {
		name      string
		schedules []Schedule
		from, to  time.Time
		now       time.Time
		want      []string
	}{
		{
			name:      "plain week",
			schedules: []Schedule{{ClinicianID: 7, Rules: plain()}},
			from:      weekStart, to: weekEnd, now: longAgo,
			want: []string{
				"7 Mon 2026-06-01 09:00-04:00 +50m", "7 Mon 2026-06-01 10:00-04:00 +50m", "7 Mon 2026-06-01 11:00-04:00 +50m",
				"7 Tue 2026-06-02 09:00-04:00 +50m", "7 Tue 2026-06-02 10:00-04:00 +50m", "7 Tue 2026-06-02 11:00-04:00 +50m",
				"7 Wed 2026-06-03 09:00-04:00 +50m", "7 Wed 2026-06-03 10:00-04:00 +50m", "7 Wed 2026-06-03 11:00-04:00 +50m",
				"7 Thu 2026-06-04 09:00-04:00 +50m", "7 Thu 2026-06-04 10:00-04:00 +50m", "7 Thu 2026-06-04 11:00-04:00 +50m",
				"7 Fri 2026-06-05 09:00-04:00 +50m", "7 Fri 2026-06-05 10:00-04:00 +50m", "7 Fri 2026-06-05 11:00-04:00 +50m",
			},
		},
		{
			name:      "step is slot plus buffer and the last slot ends by the window end",
			schedules: []Schedule{{ClinicianID: 1, Rules: rules(t, "America/New_York", 30, 15, "monday 09:00-11:00")}},
			from:      weekStart, to: weekEnd, now: longAgo,
			want: []string{
				"1 Mon 2026-06-01 09:00-04:00 +30m", "1 Mon 2026-06-01 09:45-04:00 +30m", "1 Mon 2026-06-01 10:30-04:00 +30m",
			},
		},
		{
			name:      "range is [from, to)",
			schedules: []Schedule{{ClinicianID: 1, Rules: plain()}},
			from:      at(t, ny, "2026-06-01 10:00"), to: at(t, ny, "2026-06-02 10:00"), now: longAgo,
			want: []string{
				"1 Mon 2026-06-01 10:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m", "1 Tue 2026-06-02 09:00-04:00 +50m",
			},
		},
		{
			name: "booking on the grid leaves its neighbours open",
			schedules: []Schedule{{ClinicianID: 1, Rules: plain(),
				Busy: []Interval{busy("2026-06-01 10:00", "2026-06-01 10:50")}}},
			from: weekStart, to: at(t, ny, "2026-06-02 00:00"), now: longAgo,
			want: []string{"1 Mon 2026-06-01 09:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m"},
		},
		{
			name: "bookings knock out slots within the buffer",
			schedules: []Schedule{{ClinicianID: 1, Rules: plain(), Busy: []Interval{
				busy("2026-06-02 11:55", "2026-06-02 12:30"), // 11:00 ends 11:50, 5 minutes before it
				busy("2026-06-01 08:00", "2026-06-01 08:55"), // ends 5 minutes before 09:00
				busy("2026-06-01 10:30", "2026-06-01 11:00"), // overlaps 10:00, 11:00 starts without a buffer
			}}},
			from: weekStart, to: at(t, ny, "2026-06-03 00:00"), now: longAgo,
			want: []string{"1 Tue 2026-06-02 09:00-04:00 +50m", "1 Tue 2026-06-02 10:00-04:00 +50m"},
		},
		{
			name: "bookings exactly a buffer away leave slots open",
			schedules: []Schedule{{ClinicianID: 1, Rules: plain(), Busy: []Interval{
				busy("2026-06-01 08:00", "2026-06-01 08:50"),
				busy("2026-06-01 12:00", "2026-06-01 13:00"),
			}}},
			from: weekStart, to: at(t, ny, "2026-06-02 00:00"), now: longAgo,
			want: []string{
				"1 Mon 2026-06-01 09:00-04:00 +50m", "1 Mon 2026-06-01 10:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m",
			},
		},
		{
			name: "a long booking hides later slots behind shorter ones",
			schedules: []Schedule{{ClinicianID: 1, Rules: plain(), Busy: []Interval{
				busy("2026-06-01 08:00", "2026-06-01 11:30"),
				busy("2026-06-01 08:30", "2026-06-01 08:45"),
			}}},
			from: weekStart, to: at(t, ny, "2026-06-02 00:00"), now: longAgo,
			want: nil,
		},
		{
			name:      "minimum notice",
			schedules: []Schedule{{ClinicianID: 1, Rules: func() Availability { a := plain(); a.MinNotice = 2 * time.Hour; return a }()}},
			from:      weekStart, to: at(t, ny, "2026-06-02 00:00"), now: at(t, ny, "2026-06-01 08:00"),
			want: []string{"1 Mon 2026-06-01 10:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m"},
		},
		{
			name:      "minimum notice over seconds",
			schedules: []Schedule{{ClinicianID: 1, Rules: func() Availability { a := plain(); a.MinNotice = 2 * time.Hour; return a }()}},
			from:      weekStart, to: at(t, ny, "2026-06-02 00:00"), now: at(t, ny, "2026-06-01 08:00").Add(time.Nanosecond),
			want: []string{"1 Mon 2026-06-01 11:00-04:00 +50m"},
		},
		{
			name:      "horizon is a rolling number of days from now",
			schedules: []Schedule{{ClinicianID: 1, Rules: func() Availability { a := plain(); a.Horizon = 2 * 24 * time.Hour; return a }()}},
			from:      weekStart, to: weekEnd, now: at(t, ny, "2026-06-01 09:30"),
			want: []string{
				"1 Mon 2026-06-01 10:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m",
				"1 Tue 2026-06-02 09:00-04:00 +50m", "1 Tue 2026-06-02 10:00-04:00 +50m", "1 Tue 2026-06-02 11:00-04:00 +50m",
				"1 Wed 2026-06-03 09:00-04:00 +50m",
			},
		},
		{
			name: "closed exception",
			schedules: []Schedule{{ClinicianID: 1, Rules: withExceptions(
				ExceptionInput{Date: "2026-06-02", Closed: true},
				ExceptionInput{Date: "2026-06-04", Closed: true},
			)}},
			from: weekStart, to: at(t, ny, "2026-06-05 00:00"), now: longAgo,
			want: []string{
				"1 Mon 2026-06-01 09:00-04:00 +50m", "1 Mon 2026-06-01 10:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m",
				"1 Wed 2026-06-03 09:00-04:00 +50m", "1 Wed 2026-06-03 10:00-04:00 +50m", "1 Wed 2026-06-03 11:00-04:00 +50m",
			},
		},
		{
			name: "extra hours on a day off",
			schedules: []Schedule{{ClinicianID: 1, Rules: withExceptions(
				ExceptionInput{Date: "2026-06-06", Start: "13:00", End: "15:00"},
			)}},
			from: at(t, ny, "2026-06-05 12:00"), to: weekEnd, now: longAgo,
			want: []string{"1 Sat 2026-06-06 13:00-04:00 +50m", "1 Sat 2026-06-06 14:00-04:00 +50m"},
		},
		{
			name: "extra hours joined to overlapping weekly hours",
			schedules: []Schedule{{ClinicianID: 1, Rules: withExceptions(
				ExceptionInput{Date: "2026-06-01", Start: "11:30", End: "14:00"},
			)}},
			from: weekStart, to: at(t, ny, "2026-06-02 00:00"), now: longAgo,
			want: []string{
				"1 Mon 2026-06-01 09:00-04:00 +50m", "1 Mon 2026-06-01 10:00-04:00 +50m", "1 Mon 2026-06-01 11:00-04:00 +50m",
				"1 Mon 2026-06-01 12:00-04:00 +50m", "1 Mon 2026-06-01 13:00-04:00 +50m",
			},
		},
		{
			name: "closed and extra hours on one date replace the weekly hours",
			schedules: []Schedule{{ClinicianID: 1, Rules: withExceptions(
				ExceptionInput{Date: "2026-06-01", Start: "14:00", End: "16:00"},
				ExceptionInput{Date: "2026-06-01", Closed: true},
			)}},
			from: weekStart, to: at(t, ny, "2026-06-02 00:00"), now: longAgo,
			want: []string{"1 Mon 2026-06-01 14:00-04:00 +50m", "1 Mon 2026-06-01 15:00-04:00 +50m"},
		},
		{
			name: "two clinicians interleaved, ties by clinician ID",
			schedules: []Schedule{
				{ClinicianID: 2, Rules: rules(t, "America/New_York", 60, 0, "monday 09:00-11:00")},
				{ClinicianID: 1, Rules: rules(t, "Europe/London", 30, 0, "monday 14:00-16:00")},
			},
			from: weekStart, to: weekEnd, now: longAgo,
			want: []string{
				"1 Mon 2026-06-01 14:00+01:00 +30m",
				"2 Mon 2026-06-01 09:00-04:00 +60m",
				"1 Mon 2026-06-01 14:30+01:00 +30m",
				"1 Mon 2026-06-01 15:00+01:00 +30m",
				"2 Mon 2026-06-01 10:00-04:00 +60m",
				"1 Mon 2026-06-01 15:30+01:00 +30m",
			},
		},
		{
			name: "each clinician's bookings only affect that clinician",
			schedules: []Schedule{
				{ClinicianID: 1, Rules: rules(t, "America/New_York", 60, 0, "monday 09:00-11:00"),
					Busy: []Interval{busy("2026-06-01 09:00", "2026-06-01 10:00")}},
				{ClinicianID: 2, Rules: rules(t, "America/New_York", 60, 0, "monday 09:00-11:00"),
					Busy: []Interval{busy("2026-06-01 10:00", "2026-06-01 11:00")}},
				{ClinicianID: 3, Rules: rules(t, "America/New_York", 60, 0, "monday 09:00-11:00")},
			},
			from: weekStart, to: weekEnd, now: longAgo,
			want: []string{
				"2 Mon 2026-06-01 09:00-04:00 +60m",
				"3 Mon 2026-06-01 09:00-04:00 +60m",
				"1 Mon 2026-06-01 10:00-04:00 +60m",
				"3 Mon 2026-06-01 10:00-04:00 +60m",
			},
		},
		{
			name:      "window to midnight",
			schedules: []Schedule{{ClinicianID: 1, Rules: rules(t, "America/New_York", 60, 0, "friday 22:00-24:00", "saturday 00:00-01:00")}},
			from:      weekStart, to: weekEnd, now: longAgo,
			want: []string{
				"1 Fri 2026-06-05 22:00-04:00 +60m", "1 Fri 2026-06-05 23:00-04:00 +60m", "1 Sat 2026-06-06 00:00-04:00 +60m",
			},
		},
		{
			name:      "empty range",
			schedules: []Schedule{{ClinicianID: 1, Rules: plain()}},
			from:      weekEnd, to: weekStart, now: longAgo,
			want: nil,
		},
		{
			name:      "zero rules give no slots",
			schedules: []Schedule{{ClinicianID: 1}},
			from:      weekStart, to: weekEnd, now: longAgo,
			want: nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkSlots(t, OpenSlots(tc.schedules, tc.from, tc.to, tc.now), nil, tc.want)
		})
	}
}

// TestOpenSlotsDST covers the weeks and nights of the 2026 clock changes in
// New York (08 March, 01 November) and London (29 March, 25 October).
func TestOpenSlotsDST(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		zone     string
		slot     int
		window   string
		from, to string // dates in the zone, [from, to)
		want     []string
	}{
		{
			name: "New York spring week keeps 09:00", zone: "America/New_York", slot: 60, window: "09:00-10:00",
			from: "2026-03-06", to: "2026-03-11",
			want: []string{
				"1 Fri 2026-03-06 09:00-05:00 +60m", "1 Sat 2026-03-07 09:00-05:00 +60m", "1 Sun 2026-03-08 09:00-04:00 +60m",
				"1 Mon 2026-03-09 09:00-04:00 +60m", "1 Tue 2026-03-10 09:00-04:00 +60m",
			},
		},
		{
			name: "New York fall week keeps 09:00", zone: "America/New_York", slot: 60, window: "09:00-10:00",
			from: "2026-10-30", to: "2026-11-04",
			want: []string{
				"1 Fri 2026-10-30 09:00-04:00 +60m", "1 Sat 2026-10-31 09:00-04:00 +60m", "1 Sun 2026-11-01 09:00-05:00 +60m",
				"1 Mon 2026-11-02 09:00-05:00 +60m", "1 Tue 2026-11-03 09:00-05:00 +60m",
			},
		},
		{
			name: "London spring week keeps 09:00", zone: "Europe/London", slot: 60, window: "09:00-10:00",
			from: "2026-03-27", to: "2026-04-01",
			want: []string{
				"1 Fri 2026-03-27 09:00+00:00 +60m", "1 Sat 2026-03-28 09:00+00:00 +60m", "1 Sun 2026-03-29 09:00+01:00 +60m",
				"1 Mon 2026-03-30 09:00+01:00 +60m", "1 Tue 2026-03-31 09:00+01:00 +60m",
			},
		},
		{
			name: "London fall week keeps 09:00", zone: "Europe/London", slot: 60, window: "09:00-10:00",
			from: "2026-10-23", to: "2026-10-28",
			want: []string{
				"1 Fri 2026-10-23 09:00+01:00 +60m", "1 Sat 2026-10-24 09:00+01:00 +60m", "1 Sun 2026-10-25 09:00+00:00 +60m",
				"1 Mon 2026-10-26 09:00+00:00 +60m", "1 Tue 2026-10-27 09:00+00:00 +60m",
			},
		},
		{
			// 02:00 and 02:30 do not exist; 01:30 EST ends at 03:00 EDT.
			name: "New York spring night skips the missing hour", zone: "America/New_York", slot: 30, window: "01:00-03:00",
			from: "2026-03-08", to: "2026-03-09",
			want: []string{"1 Sun 2026-03-08 01:00-05:00 +30m", "1 Sun 2026-03-08 01:30-05:00 +30m"},
		},
		{
			// 01:00 and 01:30 happen twice; each is offered once, in daylight time.
			name: "New York fall night offers the repeated hour once", zone: "America/New_York", slot: 30, window: "01:00-03:00",
			from: "2026-11-01", to: "2026-11-02",
			want: []string{
				"1 Sun 2026-11-01 01:00-04:00 +30m", "1 Sun 2026-11-01 01:30-04:00 +30m",
				"1 Sun 2026-11-01 02:00-05:00 +30m", "1 Sun 2026-11-01 02:30-05:00 +30m",
			},
		},
		{
			name: "London spring night skips the missing hour", zone: "Europe/London", slot: 30, window: "01:00-03:00",
			from: "2026-03-29", to: "2026-03-30",
			want: []string{"1 Sun 2026-03-29 02:00+01:00 +30m", "1 Sun 2026-03-29 02:30+01:00 +30m"},
		},
		{
			name: "London fall night offers the repeated hour once", zone: "Europe/London", slot: 30, window: "01:00-03:00",
			from: "2026-10-25", to: "2026-10-26",
			want: []string{
				"1 Sun 2026-10-25 01:00+01:00 +30m", "1 Sun 2026-10-25 01:30+01:00 +30m",
				"1 Sun 2026-10-25 02:00+00:00 +30m", "1 Sun 2026-10-25 02:30+00:00 +30m",
			},
		},
		{
			// The 01:30 slot would end at 03:20 EDT, past the window's end:
			// the clock goes from 01:59 straight to 03:00.
			name: "a slot may not run past a window end lost in the gap", zone: "America/New_York", slot: 50, window: "00:30-02:30",
			from: "2026-03-08", to: "2026-03-09",
			want: []string{"1 Sun 2026-03-08 00:30-05:00 +50m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoc(t, tc.zone)
			s := Schedule{ClinicianID: 1, Rules: rules(t, tc.zone, tc.slot, 0, everyDay(tc.window)...)}
			from, to := at(t, loc, tc.from+" 00:00"), at(t, loc, tc.to+" 00:00")
			got := OpenSlots([]Schedule{s}, from, to, from.AddDate(0, -1, 0))
			checkSlots(t, got, nil, tc.want)
			for i := 1; i < len(got); i++ {
				if !got[i-1].End.After(got[i-1].Start) || got[i].Start.Before(got[i-1].End) {
					t.Errorf("slots %d and %d overlap or are empty: %v, %v", i-1, i, got[i-1], got[i])
				}
			}
		})
	}
}

// TestOpenSlotsFarAwayClient shows a New York clinician's Monday morning to
// clients across the date line: the same instants, on the client's dates.
func TestOpenSlotsFarAwayClient(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	s := Schedule{ClinicianID: 1, Rules: rules(t, "America/New_York", 50, 10, "monday 09:00-12:00")}
	now := at(t, ny, "2026-06-01 00:00")
	for _, tc := range []struct {
		name string
		zone string
		date string // the client's date, as the slots page asks for it
		want []string
	}{
		{"Tokyo, Monday evening", "Asia/Tokyo", "2026-06-15", []string{
			"1 Mon 2026-06-15 22:00+09:00 +50m", "1 Mon 2026-06-15 23:00+09:00 +50m",
		}},
		{"Tokyo, Tuesday after midnight", "Asia/Tokyo", "2026-06-16", []string{
			"1 Tue 2026-06-16 00:00+09:00 +50m",
		}},
		{"Auckland, Tuesday small hours", "Pacific/Auckland", "2026-06-16", []string{
			"1 Tue 2026-06-16 01:00+12:00 +50m", "1 Tue 2026-06-16 02:00+12:00 +50m", "1 Tue 2026-06-16 03:00+12:00 +50m",
		}},
		{"Auckland, Monday is New York's Sunday", "Pacific/Auckland", "2026-06-15", nil},
		{"Honolulu, Monday morning", "Pacific/Honolulu", "2026-06-15", []string{
			"1 Mon 2026-06-15 03:00-10:00 +50m", "1 Mon 2026-06-15 04:00-10:00 +50m", "1 Mon 2026-06-15 05:00-10:00 +50m",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := mustLoc(t, tc.zone)
			from := at(t, client, tc.date+" 00:00")
			got := OpenSlots([]Schedule{s}, from, from.AddDate(0, 0, 1), now)
			checkSlots(t, got, client, tc.want)
			for _, slot := range got {
				in := slot.In(client)
				if !in.Start.Equal(slot.Start) || !in.End.Equal(slot.End) || in.ClinicianID != slot.ClinicianID {
					t.Errorf("In(%s) changed the slot: %v → %v", tc.zone, slot, in)
				}
				if in.Start.Location() != client {
					t.Errorf("In(%s) shows %s", tc.zone, in.Start.Location())
				}
				if wall := slot.Start.In(ny).Format("Mon 15:04"); !slices.Contains([]string{"Mon 09:00", "Mon 10:00", "Mon 11:00"}, wall) {
					t.Errorf("slot at %s New York time", wall)
				}
			}
		})
	}
}

func TestScheduleOpenAt(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	s := Schedule{ClinicianID: 4, Rules: rules(t, "America/New_York", 50, 10, weekdays("09:00-12:00")...),
		Busy: []Interval{{at(t, ny, "2026-06-01 10:00"), at(t, ny, "2026-06-01 10:50")}}}
	s.Rules.MinNotice = time.Hour
	now := at(t, ny, "2026-06-01 08:30")
	for _, tc := range []struct {
		name  string
		start time.Time
		want  bool
	}{
		{"open", at(t, ny, "2026-06-01 11:00"), true},
		{"same instant from another zone", at(t, ny, "2026-06-02 09:00").In(mustLoc(t, "Asia/Kolkata")), true},
		{"booked", at(t, ny, "2026-06-01 10:00"), false},
		{"off the grid", at(t, ny, "2026-06-01 11:10"), false},
		{"a fraction of a second late", at(t, ny, "2026-06-01 11:00").Add(time.Millisecond), false},
		{"too soon", at(t, ny, "2026-06-01 09:00"), false},
		{"outside the hours", at(t, ny, "2026-06-01 13:00"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			slot, ok := s.OpenAt(tc.start, now)
			if ok != tc.want {
				t.Fatalf("OpenAt = %v, %v; want ok=%v", slot, ok, tc.want)
			}
			if ok && (!slot.Start.Equal(tc.start) || slot.End.Sub(slot.Start) != 50*time.Minute || slot.ClinicianID != 4) {
				t.Errorf("OpenAt = %v", slot)
			}
		})
	}
}

// TestDayClock checks the wall-clock to instant conversion against
// time.Date for every half hour of years with clock changes, including zones
// with half-hour changes (Lord Howe), midnight changes (São Paulo, 2018) and
// a skipped day (Apia, 30 December 2011).
func TestDayClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone string
		year int
	}{
		{"America/New_York", 2026}, {"Europe/London", 2026}, {"Australia/Lord_Howe", 2026},
		{"Pacific/Chatham", 2026}, {"America/Sao_Paulo", 2018}, {"Pacific/Apia", 2011},
		{"Asia/Tokyo", 2026}, {"UTC", 2026},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			t.Parallel()
			loc := mustLoc(t, tc.zone)
			var z dayClock
			z.reset(loc)
			for d := time.Date(tc.year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == tc.year; d = d.AddDate(0, 0, 1) {
				midnight := d.Unix()
				z.load(midnight)
				for m := int64(0); m <= 24*60; m += 30 {
					got, ok := z.instant(midnight + m*60)
					want, wantOK := firstInstant(d.Year(), d.Month(), d.Day(), int(m), loc)
					if ok != wantOK || (ok && got != want) {
						t.Fatalf("%s +%dm: instant = %d, %v; want %d, %v",
							d.Format(time.DateOnly), m, got, ok, want, wantOK)
					}
				}
			}
		})
	}
}

// firstInstant is the slow, obvious version of dayClock.instant: the
// earliest instant at which the wall clock in loc reads the given time.
func firstInstant(y int, mo time.Month, d, minute int, loc *time.Location) (int64, bool) {
	want := time.Date(y, mo, d, 0, minute, 0, 0, time.UTC)
	reads := func(t time.Time) bool {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC).Equal(want)
	}
	guess := time.Date(y, mo, d, 0, minute, 0, 0, loc)
	var first time.Time
	for k := -12; k <= 12; k++ { // offset changes of up to 3 hours either way
		if c := guess.Add(time.Duration(k) * 15 * time.Minute); reads(c) && first.IsZero() {
			first = c
		}
	}
	if first.IsZero() {
		return 0, false
	}
	return first.Unix(), true
}
