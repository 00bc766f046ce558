package booking

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// OnBehalfPages serve the staff pages on which the front desk books, moves
// and cancels a consultation for a client: a slot picker like the client's,
// in the practice's time zone with the client's time beside each slot, and
// a confirmation page before a cancellation. Every choice is a form (POST).
type OnBehalfPages struct {
	svc      *Service
	r        *web.Renderer
	practice func(ctx context.Context) string
	audit    func(c echo.Context) AuditHook
}

// NewOnBehalfPages returns the pages. practiceZone is the practice's time
// zone, in which staff read times; audit returns the hook that records a
// change by the signed-in staff member of c inside the change's transaction.
func NewOnBehalfPages(svc *Service, r *web.Renderer, practiceZone func(context.Context) string, audit func(c echo.Context) AuditHook) *OnBehalfPages {
	if audit == nil {
		audit = func(echo.Context) AuditHook { return nil }
	}
	return &OnBehalfPages{svc: svc, r: r, practice: practiceZone, audit: audit}
}

// Routes registers the pages on g, the staff area mounted at /staff; guard
// lets through only those who may manage bookings.
func (h *OnBehalfPages) Routes(g *echo.Group, guard echo.MiddlewareFunc) {
	g.GET("/intakes/:id/book", h.bookPicker, guard)
	g.POST("/intakes/:id/book", h.book, guard)
	g.GET("/bookings/:id/reschedule", h.reschedulePicker, guard)
	g.POST("/bookings/:id/reschedule", h.reschedule, guard)
	g.GET("/bookings/:id/cancel", h.cancelConfirm, guard)
	g.POST("/bookings/:id/cancel", h.cancel, guard)
	g.POST("/intakes/:id/partner-contact", h.allowPartner, guard)
}

