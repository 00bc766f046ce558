package schedule

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/zone"
)

// Limits on a clinician's availability rules. They catch typos (a 900-minute
// consultation, a 10-year horizon) and keep the rules small enough to evaluate
// on every slot listing. Forms use them for their min and max attributes.
const (
	MinSlotMinutes   = 10
	MaxSlotMinutes   = 240
	MaxBufferMinutes = 120
	MaxNoticeHours   = 2160 // 90 days
	MinHorizonDays   = 1
	MaxHorizonDays   = 365
	MaxWeeklyWindows = 50
	MaxExceptions    = 366
)

// maxZoneNameLen bounds the time zone name we try to load and echo back; the
// longest IANA names are about 30 characters.
const maxZoneNameLen = 64

// AvailabilityInput is the body of PUT /api/v1/clinicians/{id}/availability
// and the fields of the clinician's availability form. Times are wall-clock
// times in TimeZone. It is only ever turned into rules through Parse.
type AvailabilityInput struct {
	TimeZone       string              `json:"timezone" form:"timezone"`
	SlotMinutes    int                 `json:"slot_minutes" form:"slot_minutes"`
	BufferMinutes  int                 `json:"buffer_minutes" form:"buffer_minutes"`
	MinNoticeHours int                 `json:"min_notice_hours" form:"min_notice_hours"`
	HorizonDays    int                 `json:"horizon_days" form:"horizon_days"`
	Weekly         []WeeklyWindowInput `json:"weekly" form:"weekly"`
	Exceptions     []ExceptionInput    `json:"exceptions" form:"exceptions"`
	// KeepBookings saves hours that close a day or remove hours holding
	// upcoming consultations anyway: those consultations stay booked (the
	// clinician still sees the clients); only new bookings stop. Without
	// it such a change is refused with the list of consultations. It is
	// part of one request, never stored.
	KeepBookings bool `json:"keep_bookings,omitempty" form:"-"`
}

// WeeklyWindowInput is one recurring window, such as monday 09:00–12:00.
type WeeklyWindowInput struct {
	Weekday string `json:"weekday" form:"weekday"`
	Start   string `json:"start" form:"start"`
	End     string `json:"end" form:"end"`
}

// ExceptionInput is one dated change to the weekly hours: either the
// whole day closed (time off) or extra hours on that date.
type ExceptionInput struct {
	Date   string `json:"date" form:"date"`
	Closed bool   `json:"closed,omitempty" form:"closed"`
	Start  string `json:"start,omitempty" form:"start"`
	End    string `json:"end,omitempty" form:"end"`
}

// Availability is a clinician's parsed and validated consultation rules.
// Values produced by Parse have Weekly sorted by weekday (Monday first) and
// start, with no overlaps on the same weekday, and Exceptions sorted by date,
// closed entries first, then by start; OpenSlots relies on that order and
// sorts a copy when handed rules in another order.
type Availability struct {
	TimeZone   string         // IANA name, as stored and shown
	Location   *time.Location // TimeZone loaded
	Slot       time.Duration  // length of one consultation
	Buffer     time.Duration  // free time kept before and after every consultation
	MinNotice  time.Duration  // earliest bookable start is now + MinNotice
	Horizon    time.Duration  // starts must be before now + Horizon (whole days)
	Weekly     []WeeklyWindow
	Exceptions []Exception
}

// WeeklyWindow is a recurring window of wall-clock time on one weekday.
type WeeklyWindow struct {
	Weekday    time.Weekday
	Start, End Clock
}

// Exception changes the hours of one civil date: Closed removes that day's
// weekly hours; otherwise [Start, End) is added to them.
type Exception struct {
	Date       Date
	Closed     bool
	Start, End Clock
}

// Clock is a wall-clock time of day in minutes since midnight; 24:00 (1440)
// is allowed as the end of a window that runs to midnight.
type Clock int

// ParseClock reads a 24-hour "HH:MM" time ("9:30" is accepted too).
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return 0, fmt.Errorf("clock %q: want HH:MM", s)
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 24 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("clock %q: out of range", s)
	}
	return Clock(hh*60 + mm), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Date is a civil (calendar) date with no time zone, such as a day off.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a "YYYY-MM-DD" date and rejects days that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Compare orders dates by time: -1, 0 or +1.
func (d Date) Compare(e Date) int {
	if c := cmp.Compare(d.Year, e.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, e.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, e.Day)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return weekdayOfDay(d.dayNumber()) }

var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday,
	"saturday": time.Saturday,
}

