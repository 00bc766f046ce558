package booking

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// IntakeLookup finds the client of an intake token for the slot picker.
type IntakeLookup func(ctx context.Context, token string) (Client, error)

// PageHandlers serve the client's slot picker and manage pages. They work
// without JavaScript: every choice is a form.
type PageHandlers struct {
	svc     *Service
	r       *web.Renderer
	client  IntakeLookup
	defZone func(ctx context.Context) string
	// PartnerLink, when set, gives the partner's private link of a couple
	// request ("" for none), offered on the picker and the client's manage
	// page for the client to pass on if they choose.
	PartnerLink func(ctx context.Context, cl Client) (string, error)
}

// NewPageHandlers returns the booking pages; defZone is the practice's zone,
// used when a client has not chosen one.
func NewPageHandlers(svc *Service, r *web.Renderer, client IntakeLookup, defZone func(context.Context) string) *PageHandlers {
	return &PageHandlers{svc: svc, r: r, client: client, defZone: defZone}
}

// Routes registers the pages; limit guards every change.
func (h *PageHandlers) Routes(e *echo.Echo, limit echo.MiddlewareFunc) {
	e.GET("/requests/:token", h.picker)
	e.POST("/requests/:token/book", h.book, limit)
	e.GET("/bookings/:token", h.manage)
	e.GET("/bookings/:token/reschedule", h.reschedulePicker)
	e.POST("/bookings/:token/reschedule", h.reschedule, limit)
	e.GET("/bookings/:token/cancel", h.cancelConfirm)
	e.POST("/bookings/:token/cancel", h.cancel, limit)
	e.POST("/bookings/:token/partner", h.allowPartner, limit)
	e.POST("/requests/:token/partner", h.allowPartnerByRequest, limit)
	e.GET("/feeds/:file", h.feed)
	e.HEAD("/feeds/:file", h.feed)
}

// PickerView is the slot picker: open times grouped by day in the client's
// zone, each a button that posts the choice.
type PickerView struct {
	web.Layout
	Heading   string
	Action    string // where a chosen slot is posted
	Self      string // this page, for the zone and paging forms
	Name      string
	TimeZone  string
	TimeZones []string
	Days      []DayView
	Message   string
	Prev      string
	Next      string
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

// DayView is one day of the picker.
type DayView struct {
	Label string
	Slots []SlotView
}

// SlotView is one open time.
type SlotView struct {
	ClinicianID   int64
	ClinicianName string
	Start         string // RFC 3339, posted back
	Label         string // "9:00 AM"
}

func (h *PageHandlers) zone(ctx context.Context, asked, known string) string {
	return zone.First(asked, known, h.defZone(ctx))
}

// fill lists the open slots for the picker from the query's date and zone.
func (h *PageHandlers) fill(c echo.Context, v *PickerView, kind consult.Kind, knownZone string) error {
	v.TimeZone = h.zone(c.Request().Context(), c.QueryParam("tz"), knownZone)
	v.DetectZone = knownZone == "" && c.QueryParam("tz") == ""
	v.TimeZones = web.TimeZones
	if !contains(v.TimeZones, v.TimeZone) {
		v.TimeZones = append([]string{v.TimeZone}, v.TimeZones...)
	}
	q, err := ParseSlotQuery(string(kind), c.QueryParam("from"), "", v.TimeZone, h.svc.now())
	if err != nil {
		q, _ = ParseSlotQuery(string(kind), "", "", v.TimeZone, h.svc.now())
	}
	today := schedule.DateOf(h.svc.now().In(q.Location))
	from := schedule.DateOf(q.From)
	if from.Compare(today) < 0 {
		from = today
		q.From = schedule.Midnight(today, q.Location)
	}
	slots, err := h.svc.Slots(c.Request().Context(), kind, q.From, q.To)
	if err != nil {
		return err
	}
	v.Days = groupByDay(slots, q.Location)
	page := func(d schedule.Date) string {
		return v.Self + "?" + url.Values{"tz": {v.TimeZone}, "from": {d.String()}}.Encode()
	}
	if from.Compare(today) > 0 {
		v.Prev = page(from.AddDays(-14))
	}
	v.Next = page(from.AddDays(14))
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func groupByDay(slots []OpenSlot, loc *time.Location) []DayView {
	var days []DayView
	var last schedule.Date
	for _, s := range slots {
		start := s.Start.In(loc)
		d := schedule.DateOf(start)
		if len(days) == 0 || d != last {
			days = append(days, DayView{Label: start.Format("Monday, January 2")})
			last = d
		}
		days[len(days)-1].Slots = append(days[len(days)-1].Slots, SlotView{ClinicianID: s.ClinicianID, ClinicianName: s.ClinicianName,
			Start: s.Start.UTC().Format(time.RFC3339), Label: start.Format("3:04 PM")})
	}
	return days
}

func (h *PageHandlers) picker(c echo.Context) error {
	token := c.Param("token")
	cl, err := h.client(c.Request().Context(), token)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	v := &PickerView{Heading: "Choose a time for your free consultation", Name: cl.Name,
		Action: "/requests/" + url.PathEscape(token) + "/book", Self: "/requests/" + url.PathEscape(token),
		PartnerWaiting: cl.PartnerWaiting, PartnerAction: "/requests/" + url.PathEscape(token) + "/partner",
		PartnerAllowed: c.QueryParam("done") == "partner"}
	v.Title = v.Heading
	v.Couple = cl.Kind == consult.Couple
	if h.PartnerLink != nil {
		if v.PartnerLink, err = h.PartnerLink(c.Request().Context(), cl); err != nil {
			return err
		}
	}
	if booked, err := h.svc.HasUpcoming(c.Request().Context(), cl.IntakeID); err != nil {
		return err
	} else if booked {
		v.Booked = true
		return h.r.Render(c, http.StatusOK, "picker", v)
	}
	if err := h.fill(c, v, cl.Kind, cl.TimeZone); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "picker", v)
}

func slotForm(c echo.Context) (Request, error) {
	id, err := strconv.ParseInt(c.FormValue("clinician_id"), 10, 64)
	if err != nil {
		return Request{}, errSlotNotOpen
	}
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		return Request{}, errSlotNotOpen
	}
	return Request{ClinicianID: id, Start: start, ClientTimeZone: c.FormValue("tz")}, nil
}

