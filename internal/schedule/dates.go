package schedule

import "time"

// AddDays returns the date n days after d (before it for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Midnight returns the instant date d begins in loc.
func Midnight(d Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// WeekStart returns the Monday of the week (Monday to Sunday) that holds d.
func WeekStart(d Date) Date { return d.AddDays(-mondayFirst(d.Weekday())) }

// Day is one civil date and the open slots that start on it.
type Day struct {
	Date  Date
	Slots []Slot
}

// GroupWeek sorts slots into the seven days from monday by their start's
// date in loc; slots outside the week are left out. It always returns
// seven days, Monday first.
func GroupWeek(monday Date, slots []Slot, loc *time.Location) []Day {
	days := make([]Day, 7)
	for i := range days {
		days[i].Date = monday.AddDays(i)
	}
	first := monday.dayNumber()
	for _, sl := range slots {
		i := DateOf(sl.Start.In(loc)).dayNumber() - first
		if i >= 0 && i < 7 {
			days[i].Slots = append(days[i].Slots, sl)
		}
	}
	return days
}