// Parse validates the input and returns the rules. Every problem is reported
// at once, one human message per field, keyed by the field's JSON path
// ("timezone", "weekly[2].end", "exceptions[0].date") in an apperr.Invalid.
func (in AvailabilityInput) Parse() (Availability, error) {
	f := map[string]string{}
	var a Availability

	tz := strings.TrimSpace(in.TimeZone)
	switch {
	case tz == "":
		f["timezone"] = "Choose a time zone, such as America/New_York."
	case len(tz) > maxZoneNameLen || tz == "Local":
		f["timezone"] = "Use an IANA time zone name, such as America/New_York or Europe/London."
	default:
		loc, err := zone.Load(tz)
		if err != nil {
			f["timezone"] = fmt.Sprintf("%q is not a time zone we know. Use an IANA name, such as America/New_York or Europe/London.", tz)
		}
		a.TimeZone, a.Location = tz, loc
	}

	slotOK := in.SlotMinutes >= MinSlotMinutes && in.SlotMinutes <= MaxSlotMinutes
	if !slotOK {
		f["slot_minutes"] = fmt.Sprintf("Consultation length must be between %d and %d minutes.", MinSlotMinutes, MaxSlotMinutes)
	}
	if in.BufferMinutes < 0 || in.BufferMinutes > MaxBufferMinutes {
		f["buffer_minutes"] = fmt.Sprintf("Buffer must be between 0 and %d minutes.", MaxBufferMinutes)
	}
	if in.MinNoticeHours < 0 || in.MinNoticeHours > MaxNoticeHours {
		f["min_notice_hours"] = fmt.Sprintf("Minimum notice must be between 0 and %d hours (90 days).", MaxNoticeHours)
	}
	if in.HorizonDays < MinHorizonDays || in.HorizonDays > MaxHorizonDays {
		f["horizon_days"] = fmt.Sprintf("Booking horizon must be between %d and %d days.", MinHorizonDays, MaxHorizonDays)
	}
	a.Slot = time.Duration(in.SlotMinutes) * time.Minute
	a.Buffer = time.Duration(in.BufferMinutes) * time.Minute
	a.MinNotice = time.Duration(in.MinNoticeHours) * time.Hour
	a.Horizon = time.Duration(in.HorizonDays) * 24 * time.Hour
	slot := Clock(in.SlotMinutes)
	if !slotOK {
		slot = 0 // window length is not checked against an invalid slot
	}

	if len(in.Weekly) > MaxWeeklyWindows {
		f["weekly"] = fmt.Sprintf("List at most %d weekly windows.", MaxWeeklyWindows)
	} else {
		a.Weekly = parseWeekly(in.Weekly, slot, f)
	}
	if len(in.Exceptions) > MaxExceptions {
		f["exceptions"] = fmt.Sprintf("List at most %d exceptions.", MaxExceptions)
	} else {
		a.Exceptions = parseExceptions(in.Exceptions, slot, f)
	}

	if err := apperr.Validation(f); err != nil {
		return Availability{}, err
	}
	return a, nil
}

// indexed remembers where a parsed entry came from, so that an overlap is
// reported against the entry the person typed.
type indexed[T any] struct {
	v T
	i int
}

func parseWeekly(in []WeeklyWindowInput, slot Clock, f map[string]string) []WeeklyWindow {
	ws := make([]indexed[WeeklyWindow], 0, len(in))
	for i, w := range in {
		key := fmt.Sprintf("weekly[%d]", i)
		wd, dayOK := weekdayNames[strings.ToLower(strings.TrimSpace(w.Weekday))]
		if !dayOK {
			f[key+".weekday"] = "Choose a day of the week, monday to sunday."
		}
		start, end, ok := parseWindow(key, w.Start, w.End, slot, f)
		if dayOK && ok {
			ws = append(ws, indexed[WeeklyWindow]{WeeklyWindow{wd, start, end}, i})
		}
	}
	slices.SortFunc(ws, func(x, y indexed[WeeklyWindow]) int { return compareWeekly(x.v, y.v) })
	for j := 1; j < len(ws); j++ {
		// The window with the latest end so far on this weekday is the one a
		// later window can overlap.
		prev := ws[j-1]
		for k := j - 2; k >= 0 && ws[k].v.Weekday == ws[j].v.Weekday; k-- {
			if ws[k].v.End > prev.v.End {
				prev = ws[k]
			}
		}
		cur := ws[j]
		if prev.v.Weekday != cur.v.Weekday || cur.v.Start >= prev.v.End {
			continue
		}
		other, flagged := prev, cur
		if prev.i > cur.i {
			other, flagged = cur, prev
		}
		key := fmt.Sprintf("weekly[%d].start", flagged.i)
		if _, set := f[key]; !set {
			f[key] = fmt.Sprintf("Overlaps another %s window (%s–%s); windows on the same day must not overlap.",
				cur.v.Weekday, other.v.Start, other.v.End)
		}
	}
	out := make([]WeeklyWindow, len(ws))
	for j, w := range ws {
		out[j] = w.v
	}
	return out
}

