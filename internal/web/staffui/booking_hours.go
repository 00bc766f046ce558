package staffui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// BookingHoursViewer is the signed-in staff member as the hours pages need to know
// them.
type BookingHoursViewer struct {
	ClinicianID  int64 // the clinician whose own hours they keep; 0 for none
	ManageAny    bool  // may keep every clinician's hours
	ViewBookings bool  // may see a clinician's consultations
	// ManageBookings: may move and cancel consultations on a client's
	// behalf (the links next to consultations new hours would leave out).
	ManageBookings bool
}

// BookingHours serve a clinician's consultation hours in the staff area: the
// editor of the availability rules, a preview of the week as clients see
// it, the clinician's upcoming consultations and their calendar feed
// address. Everything works without JavaScript; every change is a form
// (POST) that redirects on success.
type BookingHours struct {
	svc    *booking.Service
	r      *web.Renderer
	viewer func(c echo.Context) (BookingHoursViewer, bool)
	audit  func(c echo.Context) booking.ClinicianHook
}

// NewBookingHours returns the hours pages. viewer tells who is signed in;
// audit returns the hook that records a change by the signed-in staff
// member of c inside the change's transaction.
func NewBookingHours(svc *booking.Service, r *web.Renderer, viewer func(echo.Context) (BookingHoursViewer, bool), audit func(echo.Context) booking.ClinicianHook) *BookingHours {
	if audit == nil {
		audit = func(echo.Context) booking.ClinicianHook { return nil }
	}
	return &BookingHours{svc: svc, r: r, viewer: viewer, audit: audit}
}

var (
	errHoursNotSignedIn   = apperr.New(apperr.Unauthorized, "unauthorized", "Please sign in.")
	errHoursNotAClinician = apperr.New(apperr.Forbidden, "not_a_clinician",
		"Your account is not linked to a clinician, so it has no consultation hours of its own. An administrator can link it.")
)

// bookingHoursTarget is whose hours a request is about and where their page is.
type bookingHoursTarget struct {
	viewer      BookingHoursViewer
	clinicianID int64
	base        string // the page's path
}

func (t bookingHoursTarget) own() bool { return t.viewer.ClinicianID == t.clinicianID }

func (h *BookingHours) ownTarget(c echo.Context) (bookingHoursTarget, error) {
	v, ok := h.viewer(c)
	if !ok {
		return bookingHoursTarget{}, errHoursNotSignedIn
	}
	if v.ClinicianID == 0 {
		return bookingHoursTarget{viewer: v}, errHoursNotAClinician
	}
	return bookingHoursTarget{viewer: v, clinicianID: v.ClinicianID, base: "/staff/availability"}, nil
}

func (h *BookingHours) clinicianTarget(c echo.Context) (bookingHoursTarget, error) {
	v, ok := h.viewer(c)
	if !ok {
		return bookingHoursTarget{}, errHoursNotSignedIn
	}
	id, err := web.IDParam(c, booking.ErrClinicianNotFound)
	if err != nil {
		return bookingHoursTarget{}, err
	}
	return bookingHoursTarget{viewer: v, clinicianID: id, base: fmt.Sprintf("/staff/clinicians/%d/availability", id)}, nil
}

// OwnPage is the signed-in clinician's hours page (/staff/availability); an
// administrator without hours of their own chooses a clinician there.
func (h *BookingHours) OwnPage(c echo.Context) error {
	t, err := h.ownTarget(c)
	if errors.Is(err, errHoursNotAClinician) && t.viewer.ManageAny {
		return h.chooser(c)
	}
	if err != nil {
		return err
	}
	return h.show(c, t)
}

// ClinicianPage is clinician :id's hours page.
func (h *BookingHours) ClinicianPage(c echo.Context) error {
	t, err := h.clinicianTarget(c)
	if err != nil {
		return err
	}
	return h.show(c, t)
}

// OwnSave saves or previews the signed-in clinician's hours.
func (h *BookingHours) OwnSave(c echo.Context) error {
	t, err := h.ownTarget(c)
	if err != nil {
		return err
	}
	return h.save(c, t)
}

// ClinicianSave saves or previews clinician :id's hours.
func (h *BookingHours) ClinicianSave(c echo.Context) error {
	t, err := h.clinicianTarget(c)
	if err != nil {
		return err
	}
	return h.save(c, t)
}

// OwnRotate gives the signed-in clinician a new calendar feed address.
func (h *BookingHours) OwnRotate(c echo.Context) error {
	t, err := h.ownTarget(c)
	if err != nil {
		return err
	}
	return h.rotate(c, t)
}

