package schedule

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Interval is a span of absolute time [Start, End).
type Interval struct{ Start, End time.Time }

// Slot is one open consultation time of one clinician, [Start, End).
type Slot struct {
	ClinicianID int64
	Start, End  time.Time
}

// In returns the slot with its times shown in loc, the zone the client asked
// for; the instants are unchanged.
func (s Slot) In(loc *time.Location) Slot {
	return Slot{ClinicianID: s.ClinicianID, Start: s.Start.In(loc), End: s.End.In(loc)}
}

// Schedule is what OpenSlots needs to know about one clinician: the rules and
// the clinician's active bookings as [start, end) without buffers; the
// buffer is applied by the computation.
type Schedule struct {
	ClinicianID int64
	Rules       Availability
	Busy        []Interval
}

// OpenSlots returns every open slot of the schedules whose start is in
// [from, to), sorted by start and then clinician ID. Times are in each
// clinician's zone; use Slot.In to show them in the client's.
//
// How the rules are applied:
//
//   - Windows are wall-clock times in the clinician's zone. For each civil
//     date, the day's windows are the weekly windows of its weekday (none if
//     an exception closes the date) together with the date's extra hours;
//     windows that overlap are joined into one.
//   - Slot starts are placed on the wall clock from each window's start,
//     stepping Slot+Buffer; a slot's wall-clock start plus Slot must not pass
//     the window's end.
//   - Each wall-clock start becomes an instant in the zone of that date. A
//     time the clock skips (the spring-forward gap) gives no slot. A time the
//     clock shows twice (the fall-back hour) gives one slot, at its first
//     occurrence. A slot ends Slot later in absolute time and must end by the
//     instant the window ends (for an end inside a gap, the moment the clock
//     jumps past it). So a 09:00 slot is at 09:00 local time on both sides of
//     a change, no wall-clock time is offered twice, and none is offered
//     that the clock does not show that day.
//   - A slot [s, e) is open only when every busy interval [bs, be) keeps
//     Buffer away from it: e+Buffer <= bs or be+Buffer <= s.
//   - Minimum notice: s >= now+MinNotice. Horizon: s < now+Horizon, a rolling
//     limit counted in 24-hour days from the current instant, so the set of
//     bookable slots does not jump at the clinician's midnight.
//
// Rules are expected to come from AvailabilityInput.Parse; zero rules (no
// slot length) produce no slots.
func OpenSlots(schedules []Schedule, from, to, now time.Time) []Slot {
	n, busy := 0, 0
	for i := range schedules {
		n += estimateSlots(&schedules[i], from, to, now)
		busy = max(busy, len(schedules[i].Busy))
	}
	g := slotGen{busy: make([]busySpan, 0, busy), windows: make([]wallWindow, 0, 8)}
	// Slots are computed and ordered as plain numbers, and become Slots once.
	raw := make([]rawSlot, 0, n)
	runs := make([]int, 0, len(schedules)+1)
	runs = append(runs, 0)
	for i := range schedules {
		raw = g.appendSchedule(raw, schedules, i, from, to, now)
		runs = append(runs, len(raw))
	}
	raw = mergeRuns(raw, runs, schedules)
	if len(raw) == 0 {
		return nil
	}
	out := make([]Slot, len(raw))
	for i, r := range raw {
		s := &schedules[r.schedule]
		loc := s.Rules.Loc()
		out[i] = Slot{ClinicianID: s.ClinicianID, Start: time.Unix(r.start, 0).In(loc), End: time.Unix(r.end, 0).In(loc)}
	}
	return out
}

// rawSlot is an open slot of schedules[schedule] in Unix seconds.
type rawSlot struct {
	start, end int64
	schedule   int
}

// Loc returns the zone of the rules, UTC when none is set.
func (r *Availability) Loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// OpenAt returns the open slot of s that starts exactly at start, if any.
// Booking uses it to accept only a start that OpenSlots would offer.
func (s Schedule) OpenAt(start, now time.Time) (Slot, bool) {
	slots := OpenSlots([]Schedule{s}, start, start.Add(time.Nanosecond), now)
	if len(slots) == 1 && slots[0].Start.Equal(start) {
		return slots[0], true
	}
	return Slot{}, false
}