func parseExceptions(in []ExceptionInput, slot Clock, f map[string]string) []Exception {
	es := make([]indexed[Exception], 0, len(in))
	for i, e := range in {
		key := fmt.Sprintf("exceptions[%d]", i)
		ds := strings.TrimSpace(e.Date)
		var date Date
		dateOK := false
		if ds == "" {
			f[key+".date"] = "Enter a date, such as 2026-12-24."
		} else if d, err := ParseDate(ds); err != nil {
			f[key+".date"] = "Use a real date written year-month-day, such as 2026-12-24."
		} else {
			date, dateOK = d, true
		}
		hasHours := strings.TrimSpace(e.Start) != "" || strings.TrimSpace(e.End) != ""
		switch {
		case e.Closed && hasHours:
			f[key+".closed"] = "Either mark the day closed or give extra hours, not both."
		case e.Closed:
			if dateOK {
				es = append(es, indexed[Exception]{Exception{Date: date, Closed: true}, i})
			}
		case !hasHours:
			f[key+".start"] = "Give the extra hours for this date, or mark the day closed."
		default:
			start, end, ok := parseWindow(key, e.Start, e.End, slot, f)
			if dateOK && ok {
				es = append(es, indexed[Exception]{Exception{Date: date, Start: start, End: end}, i})
			}
		}
	}
	slices.SortFunc(es, func(x, y indexed[Exception]) int { return compareException(x.v, y.v) })
	for j := 1; j < len(es); j++ {
		prev, cur := es[j-1], es[j]
		if prev.v.Date != cur.v.Date {
			continue
		}
		// Earlier extra hours on this date with the latest end.
		for k := j - 2; k >= 0 && es[k].v.Date == cur.v.Date && !es[k].v.Closed; k-- {
			if es[k].v.End > prev.v.End {
				prev = es[k]
			}
		}
		later := max(prev.i, cur.i)
		switch {
		case prev.v.Closed && cur.v.Closed:
			key := fmt.Sprintf("exceptions[%d].date", later)
			if _, set := f[key]; !set {
				f[key] = fmt.Sprintf("%s is already listed as closed.", cur.v.Date)
			}
		case !prev.v.Closed && cur.v.Start < prev.v.End:
			other := prev
			if prev.i == later {
				other = cur
			}
			key := fmt.Sprintf("exceptions[%d].start", later)
			if _, set := f[key]; !set {
				f[key] = fmt.Sprintf("Overlaps other extra hours on %s (%s–%s).", cur.v.Date, other.v.Start, other.v.End)
			}
		}
	}
	out := make([]Exception, len(es))
	for j, e := range es {
		out[j] = e.v
	}
	return out
}

// parseWindow checks the start and end of one window (key is "weekly[i]" or
// "exceptions[i]") and records a message against whichever is wrong.
func parseWindow(key, startS, endS string, slot Clock, f map[string]string) (start, end Clock, ok bool) {
	start, startOK := parseClockField(key+".start", startS, f)
	end, endOK := parseClockField(key+".end", endS, f)
	if !startOK || !endOK {
		return 0, 0, false
	}
	switch {
	case start >= 24*60:
		f[key+".start"] = "A window must start before 24:00."
	case end <= start:
		f[key+".end"] = fmt.Sprintf("The end time must be after the start time (%s).", start)
	case end-start < slot:
		f[key+".end"] = fmt.Sprintf("This window (%s–%s) is shorter than one %d-minute consultation.", start, end, int(slot))
	default:
		return start, end, true
	}
	return 0, 0, false
}

func parseClockField(key, s string, f map[string]string) (Clock, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		f[key] = "Enter a time, such as 09:00."
		return 0, false
	}
	c, err := ParseClock(s)
	if err != nil {
		f[key] = "Use a 24-hour time, such as 09:00 or 17:30."
		return 0, false
	}
	return c, true
}

// Input returns the rules as the form and JSON body show them, so a
// clinician edits what is in force; Parse(a.Input()) gives back a.
func (a Availability) Input() AvailabilityInput {
	in := AvailabilityInput{
		TimeZone:       a.TimeZone,
		SlotMinutes:    int(a.Slot / time.Minute),
		BufferMinutes:  int(a.Buffer / time.Minute),
		MinNoticeHours: int(a.MinNotice / time.Hour),
		HorizonDays:    int(a.Horizon / (24 * time.Hour)),
		Weekly:         make([]WeeklyWindowInput, len(a.Weekly)),
		Exceptions:     make([]ExceptionInput, len(a.Exceptions)),
	}
	if in.TimeZone == "" && a.Location != nil {
		in.TimeZone = a.Location.String()
	}
	for i, w := range a.Weekly {
		in.Weekly[i] = WeeklyWindowInput{Weekday: strings.ToLower(w.Weekday.String()), Start: w.Start.String(), End: w.End.String()}
	}
	for i, e := range a.Exceptions {
		in.Exceptions[i] = ExceptionInput{Date: e.Date.String(), Closed: e.Closed}
		if !e.Closed {
			in.Exceptions[i].Start, in.Exceptions[i].End = e.Start.String(), e.End.String()
		}
	}
	return in
}

// compareWeekly orders windows Monday first, then by start.
func compareWeekly(x, y WeeklyWindow) int {
	if c := cmp.Compare(mondayFirst(x.Weekday), mondayFirst(y.Weekday)); c != 0 {
		return c
	}
	return cmp.Compare(x.Start, y.Start)
}

// compareException orders exceptions by date, closed first, then by start.
func compareException(x, y Exception) int {
	if c := x.Date.Compare(y.Date); c != 0 {
		return c
	}
	if x.Closed != y.Closed {
		if x.Closed {
			return -1
		}
		return 1
	}
	return cmp.Compare(x.Start, y.Start)
}

func mondayFirst(d time.Weekday) int { return (int(d) + 6) % 7 }

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
