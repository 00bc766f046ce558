package schedule

import "time"

// Holds reports whether the rules' hours hold the consultation [start, end):
// it lies inside one of the windows of the date it starts on, in the
// rules' zone (weekly hours unless an exception closes the date, plus the
// date's extra hours). Notice and horizon do not matter: they limit new
// bookings, not the ones already made.
func (a Availability) Holds(start, end time.Time) bool {
	loc := a.Loc()
	d := DateOf(start.In(loc))
	weekly, exceptions := sortedRules(&a)
	closed := false
	var extra []Exception
	for _, e := range exceptions {
		switch {
		case e.Date != d:
		case e.Closed:
			closed = true
		default:
			extra = append(extra, e)
		}
	}
	var days []WeeklyWindow
	if !closed {
		for _, w := range weekly {
			if w.Weekday == d.Weekday() {
				days = append(days, w)
			}
		}
	}
	var g slotGen
	for _, w := range g.joinWindows(days, extra) {
		from := time.Date(d.Year, d.Month, d.Day, 0, 0, int(w.start), 0, loc)
		to := time.Date(d.Year, d.Month, d.Day, 0, 0, int(w.end), 0, loc)
		if !start.Before(from) && !end.After(to) {
			return true
		}
	}
	return false
}