// ClinicianRotate gives clinician :id a new calendar feed address.
func (h *BookingHours) ClinicianRotate(c echo.Context) error {
	t, err := h.clinicianTarget(c)
	if err != nil {
		return err
	}
	return h.rotate(c, t)
}

// HoursPage is the page of one clinician's consultation hours, or, for an
// administrator without hours of their own, the list of clinicians to
// choose from (Choose).
type HoursPage struct {
	web.Layout
	Choose []booking.Clinician

	Clinician booking.Clinician
	Own       bool   // the signed-in clinician's own hours
	Base      string // this page's path; forms post to it
	Saved     string // what the last change did
	NotSet    bool   // no hours saved yet

	Form          AvailabilityForm
	Errors        map[string]string
	Summary       []HoursFieldMessage
	Weekly        []HoursWeeklyRowView
	Exceptions    []HoursExceptionRowView
	TimeZones     []string
	Weekdays      []HoursWeekdayOption
	MinSlot       int
	MaxSlot       int
	MaxBuffer     int
	MaxNotice     int
	MinHorizon    int
	MaxHorizon    int
	Week          HoursWeekView
	Previewing    bool // the week shows the form's unsaved rules
	Consultations []HoursConsultationView
	ShowBookings  bool
	FeedURL       string
	// Affected are the upcoming consultations the posted hours would leave
	// outside them; the hours were not saved and the form offers to keep
	// them booked and save anyway.
	Affected []HoursAffectedView
}

// HoursAffectedView is one consultation new hours would leave out, with the
// links to move or cancel it ("" when the viewer may not).
type HoursAffectedView struct {
	When         string
	IntakeID     int64
	Move, Cancel string
}

func hoursAffectedViews(list []booking.AffectedConsultation, loc *time.Location, manage bool) []HoursAffectedView {
	out := make([]HoursAffectedView, len(list))
	for i, a := range list {
		out[i] = HoursAffectedView{IntakeID: a.IntakeID,
			When: a.Start.In(loc).Format("Mon, Jan 2, 2006, 15:04") + "–" + a.End.In(loc).Format("15:04 MST")}
		if manage {
			out[i].Move = fmt.Sprintf("/staff/bookings/%d/reschedule", a.BookingID)
			out[i].Cancel = fmt.Sprintf("/staff/bookings/%d/cancel", a.BookingID)
		}
	}
	return out
}

// HoursWeekdayOption is one day of the week in the weekday lists.
type HoursWeekdayOption struct{ Value, Label string }

// HoursWeeklyRowView is one row of weekly hours on the page, with its messages
// by part ("weekday", "start", "end").
type HoursWeeklyRowView struct {
	Index, N int
	WeeklyRow
	Errors map[string]string
}

// HoursExceptionRowView is one row of date exceptions on the page, with its
// messages by part ("date", "closed", "start", "end").
type HoursExceptionRowView struct {
	Index, N int
	ExceptionRow
	Errors map[string]string
}

// HoursWeekView is the preview grid: seven days, Monday first, with the start
// times clients can book, in the clinician's zone.
type HoursWeekView struct {
	Label    string // "Monday, March 2, 2026"
	TimeZone string
	Start    string // the Monday, YYYY-MM-DD
	Prev     string // the Monday before, YYYY-MM-DD
	Next     string // the Monday after, YYYY-MM-DD
	Days     []HoursWeekDayView
	Total    int
	NoRules  bool // nothing saved and nothing previewed: there is no week to show
}

// HoursWeekDayView is one day of the preview grid.
type HoursWeekDayView struct {
	Date    string // YYYY-MM-DD
	Weekday string // "Wednesday"
	Short   string // "Mar 4"
	Past    bool
	Times   []string // "13:00"
}

// HoursConsultationView is one upcoming consultation: when, what kind, whether
// it stands, and the request it belongs to. Never what the client wrote.
type HoursConsultationView struct {
	IntakeID  int64
	When      string
	Kind      string
	Status    string
	Cancelled bool
}

var hoursWeekdayOptions = []HoursWeekdayOption{{"monday", "Monday"}, {"tuesday", "Tuesday"}, {"wednesday", "Wednesday"},
	{"thursday", "Thursday"}, {"friday", "Friday"}, {"saturday", "Saturday"}, {"sunday", "Sunday"}}

var hoursSavedMessages = map[string]string{
	"hours": "The consultation hours were saved. The week below shows what clients can book now.",
	"feed":  "A new calendar address was made. The previous address no longer works: subscribe again with the one below.",
}

// Empty rows the editor offers for adding windows and exceptions.
const (
	hoursBlankWeeklyRows    = 3
	hoursBlankExceptionRows = 2
)

