package intake

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/firststep/firststep/internal/schedule"
)

// QueueQuery is the queue's filter as it was typed (the staff queue's URL
// or the intake list API's query), kept as typed so a form can show it back.
type QueueQuery struct {
	Status    string // a status, "" or "open" for the open requests, "all" for every one
	Kind      string
	Clinician string // a clinician id, "none" for unassigned, "" for any
	From, To  string // YYYY-MM-DD, in the practice's time zone; To is inclusive
	Q         string // a name or email, or part of one
	Limit     string // requests per page
	Cursor    string // where the page starts: a cursor the previous page gave out
}

// The status filter's values that are not statuses.
const (
	StatusFilterOpen = "open"
	StatusFilterAll  = "all"
)

// ParseQueueQuery turns the typed filter into a StaffFilter, with a message
// per field that could not be understood (that part of the filter is then
// left out). Dates are whole days in loc. Without a status the queue shows
// the open requests; "all" shows every one.
func ParseQueueQuery(qq QueueQuery, loc *time.Location) (StaffFilter, map[string]string) {
	var f StaffFilter
	errs := map[string]string{}
	switch {
	case qq.Status == "" || qq.Status == StatusFilterOpen:
		f.OpenOnly = true
	case qq.Status == StatusFilterAll:
	case valid(Statuses, qq.Status):
		f.Status = Status(qq.Status)
	default:
		errs["status"] = "Choose a status from the list."
		f.OpenOnly = true
	}
	switch Kind(qq.Kind) {
	case "":
	case Individual, Couple:
		f.Kind = Kind(qq.Kind)
	default:
		errs["kind"] = "Choose individual or couple."
	}
	switch qq.Clinician {
	case "":
	case "none":
		f.Unassigned = true
	default:
		id, err := strconv.ParseInt(qq.Clinician, 10, 64)
		if err != nil || id <= 0 {
			errs["clinician"] = "Choose a clinician from the list."
		} else {
			f.ClinicianID = id
		}
	}
	f.From, f.To = schedule.DateRange(qq.From, qq.To, loc, errs)
	if n := utf8.RuneCountInString(qq.Q); n > maxSearch {
		errs["q"] = fmt.Sprintf("Search for at most %d characters (this has %d).", maxSearch, n)
	} else {
		f.Search = qq.Q
	}
	if qq.Limit != "" {
		n, err := strconv.Atoi(qq.Limit)
		if err != nil || n < 1 || n > MaxPageSize {
			errs["limit"] = fmt.Sprintf("Choose a page size from 1 to %d.", MaxPageSize)
		} else {
			f.Limit = n
		}
	}
	if qq.Cursor != "" {
		c, err := ParseCursor(qq.Cursor)
		if err != nil {
			errs["cursor"] = badCursor
		} else {
			f.After = c
		}
	}
	return f, errs
}
