package booking

import (
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/zone"
)

// SlotQuery is the query of GET /api/v1/slots and of the slot picker.
type SlotQuery struct {
	Kind     consult.Kind
	From, To time.Time // [From, To) instants
	Location *time.Location
}

// ParseSlotQuery reads kind, from and to (dates, to inclusive) and tz. Dates
// are days in tz; from defaults to today there and to to two weeks later.
func ParseSlotQuery(kind, from, to, tz string, now time.Time) (SlotQuery, error) {
	f := map[string]string{}
	var q SlotQuery
	var ok bool
	if q.Kind, ok = consult.ParseKind(kind); !ok {
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
	today := schedule.DateOf(now.In(loc))
	start, end := today, schedule.Date{}
	if from != "" {
		if start, err = schedule.ParseDate(from); err != nil {
			f["from"] = "Use a date like 2026-12-01."
		}
	}
	if to != "" {
		if end, err = schedule.ParseDate(to); err != nil {
			f["to"] = "Use a date like 2026-12-14."
		}
	} else {
		end = start.AddDays(13)
	}
	if len(f) == 0 {
		q.From = schedule.Midnight(start, loc)
		q.To = schedule.Midnight(end.AddDays(1), loc)
		switch {
		case !q.To.After(q.From):
			f["to"] = "The end date must not be before the start date."
		case q.To.Sub(q.From) > maxRange:
			f["to"] = "Ask for at most 92 days at a time."
		}
	}
	return q, apperr.Validation(f)
}