// allowPartner records that staff, after talking to the client, allow the
// couple's partner who did not know yet to be contacted (audited); a
// booked consultation's invitation then goes to the partner too.
func (h *OnBehalfPages) allowPartner(c echo.Context) error {
	id, err := idOf(c, errIntakeNotFound)
	if err != nil {
		return err
	}
	if err := h.svc.AllowPartnerContactForIntake(c.Request().Context(), id, h.audit(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, intakePage(id)+"?saved=partner#partner")
}

// StaffPickerView is the front desk's slot picker.
type StaffPickerView struct {
	web.Layout
	Heading    string
	Back       string // the request's page
	ClientName string
	Action     string // where a chosen slot is posted
	Self       string // this page, for paging
	Current    string // the consultation being moved
	Zone       string // the practice's zone, in which slots are listed
	ClientZone string // the client's zone; "" when it is the practice's
	Days       []StaffDayView
	Message    string
	Booked     bool // the request already has an upcoming consultation
	Prev, Next string
}

// StaffDayView is one day of the staff picker, in the practice's zone.
type StaffDayView struct {
	Label string
	Slots []StaffSlotView
}

// StaffSlotView is one open time, with the client's time beside it.
type StaffSlotView struct {
	SlotView
	ClientLabel string // "Tue 4:00 PM"; "" when the client is in the practice's zone
}

// StaffCancelView asks before a consultation is cancelled.
type StaffCancelView struct {
	web.Layout
	Back       string
	Action     string
	ClientName string
	Clinician  string
	When       string
	ClientWhen string
	Cancelled  bool
}

var errIntakeNotFound = apperr.New(apperr.NotFound, "intake_not_found", "We could not find that request.")

func idOf(c echo.Context, notFound error) (int64, error) { return web.IDParam(c, notFound) }

func intakePage(id int64) string { return fmt.Sprintf("/staff/intakes/%d", id) }

// zones returns the practice's zone and the client's (nil when it is the
// same zone or unknown).
func (h *OnBehalfPages) zones(ctx context.Context, clientZone string) (*time.Location, *time.Location) {
	practice := zone.OrUTC(h.practice(ctx))
	if clientZone == "" || clientZone == practice.String() {
		return practice, nil
	}
	client, err := zone.Load(clientZone)
	if err != nil {
		return practice, nil
	}
	return practice, client
}

// whenBoth formats t in the practice's zone and, when it differs, the
// client's.
func whenBoth(t time.Time, practice, client *time.Location) (string, string) {
	const layout = "Monday, January 2, 2006 at 3:04 PM MST"
	p := t.In(practice).Format(layout)
	if client == nil {
		return p, ""
	}
	return p, t.In(client).Format(layout) + " (" + client.String() + ")"
}

// fill lists the open slots of kind for the two weeks from the query's
// date, grouped by day in the practice's zone.
func (h *OnBehalfPages) fill(c echo.Context, v *StaffPickerView, kind consult.Kind, clientZone string) error {
	ctx := c.Request().Context()
	practice, client := h.zones(ctx, clientZone)
	v.Zone = practice.String()
	if client != nil {
		v.ClientZone = client.String()
	}
	now := h.svc.now()
	q, err := ParseSlotQuery(string(kind), c.QueryParam("from"), "", v.Zone, now)
	if err != nil {
		q, _ = ParseSlotQuery(string(kind), "", "", v.Zone, now)
	}
	today := schedule.DateOf(now.In(q.Location))
	from := schedule.DateOf(q.From)
	if from.Compare(today) < 0 {
		from = today
		q.From = schedule.Midnight(today, q.Location)
	}
	slots, err := h.svc.Slots(ctx, kind, q.From, q.To)
	if err != nil {
		return err
	}
	v.Days = staffDays(slots, practice, client)
	page := func(d schedule.Date) string { return v.Self + "?" + url.Values{"from": {d.String()}}.Encode() }
	if from.Compare(today) > 0 {
		v.Prev = page(from.AddDays(-14))
	}
	v.Next = page(from.AddDays(14))
	return nil
}

// staffDays groups slots by day in practice, each with its time in client
// (when not nil) beside it.
func staffDays(slots []OpenSlot, practice, client *time.Location) []StaffDayView {
	days := groupByDay(slots, practice)
	out := make([]StaffDayView, len(days))
	for d, day := range days {
		out[d].Label = day.Label
		for _, sv := range day.Slots {
			s := StaffSlotView{SlotView: sv}
			if start, err := time.Parse(time.RFC3339, sv.Start); err == nil && client != nil {
				s.ClientLabel = start.In(client).Format("Mon 3:04 PM")
			}
			out[d].Slots = append(out[d].Slots, s)
		}
	}
	return out
}

// staffSlotForm reads the chosen slot. The client's zone is the one they
// gave (or kept from the booking), never the page's.
func staffSlotForm(c echo.Context) (Request, error) {
	req, err := slotForm(c)
	req.ClientTimeZone = ""
	return req, err
}

// retry re-shows the picker after a choice that could not be booked: the
// message says why and the slots are fresh.
func (h *OnBehalfPages) retry(c echo.Context, v *StaffPickerView, kind consult.Kind, clientZone string, err error) error {
	ae := apperr.As(err)
	if ae == nil || (ae.Kind != apperr.Conflict && ae.Kind != apperr.Invalid) || ae.Code == "booking_cancelled" || ae.Code == "booking_past" {
		return err
	}
	status := http.StatusConflict
	if ae.Kind == apperr.Invalid {
		status = http.StatusUnprocessableEntity
	}
	switch ae.Code {
	case "already_booked":
		v.Booked = true
		return h.r.Render(c, status, "staff_book", v)
	case "slot_taken":
		v.Message = "Someone else booked that time a moment ago. Here are the times that are still open."
	default:
		v.Message = ae.Message
	}
	if ferr := h.fill(c, v, kind, clientZone); ferr != nil {
		return ferr
	}
	return h.r.Render(c, status, "staff_book", v)
}

func (h *OnBehalfPages) bookView(c echo.Context) (*StaffPickerView, Client, error) {
	id, err := idOf(c, errIntakeNotFound)
	if err != nil {
		return nil, Client{}, err
	}
	cl, err := h.svc.clientOf(c.Request().Context(), id)
	if err != nil {
		return nil, cl, err
	}
	v := &StaffPickerView{Heading: "Book a consultation for " + cl.Name, ClientName: cl.Name, Back: intakePage(id),
		Action: intakePage(id) + "/book", Self: intakePage(id) + "/book"}
	v.Title = "Book a consultation"
	return v, cl, nil
}

func (h *OnBehalfPages) bookPicker(c echo.Context) error {
	v, cl, err := h.bookView(c)
	if err != nil {
		return err
	}
	booked, err := h.svc.HasUpcoming(c.Request().Context(), cl.IntakeID)
	if err != nil {
		return err
	}
	if booked {
		v.Booked = true
		return h.r.Render(c, http.StatusOK, "staff_book", v)
	}
	if err := h.fill(c, v, cl.Kind, cl.TimeZone); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "staff_book", v)
}