// retry re-shows the picker after a failed choice: the message says what
// happened and the slots are fresh.
func (h *PageHandlers) retry(c echo.Context, v *PickerView, kind consult.Kind, zone string, err error) error {
	ae := apperr.As(err)
	if ae == nil || (ae.Kind != apperr.Conflict && ae.Kind != apperr.Invalid) || ae.Code == "already_booked" || ae.Code == "booking_cancelled" || ae.Code == "booking_past" {
		return err
	}
	v.Message = ae.Message
	if ae.Code == "slot_taken" {
		v.Message = "Someone else booked that time a moment ago. Here are the times that are still open."
	}
	if ferr := h.fill(c, v, kind, zone); ferr != nil {
		return ferr
	}
	status := http.StatusConflict
	if ae.Kind == apperr.Invalid {
		status = http.StatusUnprocessableEntity
	}
	return h.r.Render(c, status, "picker", v)
}

func (h *PageHandlers) book(c echo.Context) error {
	token := c.Param("token")
	cl, err := h.client(c.Request().Context(), token)
	if err != nil {
		return err
	}
	req, err := slotForm(c)
	if err == nil {
		var conf Confirmation
		conf, err = h.svc.Book(c.Request().Context(), token, req, nil)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(conf.ManageToken)+"?done=booked")
		}
	}
	v := &PickerView{Heading: "Choose a time for your free consultation", Name: cl.Name,
		Action: "/requests/" + url.PathEscape(token) + "/book", Self: "/requests/" + url.PathEscape(token)}
	v.Title = v.Heading
	v.Couple = cl.Kind == consult.Couple
	c.QueryParams().Set("tz", c.FormValue("tz"))
	return h.retry(c, v, cl.Kind, cl.TimeZone, err)
}

// ManageView is a client's page for their consultation.
type ManageView struct {
	web.Layout
	Token     string
	Booking   Booking
	When      string
	TimeZone  string
	Cancelled bool
	Past      bool
	Done      string // "booked", "moved", "unchanged", "cancelled", "partner": what just happened
	// See PickerView.
	PartnerWaiting bool
	PartnerAction  string
	PartnerAllowed bool
	// PartnerLink is the partner's private link (a couple's client only).
	PartnerLink string
}

