package schedule

import (
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the machine's zoneinfo

	"github.com/firststep/firststep/internal/apperr"
)

// validInput is the example body of docs/design.md, in the order Parse sorts to.
func validInput() AvailabilityInput {
	return AvailabilityInput{
		TimeZone:       "America/New_York",
		SlotMinutes:    30,
		BufferMinutes:  10,
		MinNoticeHours: 24,
		HorizonDays:    60,
		Weekly: []WeeklyWindowInput{
			{Weekday: "monday", Start: "09:00", End: "12:00"},
			{Weekday: "monday", Start: "13:00", End: "17:00"},
			{Weekday: "wednesday", Start: "12:00", End: "24:00"},
		},
		Exceptions: []ExceptionInput{
			{Date: "2026-12-24", Closed: true},
			{Date: "2026-12-28", Start: "13:00", End: "15:00"},
		},
	}
}

func TestAvailabilityInputJSON(t *testing.T) {
	t.Parallel()
	body := `{"timezone":"America/New_York","slot_minutes":30,"buffer_minutes":10,
	"min_notice_hours":24,"horizon_days":60,
	"weekly":[{"weekday":"monday","start":"09:00","end":"12:00"}],
	"exceptions":[{"date":"2026-12-24","closed":true},
	{"date":"2026-12-28","start":"13:00","end":"15:00"}]}`
	var in AvailabilityInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	a, err := in.Parse()
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	want := Availability{
		TimeZone:   "America/New_York",
		Location:   ny,
		Slot:       30 * time.Minute,
		Buffer:     10 * time.Minute,
		MinNotice:  24 * time.Hour,
		Horizon:    60 * 24 * time.Hour,
		Weekly:     []WeeklyWindow{{time.Monday, 9 * 60, 12 * 60}},
		Exceptions: []Exception{{Date: Date{2026, 12, 24}, Closed: true}, {Date: Date{2026, 12, 28}, Start: 13 * 60, End: 15 * 60}},
	}
	if a.Location.String() != ny.String() {
		t.Errorf("Location = %v", a.Location)
	}
	a.Location = ny
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", a, want)
	}
	out, err := json.Marshal(a.Input())
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.NewReplacer("\n", "", "\t", "").Replace(body)
	if string(out) != compact {
		t.Errorf("Input() JSON =\n%s\nwant\n%s", out, compact)
	}
}

func TestParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   AvailabilityInput
	}{
		{"design example", validInput()},
		{"no windows", AvailabilityInput{TimeZone: "UTC", SlotMinutes: 10, HorizonDays: 1,
			Weekly: []WeeklyWindowInput{}, Exceptions: []ExceptionInput{}}},
		{"limits", AvailabilityInput{TimeZone: "Pacific/Chatham", SlotMinutes: 240, BufferMinutes: 120,
			MinNoticeHours: 2160, HorizonDays: 365,
			Weekly: []WeeklyWindowInput{{Weekday: "sunday", Start: "00:00", End: "24:00"}},
			Exceptions: []ExceptionInput{
				{Date: "2028-02-29", Closed: true},
				{Date: "2028-02-29", Start: "10:00", End: "14:00"},
				{Date: "2028-02-29", Start: "14:00", End: "18:00"},
			}}},
		{"touching windows", AvailabilityInput{TimeZone: "Europe/London", SlotMinutes: 60, HorizonDays: 30,
			Weekly: []WeeklyWindowInput{
				{Weekday: "tuesday", Start: "09:00", End: "12:00"},
				{Weekday: "tuesday", Start: "12:00", End: "13:00"},
				{Weekday: "saturday", Start: "09:00", End: "10:00"},
			}, Exceptions: []ExceptionInput{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := tc.in.Parse()
			if err != nil {
				t.Fatalf("Parse: %v (%v)", err, apperr.FieldsOf(err))
			}
			if got := a.Input(); !reflect.DeepEqual(got, tc.in) {
				t.Errorf("Input() =\n%+v\nwant\n%+v", got, tc.in)
			}
			b, err := a.Input().Parse()
			if err != nil {
				t.Fatalf("Parse(Input()): %v", err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("Parse(Input()) =\n%+v\nwant\n%+v", b, a)
			}
		})
	}
}

func TestParseNormalizes(t *testing.T) {
	t.Parallel()
	in := AvailabilityInput{
		TimeZone: " Asia/Tokyo ", SlotMinutes: 45, HorizonDays: 14,
		Weekly: []WeeklyWindowInput{
			{Weekday: "Friday", Start: "14:00", End: "16:00"},
			{Weekday: " MONDAY ", Start: "9:00", End: "12:30"},
			{Weekday: "friday", Start: "08:00", End: "10:00"},
		},
		Exceptions: []ExceptionInput{
			{Date: "2026-05-05", Start: "10:00", End: "11:00"},
			{Date: "2026-05-04", Closed: true},
			{Date: "2026-05-05", Closed: true},
		},
	}
	a, err := in.Parse()
	if err != nil {
		t.Fatalf("Parse: %v (%v)", err, apperr.FieldsOf(err))
	}
	want := AvailabilityInput{
		TimeZone: "Asia/Tokyo", SlotMinutes: 45, HorizonDays: 14,
		Weekly: []WeeklyWindowInput{
			{Weekday: "monday", Start: "09:00", End: "12:30"},
			{Weekday: "friday", Start: "08:00", End: "10:00"},
			{Weekday: "friday", Start: "14:00", End: "16:00"},
		},
		Exceptions: []ExceptionInput{
			{Date: "2026-05-04", Closed: true},
			{Date: "2026-05-05", Closed: true},
			{Date: "2026-05-05", Start: "10:00", End: "11:00"},
		},
	}
	if got := a.Input(); !reflect.DeepEqual(got, want) {
		t.Errorf("Input() =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*AvailabilityInput)
		want   map[string]string
	}{
		{"missing time zone", func(in *AvailabilityInput) { in.TimeZone = " " },
			map[string]string{"timezone": "Choose a time zone, such as America/New_York."}},
		{"unknown time zone", func(in *AvailabilityInput) { in.TimeZone = "Mars/Olympus_Mons" },
			map[string]string{"timezone": `"Mars/Olympus_Mons" is not a time zone we know. Use an IANA name, such as America/New_York or Europe/London.`}},
		{"server local zone", func(in *AvailabilityInput) { in.TimeZone = "Local" },
			map[string]string{"timezone": "Use an IANA time zone name, such as America/New_York or Europe/London."}},
		{"path as time zone", func(in *AvailabilityInput) { in.TimeZone = "../../etc/passwd" },
			map[string]string{"timezone": `"../../etc/passwd" is not a time zone we know. Use an IANA name, such as America/New_York or Europe/London.`}},
		{"very long time zone", func(in *AvailabilityInput) { in.TimeZone = strings.Repeat("x", 65) },
			map[string]string{"timezone": "Use an IANA time zone name, such as America/New_York or Europe/London."}},
		{"slot too short", func(in *AvailabilityInput) { in.SlotMinutes = 5 },
			map[string]string{"slot_minutes": "Consultation length must be between 10 and 240 minutes."}},
		{"slot missing", func(in *AvailabilityInput) { in.SlotMinutes = 0 },
			map[string]string{"slot_minutes": "Consultation length must be between 10 and 240 minutes."}},
		{"slot too long", func(in *AvailabilityInput) { in.SlotMinutes = 241 },
			map[string]string{"slot_minutes": "Consultation length must be between 10 and 240 minutes."}},
		{"negative buffer", func(in *AvailabilityInput) { in.BufferMinutes = -1 },
			map[string]string{"buffer_minutes": "Buffer must be between 0 and 120 minutes."}},
		{"buffer too long", func(in *AvailabilityInput) { in.BufferMinutes = 121 },
			map[string]string{"buffer_minutes": "Buffer must be between 0 and 120 minutes."}},
		{"negative notice", func(in *AvailabilityInput) { in.MinNoticeHours = -2 },
			map[string]string{"min_notice_hours": "Minimum notice must be between 0 and 2160 hours (90 days)."}},
		{"notice too long", func(in *AvailabilityInput) { in.MinNoticeHours = 2161 },
			map[string]string{"min_notice_hours": "Minimum notice must be between 0 and 2160 hours (90 days)."}},
		{"no horizon", func(in *AvailabilityInput) { in.HorizonDays = 0 },
			map[string]string{"horizon_days": "Booking horizon must be between 1 and 365 days."}},
		{"horizon too far", func(in *AvailabilityInput) { in.HorizonDays = 366 },
			map[string]string{"horizon_days": "Booking horizon must be between 1 and 365 days."}},
		{"unknown weekday", func(in *AvailabilityInput) { in.Weekly[1].Weekday = "mon" },
			map[string]string{"weekly[1].weekday": "Choose a day of the week, monday to sunday."}},
		{"missing start", func(in *AvailabilityInput) { in.Weekly[0].Start = "" },
			map[string]string{"weekly[0].start": "Enter a time, such as 09:00."}},
		{"twelve-hour time", func(in *AvailabilityInput) { in.Weekly[0].Start = "9am" },
			map[string]string{"weekly[0].start": "Use a 24-hour time, such as 09:00 or 17:30."}},
		{"minutes out of range", func(in *AvailabilityInput) { in.Weekly[2].End = "17:60" },
			map[string]string{"weekly[2].end": "Use a 24-hour time, such as 09:00 or 17:30."}},
		{"past midnight", func(in *AvailabilityInput) { in.Weekly[2].End = "24:30" },
			map[string]string{"weekly[2].end": "Use a 24-hour time, such as 09:00 or 17:30."}},
		{"seconds", func(in *AvailabilityInput) { in.Weekly[2].End = "17:00:00" },
			map[string]string{"weekly[2].end": "Use a 24-hour time, such as 09:00 or 17:30."}},
		{"start at midnight's end", func(in *AvailabilityInput) { in.Weekly[2].Start = "24:00" },
			map[string]string{"weekly[2].start": "A window must start before 24:00."}},
		{"end before start", func(in *AvailabilityInput) { in.Weekly[2].End = "11:00" },
			map[string]string{"weekly[2].end": "The end time must be after the start time (12:00)."}},
		{"empty window", func(in *AvailabilityInput) { in.Weekly[2].End = "12:00" },
			map[string]string{"weekly[2].end": "The end time must be after the start time (12:00)."}},
		{"window shorter than a slot", func(in *AvailabilityInput) { in.Weekly[2].End = "12:20" },
			map[string]string{"weekly[2].end": "This window (12:00–12:20) is shorter than one 30-minute consultation."}},
		{"overlapping weekly windows", func(in *AvailabilityInput) { in.Weekly[1].Start = "11:30" },
			map[string]string{"weekly[1].start": "Overlaps another Monday window (09:00–12:00); windows on the same day must not overlap."}},
		{"overlap reported on the later entry", func(in *AvailabilityInput) {
			in.Weekly = append(in.Weekly, WeeklyWindowInput{Weekday: "Monday", Start: "08:00", End: "09:30"})
		}, map[string]string{"weekly[3].start": "Overlaps another Monday window (09:00–12:00); windows on the same day must not overlap."}},
		{"window inside another", func(in *AvailabilityInput) {
			in.Weekly[0].End = "17:00"
			in.Weekly[1].Start, in.Weekly[1].End = "14:00", "15:00"
		}, map[string]string{"weekly[1].start": "Overlaps another Monday window (09:00–17:00); windows on the same day must not overlap."}},
		{"too many weekly windows", func(in *AvailabilityInput) {
			in.Weekly = make([]WeeklyWindowInput, MaxWeeklyWindows+1)
		}, map[string]string{"weekly": "List at most 50 weekly windows."}},
		{"missing exception date", func(in *AvailabilityInput) { in.Exceptions[0].Date = "" },
			map[string]string{"exceptions[0].date": "Enter a date, such as 2026-12-24."}},
		{"exception date in another format", func(in *AvailabilityInput) { in.Exceptions[0].Date = "12/24/2026" },
			map[string]string{"exceptions[0].date": "Use a real date written year-month-day, such as 2026-12-24."}},
		{"exception date that does not exist", func(in *AvailabilityInput) { in.Exceptions[1].Date = "2026-02-29" },
			map[string]string{"exceptions[1].date": "Use a real date written year-month-day, such as 2026-12-24."}},
		{"closed with hours", func(in *AvailabilityInput) { in.Exceptions[0].Start = "10:00" },
			map[string]string{"exceptions[0].closed": "Either mark the day closed or give extra hours, not both."}},
		{"neither closed nor hours", func(in *AvailabilityInput) { in.Exceptions[1].Start, in.Exceptions[1].End = "", "" },
			map[string]string{"exceptions[1].start": "Give the extra hours for this date, or mark the day closed."}},
		{"extra hours without end", func(in *AvailabilityInput) { in.Exceptions[1].End = "" },
			map[string]string{"exceptions[1].end": "Enter a time, such as 09:00."}},
		{"extra hours end before start", func(in *AvailabilityInput) { in.Exceptions[1].End = "12:00" },
			map[string]string{"exceptions[1].end": "The end time must be after the start time (13:00)."}},
		{"extra hours shorter than a slot", func(in *AvailabilityInput) { in.Exceptions[1].End = "13:15" },
			map[string]string{"exceptions[1].end": "This window (13:00–13:15) is shorter than one 30-minute consultation."}},
		{"date closed twice", func(in *AvailabilityInput) {
			in.Exceptions = append(in.Exceptions, ExceptionInput{Date: "2026-12-24", Closed: true})
		}, map[string]string{"exceptions[2].date": "2026-12-24 is already listed as closed."}},
		{"overlapping extra hours", func(in *AvailabilityInput) {
			in.Exceptions = append(in.Exceptions, ExceptionInput{Date: "2026-12-28", Start: "14:30", End: "16:00"})
		}, map[string]string{"exceptions[2].start": "Overlaps other extra hours on 2026-12-28 (13:00–15:00)."}},
		{"too many exceptions", func(in *AvailabilityInput) {
			in.Exceptions = make([]ExceptionInput, MaxExceptions+1)
		}, map[string]string{"exceptions": "List at most 366 exceptions."}},
		{"several at once", func(in *AvailabilityInput) {
			in.SlotMinutes = 1000
			in.Weekly[0].Weekday = "someday"
			in.Exceptions[1].Date = "tomorrow"
		}, map[string]string{
			"slot_minutes":       "Consultation length must be between 10 and 240 minutes.",
			"weekly[0].weekday":  "Choose a day of the week, monday to sunday.",
			"exceptions[1].date": "Use a real date written year-month-day, such as 2026-12-24.",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := validInput()
			tc.change(&in)
			a, err := in.Parse()
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", a)
			}
			if k := apperr.KindOf(err); k != apperr.Invalid {
				t.Errorf("kind = %q, want %q", k, apperr.Invalid)
			}
			if got := apperr.FieldsOf(err); !maps.Equal(got, tc.want) {
				t.Errorf("fields =\n%q\nwant\n%q", got, tc.want)
			}
			if !reflect.DeepEqual(a, Availability{}) {
				t.Errorf("rules returned with an error: %+v", a)
			}
		})
	}
}

func TestParseClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Clock
		ok   bool
	}{
		{"00:00", 0, true}, {"9:05", 545, true}, {"09:05", 545, true}, {"23:59", 1439, true},
		{"24:00", 1440, true}, {"24:01", 0, false}, {"25:00", 0, false}, {"12:5", 0, false},
		{"123:00", 0, false}, {"-1:00", 0, false}, {"12h00", 0, false}, {"", 0, false}, {"+9:00", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseClock(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseClock(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
			if tc.ok && tc.in[0] != '9' && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestDateDayNumber(t *testing.T) {
	t.Parallel()
	for _, start := range []time.Time{
		time.Date(1582, 10, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2399, 12, 1, 0, 0, 0, 0, time.UTC),
	} {
		for d := start; d.Before(start.AddDate(1, 2, 0)); d = d.AddDate(0, 0, 1) {
			date := DateOf(d)
			// Midnight UTC is a whole number of days from the epoch, either side of it.
			if got, want := date.dayNumber(), d.Unix()/secondsPerDay; got != want {
				t.Fatalf("%s: dayNumber = %d, want %d", date, got, want)
			}
			if date.Weekday() != d.Weekday() {
				t.Fatalf("%s: Weekday = %v, want %v", date, date.Weekday(), d.Weekday())
			}
		}
	}
}