const (
	secondsPerDay = 24 * 60 * 60
	// zoneMargin is more than the largest UTC offset any zone has used, so
	// that every instant whose wall clock falls on a given civil date lies
	// within the margin of that date's midnight-as-UTC.
	zoneMargin = 16 * 60 * 60
)

// Bounds returns the range of whole Unix seconds [lo, hi) that slot starts
// of rules r may take; lo >= hi means none. OpenSlots depends on now through
// these alone (a listing cache may rely on it).
func Bounds(r *Availability, from, to, now time.Time) (lo, hi int64) {
	early := from
	if n := now.Add(r.MinNotice); n.After(early) {
		early = n
	}
	late := to
	if h := now.Add(r.Horizon); h.Before(late) {
		late = h
	}
	return ceilUnix(early), ceilUnix(late)
}

// estimateSlots is an upper-ish guess of how many slots a schedule yields,
// so the result is allocated once in the common case.
func estimateSlots(s *Schedule, from, to, now time.Time) int {
	r := &s.Rules
	step := int(r.Slot/time.Minute) + max(int(r.Buffer/time.Minute), 0)
	if r.Slot <= 0 || step <= 0 {
		return 0
	}
	lo, hi := Bounds(r, from, to, now)
	if lo >= hi {
		return 0
	}
	perWeek := 0
	for _, w := range r.Weekly {
		if d := int(w.End-w.Start) - int(r.Slot/time.Minute); d >= 0 {
			perWeek += d/step + 1
		}
	}
	days := int((hi-lo)/secondsPerDay) + 2
	return perWeek*days/7 + perWeek/7 + 1
}

// slotGen holds the scratch space reused across schedules in one call.
type slotGen struct {
	busy    []busySpan
	windows []wallWindow
	day     dayClock
}

// busySpan is a busy interval in Unix seconds; maxEnd is the latest end of it
// and of every span sorted before it.
type busySpan struct{ start, end, maxEnd int64 }

// wallWindow is a window of wall-clock seconds since midnight.
type wallWindow struct{ start, end int64 }

func (g *slotGen) appendSchedule(out []rawSlot, schedules []Schedule, si int, from, to, now time.Time) []rawSlot {
	s := &schedules[si]
	r := &s.Rules
	slot := int64(r.Slot / time.Second)
	buf := max(int64(r.Buffer/time.Second), 0)
	if slot <= 0 {
		return out
	}
	step := slot + buf
	lo, hi := Bounds(r, from, to, now)
	if lo >= hi {
		return out
	}
	loc := r.Loc()
	weekly, exceptions := sortedRules(r)
	var byDay [7][2]int // weekly[byDay[d][0]:byDay[d][1]] are weekday d's windows
	for i := 0; i < len(weekly); {
		j := i
		for j < len(weekly) && weekly[j].Weekday == weekly[i].Weekday {
			j++
		}
		byDay[weekly[i].Weekday] = [2]int{i, j}
		i = j
	}

	busy := g.loadBusy(s.Busy, lo-slot-buf, hi+slot+buf)
	k := 0 // busy[:k] start before the current slot's end plus buffer

	firstDay := daysFromCivil(time.Unix(lo, 0).In(loc).Date())
	lastDay := daysFromCivil(time.Unix(hi-1, 0).In(loc).Date())
	ei, _ := slices.BinarySearchFunc(exceptions, firstDay, func(e Exception, day int64) int {
		return cmp.Compare(e.Date.dayNumber(), day)
	})

	g.day.reset(loc)
	lastEnd := int64(math.MinInt64)
	for day := firstDay; day <= lastDay; day++ {
		for ei < len(exceptions) && exceptions[ei].Date.dayNumber() < day {
			ei++
		}
		closed := false
		extra := ei
		for ; ei < len(exceptions) && exceptions[ei].Date.dayNumber() == day; ei++ {
			if exceptions[ei].Closed {
				closed = true
				extra = ei + 1
			}
		}
		var wk []WeeklyWindow
		if !closed {
			b := byDay[weekdayOfDay(day)]
			wk = weekly[b[0]:b[1]]
		}
		windows := g.joinWindows(wk, exceptions[extra:ei])
		if len(windows) == 0 {
			continue
		}

		midnight := day * secondsPerDay // this date's midnight read as UTC
		g.day.load(midnight)
		for _, w := range windows {
			windowEnd, _ := g.day.instant(midnight + w.end)
			for m := w.start; m+slot <= w.end; m += step {
				start, ok := g.day.instant(midnight + m)
				if !ok {
					continue
				}
				end := start + slot
				if end > windowEnd {
					break
				}
				if start >= hi {
					return out
				}
				if start < lo || start < lastEnd {
					continue
				}
				for k < len(busy) && busy[k].start < end+buf {
					k++
				}
				if k > 0 && busy[k-1].maxEnd > start-buf {
					continue
				}
				out = append(out, rawSlot{start: start, end: end, schedule: si})
				lastEnd = end
			}
		}
	}
	return out
}

