package booking

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/schedule"
)

// AvailabilityForm is the availability editor as the person typed it. Every
// value is kept as text, so that a mistake is shown back exactly as it was
// entered, and rows keep the positions they had on the page.
//
// The page lists the weekly windows and date exceptions as rows, with a few
// empty rows for adding; a row left empty is not a rule (clearing a row
// removes it). Errors are keyed by the rows of the page ("weekly[4].end"),
// not by the rules' positions, which skip the empty rows.
type AvailabilityForm struct {
	TimeZone       string
	SlotMinutes    string
	BufferMinutes  string
	MinNoticeHours string
	HorizonDays    string
	Weekly         []WeeklyRow
	Exceptions     []ExceptionRow
	// Errors holds one message per field, keyed like the form's names:
	// "slot_minutes", "weekly[4].end", "exceptions[0].date".
	Errors map[string]string
}

// WeeklyRow is one row of weekly hours on the page.
type WeeklyRow struct{ Weekday, Start, End string }

// Empty reports whether the row says nothing: no start and no end. The day
// alone does not make a window, so clearing the times removes one.
func (r WeeklyRow) Empty() bool { return r.Start == "" && r.End == "" }

// ExceptionRow is one row of date exceptions on the page.
type ExceptionRow struct {
	Date       string
	Closed     bool
	Start, End string
}

// Empty reports whether the row says nothing at all.
func (r ExceptionRow) Empty() bool { return r.Date == "" && !r.Closed && r.Start == "" && r.End == "" }

// maxFormRows bounds the row numbers read from a posted form; the page
// never shows more rows than the rules allow plus a few empty ones.
const maxFormRows = schedule.MaxExceptions + 20

// maxFormValue bounds each value kept from a posted form.
const maxFormValue = 100

var rowField = regexp.MustCompile(`^(weekly|exceptions)\[(\d{1,4})\]\.(weekday|date|closed|start|end)$`)

// NewAvailabilityForm is the form showing rules in, with blankWeekly and
// blankExceptions empty rows for adding.
func NewAvailabilityForm(in schedule.AvailabilityInput, blankWeekly, blankExceptions int) AvailabilityForm {
	f := AvailabilityForm{TimeZone: in.TimeZone, SlotMinutes: strconv.Itoa(in.SlotMinutes),
		BufferMinutes: strconv.Itoa(in.BufferMinutes), MinNoticeHours: strconv.Itoa(in.MinNoticeHours),
		HorizonDays: strconv.Itoa(in.HorizonDays)}
	for _, w := range in.Weekly {
		f.Weekly = append(f.Weekly, WeeklyRow(w))
	}
	for _, e := range in.Exceptions {
		f.Exceptions = append(f.Exceptions, ExceptionRow(e))
	}
	f.Weekly = append(f.Weekly, make([]WeeklyRow, blankWeekly)...)
	f.Exceptions = append(f.Exceptions, make([]ExceptionRow, blankExceptions)...)
	return f
}

// ParseAvailabilityForm reads the posted editor. Rows are named
// "weekly[i].weekday|start|end" and "exceptions[i].date|closed|start|end";
// a row number missing from the form is an empty row.
func ParseAvailabilityForm(v url.Values) AvailabilityForm {
	get := func(k string) string { return clean(v.Get(k)) }
	f := AvailabilityForm{TimeZone: get("timezone"), SlotMinutes: get("slot_minutes"), BufferMinutes: get("buffer_minutes"),
		MinNoticeHours: get("min_notice_hours"), HorizonDays: get("horizon_days")}
	for key, vals := range v {
		m := rowField.FindStringSubmatch(key)
		if m == nil || len(vals) == 0 {
			continue
		}
		i, _ := strconv.Atoi(m[2])
		if i >= maxFormRows {
			continue
		}
		val := clean(vals[0])
		switch m[1] {
		case "weekly":
			for len(f.Weekly) <= i {
				f.Weekly = append(f.Weekly, WeeklyRow{})
			}
			r := &f.Weekly[i]
			switch m[3] {
			case "weekday":
				r.Weekday = val
			case "start":
				r.Start = val
			case "end":
				r.End = val
			}
		case "exceptions":
			for len(f.Exceptions) <= i {
				f.Exceptions = append(f.Exceptions, ExceptionRow{})
			}
			r := &f.Exceptions[i]
			switch m[3] {
			case "date":
				r.Date = val
			case "closed":
				r.Closed = val != ""
			case "start":
				r.Start = val
			case "end":
				r.End = val
			}
		}
	}
	return f
}