// defaultHoursRules are offered to a clinician who has not saved hours yet.
func defaultHoursRules(zone string) schedule.AvailabilityInput {
	return schedule.AvailabilityInput{TimeZone: zone, SlotMinutes: 50, BufferMinutes: 10, MinNoticeHours: 24, HorizonDays: 60}
}

func (h *BookingHours) show(c echo.Context, t bookingHoursTarget) error {
	p := &HoursPage{Saved: hoursSavedMessages[c.QueryParam("saved")]}
	return h.render(c, http.StatusOK, t, p, nil, nil, c.QueryParam("week"))
}

func (h *BookingHours) save(c echo.Context, t bookingHoursTarget) error {
	params, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.Invalid, "invalid_form", "The form could not be read. Please reload the page and try again.")
	}
	post := parseHoursPost(params)
	form, week := post.AvailabilityForm, post.week()
	rules, err := form.Parse()
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			return err
		}
		return h.render(c, web.StatusOf(err), t, &HoursPage{}, &form, nil, week)
	}
	if post.previewing() {
		return h.render(c, http.StatusOK, t, &HoursPage{}, &form, &rules, week)
	}
	in, _, _, _ := form.Input()
	in.KeepBookings = post.KeepBookings
	if _, err := h.svc.SetAvailability(c.Request().Context(), t.clinicianID, in, h.audit(c)); err != nil {
		var conflict *booking.HoursConflict
		if !errors.As(err, &conflict) {
			return err
		}
		// Nothing was saved: the form keeps what was typed, the week shows
		// it, and each consultation it would leave out is listed.
		p := &HoursPage{Affected: hoursAffectedViews(conflict.Consultations, hoursLocation(rules), t.viewer.ManageBookings)}
		return h.render(c, web.StatusOf(err), t, p, &form, &rules, week)
	}
	q := url.Values{"saved": {"hours"}}
	if d, err := schedule.ParseDate(week); err == nil {
		q.Set("week", schedule.WeekStart(d).String())
	}
	return c.Redirect(http.StatusSeeOther, t.base+"?"+q.Encode())
}

