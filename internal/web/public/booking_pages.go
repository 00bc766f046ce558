// Package public serves the client's pages: the landing page, the forms,
// the partner's link, the slot picker, the manage pages and calendar feeds.
package public

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/web/picker"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// BookingIntakeLookup finds the client of an intake token for the slot
// picker.
type BookingIntakeLookup func(ctx context.Context, token string) (booking.Client, error)

// BookingPartnerLink gives the partner's private link of a couple request
// ("" for none), offered on the picker and the client's manage page for the
// client to pass on if they choose.
type BookingPartnerLink func(ctx context.Context, cl booking.Client) (string, error)

// BookingPages serve the client's slot picker and manage pages, and the
// clinicians' calendar feeds. They work without JavaScript: every choice
// is a form.
type BookingPages struct {
	svc         *booking.Service
	r           *web.Renderer
	client      BookingIntakeLookup
	defZone     func(ctx context.Context) string
	partnerLink BookingPartnerLink
}

// NewBookingPages returns the booking pages; defZone is the practice's
// zone, used when a client has not chosen one. partnerLink may be nil (no
// partner links offered).
func NewBookingPages(svc *booking.Service, r *web.Renderer, client BookingIntakeLookup, defZone func(context.Context) string, partnerLink BookingPartnerLink) *BookingPages {
	if partnerLink == nil {
		partnerLink = func(context.Context, booking.Client) (string, error) { return "", nil }
	}
	return &BookingPages{svc: svc, r: r, client: client, defZone: defZone, partnerLink: partnerLink}
}

// BookingPickerView is the client's slot picker: open times grouped by day
// in the client's zone, each a button that posts the choice.
type BookingPickerView struct {
	web.Layout
	picker.View
	Heading   string
	Name      string
	TimeZones []string
	Booked    bool // the client already has a consultation
	Current   string
	// PartnerLink is the partner's private link (a couple's picker only).
	PartnerLink string
	// DetectZone lets the page switch to the browser's zone on first view;
	// off when the client already chose a zone.
	DetectZone bool
	// PartnerWaiting offers the client to allow their partner, who did not
	// know yet, to be contacted (PartnerAction is where that is posted);
	// PartnerAllowed says they just did.
	PartnerWaiting bool
	PartnerAction  string
	PartnerAllowed bool
}

func (h *BookingPages) zone(ctx context.Context, asked, known string) string {
	for _, z := range []string{asked, known, h.defZone(ctx)} {
		if _, err := zone.Load(z); z != "" && err == nil {
			return z
		}
	}
	return "UTC"
}

// fill lists the open slots for the picker in the zone the client asked
// for (the query's, or the one posted with a refused choice), else the one
// they gave, else the practice's.
func (h *BookingPages) fill(c echo.Context, v *BookingPickerView, kind consult.Kind, knownZone, askedZone string) error {
	v.TimeZone = h.zone(c.Request().Context(), askedZone, knownZone)
	v.ClientChoosesZone = true
	v.DetectZone = knownZone == "" && askedZone == ""
	v.TimeZones = web.TimeZones
	if !slices.Contains(v.TimeZones, v.TimeZone) {
		v.TimeZones = append([]string{v.TimeZone}, v.TimeZones...)
	}
	return v.Fill(c.Request().Context(), h.svc, kind, c.QueryParam("from"), h.svc.Now())
}

func requestPickerView(token string, cl booking.Client) *BookingPickerView {
	v := &BookingPickerView{Heading: "Choose a time for your free consultation", Name: cl.Name}
	v.Action, v.Self = "/requests/"+url.PathEscape(token)+"/book", "/requests/"+url.PathEscape(token)
	v.Title = v.Heading
	v.Couple = cl.Kind == "couple"
	return v
}