func (h *OnBehalfPages) book(c echo.Context) error {
	v, cl, err := h.bookView(c)
	if err != nil {
		return err
	}
	req, err := staffSlotForm(c)
	if err == nil {
		if _, err = h.svc.BookForIntake(c.Request().Context(), cl.IntakeID, req, h.audit(c)); err == nil {
			return c.Redirect(http.StatusSeeOther, intakePage(cl.IntakeID)+"?saved=booked#consultations")
		}
	}
	return h.retry(c, v, cl.Kind, cl.TimeZone, err)
}

// changeView loads the booking :id for a change, refusing one that was
// cancelled or has started.
func (h *OnBehalfPages) changeView(c echo.Context) (Booking, Client, error) {
	id, err := idOf(c, errBookingNotFound)
	if err != nil {
		return Booking{}, Client{}, err
	}
	ctx := c.Request().Context()
	b, err := h.svc.ByID(ctx, id)
	if err != nil {
		return b, Client{}, err
	}
	cl, err := h.svc.clientOf(ctx, b.IntakeID)
	return b, cl, err
}

func (h *OnBehalfPages) rescheduleView(c echo.Context) (*StaffPickerView, Booking, error) {
	b, cl, err := h.changeView(c)
	if err != nil {
		return nil, b, err
	}
	if err := b.Changeable(h.svc.now()); err != nil {
		return nil, b, err
	}
	practice, client := h.zones(c.Request().Context(), b.ClientTimeZone)
	when, clientWhen := whenBoth(b.Start, practice, client)
	if clientWhen != "" {
		when += "; for the client " + clientWhen
	}
	self := fmt.Sprintf("/staff/bookings/%d/reschedule", b.ID)
	v := &StaffPickerView{Heading: "Move the consultation of " + cl.Name, ClientName: cl.Name, Back: intakePage(b.IntakeID),
		Action: self, Self: self, Current: when + " with " + b.ClinicianName}
	v.Title = "Move a consultation"
	return v, b, nil
}

func (h *OnBehalfPages) reschedulePicker(c echo.Context) error {
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return err
	}
	if err := h.fill(c, v, b.Kind, b.ClientTimeZone); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "staff_book", v)
}

func (h *OnBehalfPages) reschedule(c echo.Context) error {
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return err
	}
	req, err := staffSlotForm(c)
	if err == nil {
		var moved Booking
		if moved, err = h.svc.RescheduleByID(c.Request().Context(), b.ID, req, h.audit(c)); err == nil {
			saved := "rescheduled"
			if moved.Unchanged {
				saved = "unchanged"
			}
			return c.Redirect(http.StatusSeeOther, intakePage(b.IntakeID)+"?saved="+saved+"#consultations")
		}
	}
	return h.retry(c, v, b.Kind, b.ClientTimeZone, err)
}

func (h *OnBehalfPages) cancelConfirm(c echo.Context) error {
	b, cl, err := h.changeView(c)
	if err != nil {
		return err
	}
	// A cancelled consultation's page says so; one that started is refused.
	if err := b.Changeable(h.svc.now()); err != nil && b.Status != StatusCancelled {
		return err
	}
	practice, client := h.zones(c.Request().Context(), b.ClientTimeZone)
	v := &StaffCancelView{Back: intakePage(b.IntakeID), Action: fmt.Sprintf("/staff/bookings/%d/cancel", b.ID),
		ClientName: cl.Name, Clinician: b.ClinicianName, Cancelled: b.Status == StatusCancelled}
	v.When, v.ClientWhen = whenBoth(b.Start, practice, client)
	v.Title = "Cancel a consultation?"
	return h.r.Render(c, http.StatusOK, "staff_booking_cancel", v)
}

func (h *OnBehalfPages) cancel(c echo.Context) error {
	id, err := idOf(c, errBookingNotFound)
	if err != nil {
		return err
	}
	b, err := h.svc.CancelByID(c.Request().Context(), id, h.audit(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, intakePage(b.IntakeID)+"?saved=cancelled#consultations")
}
