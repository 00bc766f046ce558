package staffui

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/web/picker"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// BookingOnBehalf serve the staff pages on which the front desk books,
// moves and cancels a consultation for a client: the slot picker the client
// has, in the practice's time zone with the client's time beside each slot,
// and a confirmation page before a cancellation. Every choice is a form
// (POST).
type BookingOnBehalf struct {
	svc      *booking.Service
	r        *web.Renderer
	practice func(ctx context.Context) string
	audit    func(c echo.Context) booking.AuditHook
}

// NewBookingOnBehalf returns the pages. practiceZone is the practice's time
// zone, in which staff read times; audit returns the hook that records a
// change by the signed-in staff member of c inside the change's transaction.
func NewBookingOnBehalf(svc *booking.Service, r *web.Renderer, practiceZone func(context.Context) string, audit func(c echo.Context) booking.AuditHook) *BookingOnBehalf {
	if audit == nil {
		audit = func(echo.Context) booking.AuditHook { return nil }
	}
	return &BookingOnBehalf{svc: svc, r: r, practice: practiceZone, audit: audit}
}

// AllowPartner records that staff, after talking to the client, allow the
// couple's partner who did not know yet to be contacted (audited); a
// booked consultation's invitation then goes to the partner too.
func (h *BookingOnBehalf) AllowPartner(c echo.Context) error {
	id, err := web.IDParam(c, errBookingIntakeNotFound)
	if err != nil {
		return err
	}
	if err := h.svc.AllowPartnerContactForIntake(c.Request().Context(), id, h.audit(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, bookingIntakePage(id)+"?saved=partner#partner")
}

// BookingPickerView is the front desk's slot picker.
type BookingPickerView struct {
	web.Layout
	picker.View
	Heading    string
	Back       string // the request's page
	ClientName string
	Current    string // the consultation being moved
	Booked     bool   // the request already has an upcoming consultation
}

// BookingCancelView asks before a consultation is cancelled.
type BookingCancelView struct {
	web.Layout
	Back       string
	Action     string
	ClientName string
	Clinician  string
	When       string
	ClientWhen string
	Cancelled  bool
}

var errBookingIntakeNotFound = apperr.New(apperr.NotFound, "intake_not_found", "We could not find that request.")

func bookingIntakePage(id int64) string { return fmt.Sprintf("/staff/intakes/%d", id) }

// zones returns the practice's zone and the client's (nil when it is the
// same zone or unknown).
func (h *BookingOnBehalf) zones(ctx context.Context, clientZone string) (*time.Location, *time.Location) {
	practice, err := zone.Load(h.practice(ctx))
	if err != nil {
		practice = time.UTC
	}
	if clientZone == "" || clientZone == practice.String() {
		return practice, nil
	}
	client, err := zone.Load(clientZone)
	if err != nil {
		return practice, nil
	}
	return practice, client
}

// bookingWhenBoth formats t in the practice's zone and, when it differs,
// the client's.
func bookingWhenBoth(t time.Time, practice, client *time.Location) (string, string) {
	const layout = "Monday, January 2, 2006 at 3:04 PM MST"
	p := t.In(practice).Format(layout)
	if client == nil {
		return p, ""
	}
	return p, t.In(client).Format(layout) + " (" + client.String() + ")"
}

// fill lists the open slots of kind for the two weeks from the query's
// date, grouped by day in the practice's zone, with the client's time
// beside each when the client is elsewhere.
func (h *BookingOnBehalf) fill(c echo.Context, v *BookingPickerView, kind consult.Kind, clientZone string) error {
	ctx := c.Request().Context()
	practice, client := h.zones(ctx, clientZone)
	v.TimeZone = practice.String()
	if client != nil {
		v.ClientZone = client.String()
	}
	return v.Fill(ctx, h.svc, kind, c.QueryParam("from"), h.svc.Now())
}

// retry re-shows the picker after a choice that could not be booked: the
// message says why and the slots are fresh. Any other error goes to the
// error page.
func (h *BookingOnBehalf) retry(c echo.Context, v *BookingPickerView, kind consult.Kind, clientZone string, err error) error {
	refusal, ok := picker.Refused(err)
	if !ok {
		return err
	}
	if refusal.AlreadyBooked {
		v.Booked = true
		return h.r.Render(c, web.StatusOf(err), "staff_book", v)
	}
	v.Message = refusal.Message
	if ferr := h.fill(c, v, kind, clientZone); ferr != nil {
		return ferr
	}
	return h.r.Render(c, web.StatusOf(err), "staff_book", v)
}

func (h *BookingOnBehalf) bookView(c echo.Context) (*BookingPickerView, booking.Client, error) {
	id, err := web.IDParam(c, errBookingIntakeNotFound)
	if err != nil {
		return nil, booking.Client{}, err
	}
	cl, err := h.svc.ClientOf(c.Request().Context(), id)
	if err != nil {
		return nil, cl, err
	}
	v := &BookingPickerView{Heading: "Book a consultation for " + cl.Name, ClientName: cl.Name, Back: bookingIntakePage(id)}
	v.Action, v.Self = bookingIntakePage(id)+"/book", bookingIntakePage(id)+"/book"
	v.Title = "Book a consultation"
	return v, cl, nil
}

// BookPicker offers the open times to book for the request :id.
func (h *BookingOnBehalf) BookPicker(c echo.Context) error {
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

// Book books the chosen time for the request :id.
func (h *BookingOnBehalf) Book(c echo.Context) error {
	v, cl, err := h.bookView(c)
	if err != nil {
		return err
	}
	req, err := picker.Choice(c, false)
	if err == nil {
		if _, err = h.svc.BookForIntake(c.Request().Context(), cl.IntakeID, req, h.audit(c)); err == nil {
			return c.Redirect(http.StatusSeeOther, bookingIntakePage(cl.IntakeID)+"?saved=booked#consultations")
		}
	}
	return h.retry(c, v, cl.Kind, cl.TimeZone, err)
}

// changeView loads the booking :id and its client.
func (h *BookingOnBehalf) changeView(c echo.Context) (booking.Booking, booking.Client, error) {
	id, err := web.IDParam(c, booking.ErrBookingNotFound)
	if err != nil {
		return booking.Booking{}, booking.Client{}, err
	}
	ctx := c.Request().Context()
	b, err := h.svc.ByID(ctx, id)
	if err != nil {
		return b, booking.Client{}, err
	}
	cl, err := h.svc.ClientOf(ctx, b.IntakeID)
	return b, cl, err
}

// rescheduleView loads the booking :id for a move, refusing one that was
// cancelled or has started.
func (h *BookingOnBehalf) rescheduleView(c echo.Context) (*BookingPickerView, booking.Booking, error) {
	b, cl, err := h.changeView(c)
	if err != nil {
		return nil, b, err
	}
	if err := b.Changeable(h.svc.Now()); err != nil {
		return nil, b, err
	}
	practice, client := h.zones(c.Request().Context(), b.ClientTimeZone)
	when, clientWhen := bookingWhenBoth(b.Start, practice, client)
	if clientWhen != "" {
		when += "; for the client " + clientWhen
	}
	self := fmt.Sprintf("/staff/bookings/%d/reschedule", b.ID)
	v := &BookingPickerView{Heading: "Move the consultation of " + cl.Name, ClientName: cl.Name, Back: bookingIntakePage(b.IntakeID),
		Current: when + " with " + b.ClinicianName}
	v.Action, v.Self = self, self
	v.Title = "Move a consultation"
	return v, b, nil
}

// ReschedulePicker offers the open times to move the booking :id to.
func (h *BookingOnBehalf) ReschedulePicker(c echo.Context) error {
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return err
	}
	if err := h.fill(c, v, b.Kind, b.ClientTimeZone); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "staff_book", v)
}