// Picker is the request's page: the open times to choose from.
func (h *BookingPages) Picker(c echo.Context) error {
	token := c.Param("token")
	ctx := c.Request().Context()
	cl, err := h.client(ctx, token)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	v := requestPickerView(token, cl)
	v.PartnerWaiting, v.PartnerAction = cl.PartnerWaiting, "/requests/"+url.PathEscape(token)+"/partner"
	v.PartnerAllowed = c.QueryParam("done") == "partner"
	if v.PartnerLink, err = h.partnerLink(ctx, cl); err != nil {
		return err
	}
	if booked, err := h.svc.HasUpcoming(ctx, cl.IntakeID); err != nil {
		return err
	} else if booked {
		v.Booked = true
		return h.r.Render(c, http.StatusOK, "picker", v)
	}
	if err := h.fill(c, v, cl.Kind, cl.TimeZone, c.QueryParam("tz")); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "picker", v)
}

// retry re-shows the picker after a refused choice: the message says what
// happened and the slots are fresh. Any other error goes to the error page.
func (h *BookingPages) retry(c echo.Context, v *BookingPickerView, kind consult.Kind, knownZone string, err error) error {
	refusal, ok := picker.Refused(err)
	if !ok || refusal.AlreadyBooked {
		return err
	}
	v.Message = refusal.Message
	if ferr := h.fill(c, v, kind, knownZone, picker.Zone(c)); ferr != nil {
		return ferr
	}
	return h.r.Render(c, web.StatusOf(err), "picker", v)
}

// Book books the chosen time and shows the booking's page.
func (h *BookingPages) Book(c echo.Context) error {
	token := c.Param("token")
	cl, err := h.client(c.Request().Context(), token)
	if err != nil {
		return err
	}
	req, err := picker.Choice(c, true)
	if err == nil {
		var conf booking.Confirmation
		conf, err = h.svc.Book(c.Request().Context(), token, req, nil)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(conf.ManageToken)+"?done=booked")
		}
	}
	return h.retry(c, requestPickerView(token, cl), cl.Kind, cl.TimeZone, err)
}

// BookingManageView is a client's page for their consultation.
type BookingManageView struct {
	web.Layout
	Token     string
	Booking   booking.Booking
	When      string
	TimeZone  string
	Cancelled bool
	Past      bool
	// ChangeClosed: the consultation is inside the practice's change
	// cut-off, so the page says how to reach the practice instead of
	// offering to reschedule or cancel.
	ChangeClosed bool
	Done         string // "booked", "moved", "unchanged", "cancelled", "partner": what just happened
	// See BookingPickerView.
	PartnerWaiting bool
	PartnerAction  string
	PartnerAllowed bool
	// PartnerLink is the partner's private link (a couple's client only).
	PartnerLink string
}