// loadBusy keeps the busy intervals that can touch a slot starting in
// [lo, hi) (lo and hi already widened by slot and buffer), sorted by start,
// with the running maximum of their ends.
func (g *slotGen) loadBusy(in []Interval, lo, hi int64) []busySpan {
	b := g.busy[:0]
	for _, iv := range in {
		start := iv.Start.Unix() // floor: a busy interval is never shortened
		end := max(ceilUnix(iv.End), start)
		if end <= lo || start >= hi {
			continue
		}
		b = append(b, busySpan{start: start, end: end})
	}
	byStart := func(x, y busySpan) int { return cmp.Compare(x.start, y.start) }
	if !slices.IsSortedFunc(b, byStart) {
		slices.SortFunc(b, byStart)
	}
	top := int64(math.MinInt64)
	for i := range b {
		top = max(top, b[i].end)
		b[i].maxEnd = top
	}
	g.busy = b
	return b
}

// joinWindows merges one day's weekly windows and extra hours, both sorted
// by start, into wall-clock windows in seconds, joining any that overlap.
func (g *slotGen) joinWindows(weekly []WeeklyWindow, extra []Exception) []wallWindow {
	ws := g.windows[:0]
	i, j := 0, 0
	for i < len(weekly) || j < len(extra) {
		var w wallWindow
		if j == len(extra) || (i < len(weekly) && weekly[i].Start <= extra[j].Start) {
			w = wallWindow{int64(weekly[i].Start) * 60, int64(weekly[i].End) * 60}
			i++
		} else {
			w = wallWindow{int64(extra[j].Start) * 60, int64(extra[j].End) * 60}
			j++
		}
		if n := len(ws); n > 0 && w.start < ws[n-1].end {
			ws[n-1].end = max(ws[n-1].end, w.end)
			continue
		}
		ws = append(ws, w)
	}
	g.windows = ws
	return ws
}

// sortedRules returns the weekly windows and exceptions in the order Parse
// produces, sorting copies only when they are not.
func sortedRules(r *Availability) ([]WeeklyWindow, []Exception) {
	weekly, exceptions := r.Weekly, r.Exceptions
	if !slices.IsSortedFunc(weekly, compareWeekly) {
		weekly = slices.Clone(weekly)
		slices.SortFunc(weekly, compareWeekly)
	}
	if !slices.IsSortedFunc(exceptions, compareException) {
		exceptions = slices.Clone(exceptions)
		slices.SortFunc(exceptions, compareException)
	}
	return weekly, exceptions
}