func (h *BookingHours) rotate(c echo.Context, t bookingHoursTarget) error {
	if _, err := h.svc.RotateFeedToken(c.Request().Context(), t.clinicianID, h.audit(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, t.base+"?saved=feed#feed")
}

func (h *BookingHours) chooser(c echo.Context) error {
	list, err := h.svc.Clinicians(c.Request().Context())
	if err != nil {
		return err
	}
	p := &HoursPage{Choose: list} // empty: the page says there are no clinicians yet
	p.Title = "booking.Consultation hours"
	return h.r.Render(c, http.StatusOK, "staff_availability", p)
}

// render fills p for clinician t and renders it. posted is the form as it
// was sent, shown back as it is; without it the form shows the saved rules.
// preview, when set, are unsaved rules to show in the week instead of the
// saved ones.
func (h *BookingHours) render(c echo.Context, status int, t bookingHoursTarget, p *HoursPage, posted *AvailabilityForm, preview *schedule.Availability, week string) error {
	ctx := c.Request().Context()
	clin, err := h.svc.Clinician(ctx, t.clinicianID)
	if err != nil {
		return err
	}
	saved, err := h.svc.Availability(ctx, t.clinicianID)
	switch {
	case err == nil:
	case errors.Is(err, booking.ErrNoAvailability):
		p.NotSet = true
	default:
		return err
	}
	if posted != nil {
		p.Form = *posted
	} else {
		in := defaultHoursRules(clin.TimeZone)
		if !p.NotSet {
			in = saved.Input()
		}
		p.Form = NewAvailabilityForm(in, hoursBlankWeeklyRows, hoursBlankExceptionRows)
	}

	p.Clinician, p.Own, p.Base = clin, t.own(), t.base
	if p.Own {
		p.Title = "Your consultation hours"
	} else {
		p.Title = "booking.Consultation hours: " + clin.Name
	}
	fillHoursForm(p)

	loc := hoursZone(clin.TimeZone)
	switch {
	case preview != nil:
		loc = hoursLocation(*preview)
	case !p.NotSet:
		loc = hoursLocation(saved)
	}
	if err := h.fillWeek(ctx, p, t.clinicianID, loc, preview, week); err != nil {
		return err
	}

	if t.viewer.ViewBookings {
		p.ShowBookings = true
		list, err := h.svc.Upcoming(ctx, t.clinicianID, 50)
		if err != nil {
			return err
		}
		p.Consultations = hoursConsultationViews(list, loc)
	}
	if p.FeedURL, err = h.svc.FeedURL(ctx, t.clinicianID); err != nil {
		return err
	}
	return h.r.Render(c, status, "staff_availability", p)
}

// fillHoursForm prepares the form's rows, lists and limits for the template.
func fillHoursForm(p *HoursPage) {
	f := &p.Form
	p.Errors = f.Errors
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	p.Summary = f.Summary()
	rowErrors := func(prefix string) map[string]string {
		out := map[string]string{}
		for k, msg := range p.Errors {
			if part, ok := strings.CutPrefix(k, prefix); ok {
				out[part] = msg
			}
		}
		return out
	}
	p.Weekly = make([]HoursWeeklyRowView, len(f.Weekly))
	for i, r := range f.Weekly {
		p.Weekly[i] = HoursWeeklyRowView{Index: i, N: i + 1, WeeklyRow: r, Errors: rowErrors(fmt.Sprintf("weekly[%d].", i))}
	}
	p.Exceptions = make([]HoursExceptionRowView, len(f.Exceptions))
	for i, r := range f.Exceptions {
		p.Exceptions[i] = HoursExceptionRowView{Index: i, N: i + 1, ExceptionRow: r, Errors: rowErrors(fmt.Sprintf("exceptions[%d].", i))}
	}
	p.TimeZones = web.TimeZones
	if f.TimeZone != "" && !slices.Contains(p.TimeZones, f.TimeZone) {
		p.TimeZones = append([]string{f.TimeZone}, p.TimeZones...)
	}
	p.Weekdays = hoursWeekdayOptions
	p.MinSlot, p.MaxSlot, p.MaxBuffer, p.MaxNotice = schedule.MinSlotMinutes, schedule.MaxSlotMinutes, schedule.MaxBufferMinutes, schedule.MaxNoticeHours
	p.MinHorizon, p.MaxHorizon = schedule.MinHorizonDays, schedule.MaxHorizonDays
}

// fillWeek computes the preview grid of the week that holds week
// (YYYY-MM-DD; this week when empty or not a date) in loc.
func (h *BookingHours) fillWeek(ctx context.Context, p *HoursPage, clinicianID int64, loc *time.Location, preview *schedule.Availability, week string) error {
	today := schedule.DateOf(h.svc.Now().In(loc))
	monday := schedule.WeekStart(today)
	if d, err := schedule.ParseDate(week); err == nil {
		monday = schedule.WeekStart(d)
	}
	var days []schedule.Day
	var err error
	switch {
	case preview != nil:
		p.Previewing = true
		days, err = h.svc.PreviewWeek(ctx, clinicianID, *preview, monday)
	case p.NotSet:
		p.Week.NoRules = true
		days = schedule.GroupWeek(monday, nil, loc)
	default:
		days, err = h.svc.WeekPreview(ctx, clinicianID, monday)
	}
	if err != nil {
		return err
	}
	w := &p.Week
	w.TimeZone = loc.String()
	w.Start, w.Prev, w.Next = monday.String(), monday.AddDays(-7).String(), monday.AddDays(7).String()
	w.Label = schedule.Midnight(monday, time.UTC).Format("Monday, January 2, 2006")
	for _, d := range days {
		noon := time.Date(d.Date.Year, d.Date.Month, d.Date.Day, 12, 0, 0, 0, time.UTC)
		dv := HoursWeekDayView{Date: d.Date.String(), Weekday: noon.Format("Monday"), Short: noon.Format("Jan 2"), Past: d.Date.Compare(today) < 0}
		for _, sl := range d.Slots {
			dv.Times = append(dv.Times, sl.Start.In(loc).Format("15:04"))
		}
		w.Total += len(dv.Times)
		w.Days = append(w.Days, dv)
	}
	return nil
}

func hoursConsultationViews(list []booking.Consultation, loc *time.Location) []HoursConsultationView {
	out := make([]HoursConsultationView, len(list))
	for i, b := range list {
		start, end := b.Start.In(loc), b.End.In(loc)
		kind := "Individual"
		if b.Kind == consult.Couple {
			kind = "Couple"
		}
		status := "Booked"
		if b.Status == booking.StatusCancelled {
			status = "Cancelled"
		}
		out[i] = HoursConsultationView{IntakeID: b.IntakeID, Kind: kind, Status: status, Cancelled: b.Status == booking.StatusCancelled,
			When: start.Format("Mon, Jan 2, 2006, 15:04") + "–" + end.Format("15:04 MST")}
	}
	return out
}

// hoursZone loads zone, or UTC when it cannot be loaded.
func hoursZone(name string) *time.Location { return zone.OrUTC(name) }

// hoursLocation is the zone rules are written in.
func hoursLocation(rules schedule.Availability) *time.Location {
	if rules.Location == nil {
		return time.UTC
	}
	return rules.Location
}
