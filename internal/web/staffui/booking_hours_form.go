package staffui

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/go-playground/form/v4"
)

// AvailabilityForm is the availability editor as the person typed it. Every
// value is kept as text, so that a mistake is shown back exactly as it was
// entered, and rows keep the positions they had on the page.
//
// The page lists the weekly windows and date exceptions as rows, with a few
// empty rows for adding; a row left empty is not a rule (clearing a row
// removes it). Errors are keyed by the rows of the page ("weekly[4].end"),
// not by the rules' positions, which skip the empty rows.
//
// The form tags are the names of the page's controls; hoursFormDecoder
// reads the indexed rows ("weekly[4].end") into the slices.
type AvailabilityForm struct {
	TimeZone       string         `form:"timezone"`
	SlotMinutes    string         `form:"slot_minutes"`
	BufferMinutes  string         `form:"buffer_minutes"`
	MinNoticeHours string         `form:"min_notice_hours"`
	HorizonDays    string         `form:"horizon_days"`
	Weekly         []WeeklyRow    `form:"weekly"`
	Exceptions     []ExceptionRow `form:"exceptions"`
	// Errors holds one message per field, keyed like the form's names:
	// "slot_minutes", "weekly[4].end", "exceptions[0].date".
	Errors map[string]string `form:"-"`
}

// WeeklyRow is one row of weekly hours on the page.
type WeeklyRow struct {
	Weekday string `form:"weekday"`
	Start   string `form:"start"`
	End     string `form:"end"`
}

// Empty reports whether the row says nothing: no start and no end. The day
// alone does not make a window, so clearing the times removes one.
func (r WeeklyRow) Empty() bool { return r.Start == "" && r.End == "" }

// ExceptionRow is one row of date exceptions on the page.
type ExceptionRow struct {
	Date   string `form:"date"`
	Closed bool   `form:"closed"` // any value ticks it
	Start  string `form:"start"`
	End    string `form:"end"`
}

// Empty reports whether the row says nothing at all.
func (r ExceptionRow) Empty() bool { return r.Date == "" && !r.Closed && r.Start == "" && r.End == "" }

// hoursMaxFormRows bounds the row numbers read from a posted form; the page
// never shows more rows than the rules allow plus a few empty ones.
const hoursMaxFormRows = schedule.MaxExceptions + 20

// hoursMaxFormValue bounds each value kept from a posted form.
const hoursMaxFormValue = 100

// hoursFormDecoder decodes the editor's fields. Every text is trimmed and
// bounded (hoursClean); a checkbox is ticked by any value, as browsers send
// "on" or the control's value.
var hoursFormDecoder = func() *form.Decoder {
	d := form.NewDecoder()
	d.SetMaxArraySize(hoursMaxFormRows)
	d.RegisterCustomTypeFunc(func(v []string) (any, error) { return hoursClean(v[0]), nil }, "")
	d.RegisterCustomTypeFunc(func(v []string) (any, error) { return hoursClean(v[0]) != "", nil }, false)
	return d
}()

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
// a row number missing from the form is an empty row, and one beyond what
// the page can show is ignored.
func ParseAvailabilityForm(v url.Values) AvailabilityForm { return parseHoursPost(v).AvailabilityForm }

// hoursPost is the editor as posted: the rules as typed, and what to do
// with them.
type hoursPost struct {
	AvailabilityForm
	Week         string `form:"week"`         // the week the page showed (YYYY-MM-DD)
	PreviewWeek  string `form:"preview_week"` // another week to preview the typed rules in
	Intent       string `form:"intent"`       // "preview": show the typed rules, save nothing
	KeepBookings bool   `form:"keep_bookings"`
}

// previewing reports whether the post asks to see the typed rules rather
// than save them.
func (p hoursPost) previewing() bool { return p.Intent == "preview" || p.PreviewWeek != "" }

// week is the week to show after the post.
func (p hoursPost) week() string {
	if p.PreviewWeek != "" {
		return p.PreviewWeek
	}
	return p.Week
}

func parseHoursPost(v url.Values) hoursPost {
	var p hoursPost
	// The decoder reports only row names it cannot read ("weekly[x].start"),
	// which the page never sends; what it could read is kept.
	_ = hoursFormDecoder.Decode(&p, hoursPageRows(v))
	return p
}

// hoursPageRows leaves out the fields of rows beyond hoursMaxFormRows: the
// decoder would refuse the whole list for one of them.
func hoursPageRows(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vals := range v {
		if i, ok := hoursRowIndex(k); ok && i >= hoursMaxFormRows {
			continue
		}
		out[k] = vals
	}
	return out
}

// hoursRowIndex reads the row number of a row's key: 4 for
// "weekly[4].end"; ok is false for a key that is not a row's.
func hoursRowIndex(key string) (int, bool) {
	_, rest, ok := strings.Cut(key, "[")
	if !ok {
		return 0, false
	}
	n, _, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil && i >= 0
}

func hoursClean(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > hoursMaxFormValue {
		s = s[:hoursMaxFormValue]
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
			k = hoursPageKey(k, weeklyRow, exceptionRow)
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

// hoursPageKey turns an error key of the rules ("weekly[1].end", the
// second window given) into the key of the page row it came from.
func hoursPageKey(k string, weeklyRow, exceptionRow []int) string {
	list, _, _ := strings.Cut(k, "[")
	i, ok := hoursRowIndex(k)
	if !ok || list != "weekly" && list != "exceptions" {
		return k
	}
	rows := weeklyRow
	if list == "exceptions" {
		rows = exceptionRow
	}
	if i >= len(rows) {
		return k
	}
	_, part, _ := strings.Cut(k, "]")
	return fmt.Sprintf("%s[%d]%s", list, rows[i], part)
}

// HoursFieldMessage is one entry of an error summary: the id of the field it is
// about and the message, saying which row when it is about one.
type HoursFieldMessage struct {
	ID      string
	Message string
}

// Summary lists f.Errors in the order the fields appear on the page.
func (f AvailabilityForm) Summary() []HoursFieldMessage {
	var out []HoursFieldMessage
	add := func(key, prefix string) {
		if msg, ok := f.Errors[key]; ok {
			if prefix != "" {
				msg = prefix + ": " + msg
			}
			out = append(out, HoursFieldMessage{ID: HoursFieldID(key), Message: msg})
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

// HoursFieldID is the HTML id of the control for a form key: "weekly[2].end"
// is "f-weekly-2-end".
func HoursFieldID(key string) string {
	return "f-" + strings.NewReplacer("[", "-", "]", "", ".", "-").Replace(key)
}