// Reschedule moves the booking :id to the chosen time.
func (h *BookingOnBehalf) Reschedule(c echo.Context) error {
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return err
	}
	req, err := picker.Choice(c, false)
	if err == nil {
		var moved booking.Booking
		if moved, err = h.svc.RescheduleByID(c.Request().Context(), b.ID, req, h.audit(c)); err == nil {
			saved := "rescheduled"
			if moved.Unchanged {
				saved = "unchanged"
			}
			return c.Redirect(http.StatusSeeOther, bookingIntakePage(b.IntakeID)+"?saved="+saved+"#consultations")
		}
	}
	return h.retry(c, v, b.Kind, b.ClientTimeZone, err)
}

// CancelConfirm asks before the booking :id is cancelled.
func (h *BookingOnBehalf) CancelConfirm(c echo.Context) error {
	b, cl, err := h.changeView(c)
	if err != nil {
		return err
	}
	if b.Status != booking.StatusCancelled && b.Past(h.svc.Now()) {
		return booking.ErrPast
	}
	practice, client := h.zones(c.Request().Context(), b.ClientTimeZone)
	v := &BookingCancelView{Back: bookingIntakePage(b.IntakeID), Action: fmt.Sprintf("/staff/bookings/%d/cancel", b.ID),
		ClientName: cl.Name, Clinician: b.ClinicianName, Cancelled: b.Status == booking.StatusCancelled}
	v.When, v.ClientWhen = bookingWhenBoth(b.Start, practice, client)
	v.Title = "Cancel a consultation?"
	return h.r.Render(c, http.StatusOK, "staff_booking_cancel", v)
}

// Cancel cancels the booking :id.
func (h *BookingOnBehalf) Cancel(c echo.Context) error {
	id, err := web.IDParam(c, booking.ErrBookingNotFound)
	if err != nil {
		return err
	}
	b, err := h.svc.CancelByID(c.Request().Context(), id, h.audit(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, bookingIntakePage(b.IntakeID)+"?saved=cancelled#consultations")
}