func clean(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxFormValue {
		s = s[:maxFormValue]
	}
	return s
}

// Input turns the form into the rules' input, leaving out empty rows, and
// returns where each kept row is on the page: weeklyRow[i] is the page row
// of in.Weekly[i]. Numbers that are not numbers are reported in errs.
func (f AvailabilityForm) Input() (in schedule.AvailabilityInput, weeklyRow, exceptionRow []int, errs map[string]string) {
	errs = map[string]string{}
	num := func(field, s, msg string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[field] = msg
			return 0
		}
		return n
	}
	in = schedule.AvailabilityInput{TimeZone: f.TimeZone,
		SlotMinutes:    num("slot_minutes", f.SlotMinutes, "Enter the consultation length in whole minutes, such as 50."),
		BufferMinutes:  num("buffer_minutes", f.BufferMinutes, "Enter the buffer in whole minutes, such as 10 (0 for none)."),
		MinNoticeHours: num("min_notice_hours", f.MinNoticeHours, "Enter the minimum notice in whole hours, such as 24 (0 for none)."),
		HorizonDays:    num("horizon_days", f.HorizonDays, "Enter how many days ahead clients may book, such as 60."),
	}
	for i, r := range f.Weekly {
		if r.Empty() {
			continue
		}
		in.Weekly = append(in.Weekly, schedule.WeeklyWindowInput(r))
		weeklyRow = append(weeklyRow, i)
	}
	for i, r := range f.Exceptions {
		if r.Empty() {
			continue
		}
		in.Exceptions = append(in.Exceptions, schedule.ExceptionInput(r))
		exceptionRow = append(exceptionRow, i)
	}
	return in, weeklyRow, exceptionRow, errs
}

// Parse validates the form. On failure it fills f.Errors, keyed by the
// page's rows, and returns them as an apperr.Invalid.
func (f *AvailabilityForm) Parse() (schedule.Availability, error) {
	in, weeklyRow, exceptionRow, errs := f.Input()
	a, err := in.Parse()
	if err != nil {
		fields := apperr.FieldsOf(err)
		if fields == nil {
			return schedule.Availability{}, err
		}
		for k, msg := range fields {
			k = pageKey(k, weeklyRow, exceptionRow)
			if _, set := errs[k]; !set { // a number we could not read has the clearer message
				errs[k] = msg
			}
		}
	}
	if len(errs) > 0 {
		f.Errors = errs
		return schedule.Availability{}, apperr.Validation(errs)
	}
	f.Errors = nil
	return a, nil
}

var ruleKey = regexp.MustCompile(`^(weekly|exceptions)\[(\d+)\](\..+)$`)

// pageKey turns an error key of the rules ("weekly[1].end", the second
// window given) into the key of the page row it came from.
func pageKey(k string, weeklyRow, exceptionRow []int) string {
	m := ruleKey.FindStringSubmatch(k)
	if m == nil {
		return k
	}
	i, _ := strconv.Atoi(m[2])
	rows := weeklyRow
	if m[1] == "exceptions" {
		rows = exceptionRow
	}
	if i < len(rows) {
		i = rows[i]
	}
	return fmt.Sprintf("%s[%d]%s", m[1], i, m[3])
}

// FieldMessage is one entry of an error summary: the id of the field it is
// about and the message, saying which row when it is about one.
type FieldMessage struct {
	ID      string
	Message string
}

// Summary lists f.Errors in the order the fields appear on the page.
func (f AvailabilityForm) Summary() []FieldMessage {
	var out []FieldMessage
	add := func(key, prefix string) {
		if msg, ok := f.Errors[key]; ok {
			if prefix != "" {
				msg = prefix + ": " + msg
			}
			out = append(out, FieldMessage{ID: FieldID(key), Message: msg})
		}
	}
	add("timezone", "")
	add("slot_minutes", "")
	add("buffer_minutes", "")
	add("min_notice_hours", "")
	add("horizon_days", "")
	add("weekly", "")
	for i := range f.Weekly {
		for _, part := range []string{"weekday", "start", "end"} {
			add(fmt.Sprintf("weekly[%d].%s", i, part), fmt.Sprintf("Weekly window %d", i+1))
		}
	}
	add("exceptions", "")
	for i := range f.Exceptions {
		for _, part := range []string{"date", "closed", "start", "end"} {
			add(fmt.Sprintf("exceptions[%d].%s", i, part), fmt.Sprintf("Date exception %d", i+1))
		}
	}
	return out
}

// FieldID is the HTML id of the control for a form key: "weekly[2].end"
// is "f-weekly-2-end".
func FieldID(key string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(key)
}
