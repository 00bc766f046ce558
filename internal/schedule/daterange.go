package schedule

import "time"

// DateRange reads a filter's from and to dates (YYYY-MM-DD, both days
// included) in loc as the instants [start, end). An empty date leaves its
// side open (zero time). Problems go into errs under "from" and "to".
func DateRange(from, to string, loc *time.Location, errs map[string]string) (start, end time.Time) {
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			errs[field] = "Enter a date like 2026-03-31."
			return time.Time{}
		}
		return t
	}
	start = day("from", from)
	if d := day("to", to); !d.IsZero() {
		end = d.AddDate(0, 0, 1)
	}
	if !start.IsZero() && !end.IsZero() && !start.Before(end) {
		errs["to"] = "The end date must not be before the start date."
		end = time.Time{}
	}
	return start, end
}
