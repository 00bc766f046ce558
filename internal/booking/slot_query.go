package booking

import (
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/zone"
)

// SlotQuery is the query of GET /api/v1/slots and of the slot picker.
type SlotQuery struct {
	Kind     string
	From, To time.Time // [From, To) instants
	Location *time.Location
}

// ParseSlotQuery reads kind, from and to (dates, to inclusive) and tz. Dates
// are days in tz; from defaults to today there and to to two weeks later.
func ParseSlotQuery(kind, from, to, tz string, now time.Time) (SlotQuery, error) {
	f := map[string]string{}
	q := SlotQuery{Kind: kind}
	if kind != "individual" && kind != "couple" {
		f["kind"] = "Choose individual or couple."
	}
	if tz == "" {
		tz = "UTC"
	}
	loc, err := zone.Load(tz)
	if err != nil {
		f["tz"] = "Unknown time zone; use an IANA name such as America/New_York."
		loc = time.UTC
	}
	q.Location = loc
	today := DateOf(now.In(loc))
	start, end := today, Date{}
	if from != "" {
		if start, err = ParseDate(from); err != nil {
			f["from"] = "Use a date like 2026-12-01."
		}
	}
	if to != "" {
		if end, err = ParseDate(to); err != nil {
			f["to"] = "Use a date like 2026-12-14."
		}
	} else {
		end = addDays(start, 13)
	}
	if len(f) == 0 {
		q.From = midnight(start, loc)
		q.To = midnight(addDays(end, 1), loc)
		switch {
		case !q.To.After(q.From):
			f["to"] = "The end date must not be before the start date."
		case q.To.Sub(q.From) > maxRange:
			f["to"] = "Ask for at most 92 days at a time."
		}
	}
	return q, apperr.Validation(f)
}

func addDays(d Date, n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

func midnight(d Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Midnight is the start of day d in loc.
func (d Date) Midnight(loc *time.Location) time.Time { return midnight(d, loc) }