// mergeRuns sorts slots by start, then clinician ID. Each schedule's slots
// (slots[runs[i]:runs[i+1]]) are already in start order, so merging the runs
// pairwise is cheaper than sorting from scratch.
func mergeRuns(slots []rawSlot, runs []int, schedules []Schedule) []rawSlot {
	if len(runs) <= 2 {
		return slots
	}
	src, dst := slots, make([]rawSlot, len(slots))
	for len(runs) > 2 {
		next := runs[:1]
		for i := 0; i+1 < len(runs); i += 2 {
			lo, mid := runs[i], runs[i+1]
			hi := mid
			if i+2 < len(runs) {
				hi = runs[i+2]
			}
			mergeTwo(dst[lo:hi], src[lo:mid], src[mid:hi], schedules)
			next = append(next, hi)
		}
		runs = next
		src, dst = dst, src
	}
	return src
}

func mergeTwo(dst, a, b []rawSlot, schedules []Schedule) {
	i, j, n := 0, 0, 0
	for i < len(a) && j < len(b) {
		if b[j].start < a[i].start || (b[j].start == a[i].start &&
			schedules[b[j].schedule].ClinicianID < schedules[a[i].schedule].ClinicianID) {
			dst[n] = b[j]
			j++
		} else {
			dst[n] = a[i]
			i++
		}
		n++
	}
	n += copy(dst[n:], a[i:])
	copy(dst[n:], b[j:])
}

// dayClock turns wall-clock times of one civil date into instants. It holds
// the zone's periods of constant UTC offset that cover every instant whose
// wall clock can read that date: usually one, two around a DST change.
type dayClock struct {
	loc     *time.Location
	periods [4]zonePeriod
	n       int
}

// zonePeriod is a span of Unix seconds [start, end) with one UTC offset.
type zonePeriod struct{ start, end, offset int64 }

func (z *dayClock) reset(loc *time.Location) { z.loc, z.n = loc, 0 }

// load prepares the periods for the date whose midnight, read as UTC, is the
// Unix second midnight. A period that covers the whole date is kept, so the
// zone is consulted only around offset changes.
func (z *dayClock) load(midnight int64) {
	a, b := midnight-zoneMargin, midnight+secondsPerDay+zoneMargin
	if z.n == 1 && z.periods[0].start <= a && z.periods[0].end > b {
		return
	}
	z.n = 0
	for t := a; z.n < len(z.periods); {
		at := time.Unix(t, 0).In(z.loc)
		_, offset := at.Zone()
		first, next := at.ZoneBounds()
		p := zonePeriod{start: math.MinInt64, end: math.MaxInt64, offset: int64(offset)}
		if !first.IsZero() {
			p.start = first.Unix()
		}
		if !next.IsZero() {
			p.end = next.Unix()
		}
		z.periods[z.n] = p
		z.n++
		if p.end > b {
			break
		}
		t = p.end
	}
}

// instant returns the first instant at which the wall clock reads wall
// (seconds since the epoch, read as UTC). When the clock skips wall, ok is
// false and t is the instant the clock jumps past it.
//
// Periods are in time order and disjoint, so the first period that contains
// its candidate gives the earliest instant: the first occurrence of a
// repeated time.
func (z *dayClock) instant(wall int64) (t int64, ok bool) {
	for i := range z.n {
		p := &z.periods[i]
		c := wall - p.offset
		if c < p.start {
			return p.start, false
		}
		if c < p.end {
			return c, true
		}
	}
	return wall - z.periods[z.n-1].offset, false
}

// ceilUnix returns the smallest whole Unix second not before t.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// dayNumber counts days since 1970-01-01.
func (d Date) dayNumber() int64 { return daysFromCivil(d.Year, d.Month, d.Day) }

// daysFromCivil counts days from 1970-01-01 to the proleptic Gregorian date
// y-m-d, without the time package (it runs for every date in a listing).
func daysFromCivil(y int, m time.Month, d int) int64 {
	yy := int64(y)
	if m <= time.February {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	mp := (int64(m) + 9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// weekdayOfDay returns the weekday of a day number; 1970-01-01 was a Thursday.
func weekdayOfDay(day int64) time.Weekday {
	return time.Weekday(((day+4)%7 + 7) % 7)
}