func (h *PageHandlers) manageView(c echo.Context) (*ManageView, error) {
	token := c.Param("token")
	b, err := h.svc.ByManageToken(c.Request().Context(), token)
	if err != nil {
		return nil, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	zone := h.zone(c.Request().Context(), c.QueryParam("tz"), b.ClientTimeZone)
	v := &ManageView{Token: token, Booking: b, TimeZone: zone, When: formatWhen(b.Start, zone),
		Cancelled: b.Status == StatusCancelled, Past: b.Past(h.svc.now()),
		PartnerWaiting: b.PartnerWaiting, PartnerAction: "/bookings/" + url.PathEscape(token) + "/partner"}
	v.Title = "Your consultation"
	v.Couple = b.Kind == consult.Couple
	return v, nil
}

func (h *PageHandlers) manage(c echo.Context) error {
	v, err := h.manageView(c)
	if err != nil {
		return err
	}
	switch d := c.QueryParam("done"); d {
	case "booked", "moved", "unchanged", "cancelled", "partner":
		v.Done = d
	}
	v.PartnerAllowed = v.Done == "partner"
	if h.PartnerLink != nil && v.Booking.HolderIsClient && !v.Cancelled {
		if v.PartnerLink, err = h.PartnerLink(c.Request().Context(), Client{IntakeID: v.Booking.IntakeID, Kind: v.Booking.Kind}); err != nil {
			return err
		}
	}
	return h.r.Render(c, http.StatusOK, "manage", v)
}

func (h *PageHandlers) cancelConfirm(c echo.Context) error {
	v, err := h.manageView(c)
	if err != nil {
		return err
	}
	v.Title = "Cancel your consultation?"
	return h.r.Render(c, http.StatusOK, "cancel", v)
}

func (h *PageHandlers) cancel(c echo.Context) error {
	token := c.Param("token")
	if _, err := h.svc.Cancel(c.Request().Context(), token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(token)+"?done=cancelled")
}

func (h *PageHandlers) rescheduleView(c echo.Context) (*PickerView, Booking, error) {
	token := c.Param("token")
	b, err := h.svc.ByManageToken(c.Request().Context(), token)
	if err != nil {
		return nil, b, err
	}
	if err := b.Changeable(h.svc.now()); err != nil {
		return nil, b, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	v := &PickerView{Heading: "Choose a new time", Action: "/bookings/" + url.PathEscape(token) + "/reschedule",
		Self: "/bookings/" + url.PathEscape(token) + "/reschedule", Current: formatWhen(b.Start, h.zone(c.Request().Context(), c.QueryParam("tz"), b.ClientTimeZone))}
	v.Title = v.Heading
	v.Couple = b.Kind == consult.Couple
	return v, b, nil
}

func (h *PageHandlers) reschedulePicker(c echo.Context) error {
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return err
	}
	if err := h.fill(c, v, b.Kind, b.ClientTimeZone); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "picker", v)
}

func (h *PageHandlers) reschedule(c echo.Context) error {
	token := c.Param("token")
	v, b, err := h.rescheduleView(c)
	if err != nil {
		return err
	}
	req, err := slotForm(c)
	if err == nil {
		var moved Booking
		if moved, err = h.svc.Reschedule(c.Request().Context(), token, req); err == nil {
			done := "moved"
			if moved.Unchanged {
				done = "unchanged"
			}
			return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(token)+"?done="+done)
		}
	}
	c.QueryParams().Set("tz", c.FormValue("tz"))
	return h.retry(c, v, b.Kind, b.ClientTimeZone, err)
}

// allowPartner is the client's button on the manage page: their partner,
// who did not know about the request, may now be contacted.
func (h *PageHandlers) allowPartner(c echo.Context) error {
	token := c.Param("token")
	if err := h.svc.AllowPartnerContact(c.Request().Context(), token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/bookings/"+url.PathEscape(token)+"?done=partner")
}

// allowPartnerByRequest is the same button on the request's own page,
// before a time is chosen.
func (h *PageHandlers) allowPartnerByRequest(c echo.Context) error {
	token := c.Param("token")
	if err := h.svc.AllowPartnerContactByRequest(c.Request().Context(), token); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/requests/"+url.PathEscape(token)+"?done=partner")
}