func (h *BookingPages) manageView(c echo.Context) (*BookingManageView, error) {
	token := c.Param("token")
	b, err := h.svc.ByManageToken(c.Request().Context(), token)
	if err != nil {
		return nil, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	zone := h.zone(c.Request().Context(), c.QueryParam("tz"), b.ClientTimeZone)
	v := &BookingManageView{Token: token, Booking: b, TimeZone: zone, When: booking.FormatWhen(b.Start, zone),
		Cancelled: b.Status == booking.StatusCancelled, Past: b.Past(h.svc.Now()), ChangeClosed: b.ChangeWindowClosed,
		PartnerWaiting: b.PartnerWaiting, PartnerAction: "/bookings/" + url.PathEscape(token) + "/partner"}
	v.Title = "Your consultation"
	v.Couple = b.Kind == "couple"
	return v, nil
}

// Manage is the client's page of their consultation.
func (h *BookingPages) Manage(c echo.Context) error {
	v, err := h.manageView(c)
	if err != nil {
		return err
	}
	switch d := c.QueryParam("done"); d {
	case "booked", "moved", "unchanged", "cancelled", "partner":
		v.Done = d
	}
	v.PartnerAllowed = v.Done == "partner"
	if v.Booking.HolderIsClient && !v.Cancelled {
		if v.PartnerLink, err = h.partnerLink(c.Request().Context(), booking.Client{IntakeID: v.Booking.IntakeID, Kind: v.Booking.Kind}); err != nil {
			return err
		}
	}
	return h.r.Render(c, http.StatusOK, "manage", v)
}

// changeClosed shows the manage page, which says how to reach the practice,
// when a client's change is refused inside the change cut-off; any other
// error goes on as it is.
func (h *BookingPages) changeClosed(c echo.Context, status int, err error) error {
	if !booking.IsChangeWindowClosed(err) {
		return err
	}
	v, verr := h.manageView(c)
	if verr != nil {
		return verr
	}
	v.ChangeClosed = true
	return h.r.Render(c, status, "manage", v)
}

// CancelConfirm asks before a consultation is cancelled: mail scanners
// follow links, so only the button (POST) cancels.
func (h *BookingPages) CancelConfirm(c echo.Context) error {
	v, err := h.manageView(c)
	if err != nil {
		return err
	}
	if v.ChangeClosed {
		return h.r.Render(c, http.StatusOK, "manage", v)
	}
	v.Title = "Cancel your consultation?"
	return h.r.Render(c, http.StatusOK, "cancel", v)
}

// Cancel cancels the consultation.
func (h *BookingPages) Cancel(c echo.Context) error {
	token := c.Param("token")
	if _, err := h.svc.Cancel(c.Request().Context(), token); err != nil {
		return h.changeClosed(c, web.StatusOf(err), err)
	}
	return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(token)+"?done=cancelled")
}

func (h *BookingPages) rescheduleView(c echo.Context) (*BookingPickerView, booking.Booking, error) {
	token := c.Param("token")
	b, err := h.svc.ByManageToken(c.Request().Context(), token)
	if err != nil {
		return nil, b, err
	}
	if err := b.ClientChangeable(h.svc.Now()); err != nil {
		return nil, b, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	v := &BookingPickerView{Heading: "Choose a new time",
		Current: booking.FormatWhen(b.Start, h.zone(c.Request().Context(), c.QueryParam("tz"), b.ClientTimeZone))}
	v.Action = "/bookings/" + url.PathEscape(token) + "/reschedule"
	v.Self = v.Action
	v.Title = v.Heading
	v.Couple = b.Kind == "couple"
	return v, b, nil
}

// ReschedulePicker offers the open times to move the consultation to.
func (h *BookingPages) ReschedulePicker(c echo.Context) error {
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return h.changeClosed(c, http.StatusOK, err)
	}
	if err := h.fill(c, v, b.Kind, b.ClientTimeZone, c.QueryParam("tz")); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "picker", v)
}

// Reschedule moves the consultation to the chosen time.
func (h *BookingPages) Reschedule(c echo.Context) error {
	token := c.Param("token")
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return h.changeClosed(c, web.StatusOf(err), err)
	}
	req, err := picker.Choice(c, true)
	if err == nil {
		var moved booking.Booking
		if moved, err = h.svc.Reschedule(c.Request().Context(), token, req); err == nil {
			done := "moved"
			if moved.Unchanged {
				done = "unchanged"
			}
			return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(token)+"?done="+done)
		}
	}
	if booking.IsChangeWindowClosed(err) { // the window closed while the picker was open
		return h.changeClosed(c, web.StatusOf(err), err)
	}
	return h.retry(c, v, b.Kind, b.ClientTimeZone, err)
}

// AllowPartner is the client's button on the manage page: their partner,
// who did not know about the request, may now be contacted.
func (h *BookingPages) AllowPartner(c echo.Context) error {
	token := c.Param("token")
	if err := h.svc.AllowPartnerContact(c.Request().Context(), token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(token)+"?done=partner")
}

// AllowPartnerByRequest is the same button on the request's own page,
// before a time is chosen.
func (h *BookingPages) AllowPartnerByRequest(c echo.Context) error {
	token := c.Param("token")
	if err := h.svc.AllowPartnerContactByRequest(c.Request().Context(), token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/requests/"+url.PathEscape(token)+"?done=partner")
}
