package booking

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
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

// APIHandlers serve the booking JSON API.
type APIHandlers struct {
	svc *Service
	// Audit returns the hook that records who changed a clinician's hours
	// through the staff API; nil records nothing.
	Audit func(c echo.Context) ClinicianHook
	// bodies are reused listing bodies (*[]byte): a listing is tens or
	// hundreds of kilobytes, and allocating and collecting one per request
	// cost as much as writing it.
	bodies sync.Pool
}

// NewAPIHandlers returns the booking API handlers.
func NewAPIHandlers(svc *Service) *APIHandlers { return &APIHandlers{svc: svc} }

// PublicRoutes registers the public endpoints; limit guards changes.
func (h *APIHandlers) PublicRoutes(api *echo.Group, limit echo.MiddlewareFunc) {
	api.GET("/slots", h.slots)
	api.POST("/bookings", h.book, limit)
	api.GET("/bookings/:token", h.get)
	api.PATCH("/bookings/:token", h.reschedule, limit)
	api.DELETE("/bookings/:token", h.cancel, limit)
}

// StaffRoutes registers the staff endpoints: createClinician takes the
// guard manageClinicians, and reading or setting a clinician's hours the
// guard manageAvailability, both as the caller decides.
func (h *APIHandlers) StaffRoutes(g *echo.Group, auth, manageClinicians, manageAvailability echo.MiddlewareFunc) {
	g.GET("/clinicians", h.listClinicians, auth)
	g.POST("/clinicians", h.createClinician, auth, manageClinicians)
	g.GET("/clinicians/:id/availability", h.getAvailability, auth, manageAvailability)
	g.PUT("/clinicians/:id/availability", h.setAvailability, auth, manageAvailability)
}

type slotJSON struct {
	ClinicianID   int64  `json:"clinician_id"`
	ClinicianName string `json:"clinician_name"`
	Start         string `json:"start"`
	End           string `json:"end"`
}

func (h *APIHandlers) slots(c echo.Context) error {
	q, err := ParseSlotQuery(c.QueryParam("kind"), c.QueryParam("from"), c.QueryParam("to"), c.QueryParam("tz"), h.svc.now())
	if err != nil {
		return err
	}
	list, err := h.svc.Slots(c.Request().Context(), q.Kind, q.From, q.To)
	if err != nil {
		return err
	}
	buf, _ := h.bodies.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	*buf = appendSlotsJSON((*buf)[:0], list, q.Location)
	err = c.Blob(http.StatusOK, echo.MIMEApplicationJSON, *buf)
	if cap(*buf) <= maxPooledBody {
		h.bodies.Put(buf)
	}
	return err
}

// maxPooledBody bounds the listing bodies kept for reuse.
const maxPooledBody = 1 << 20

type bookBody struct {
	IntakeToken string `json:"intake_token"`
	ClinicianID int64  `json:"clinician_id"`
	Start       string `json:"start"`
	TimeZone    string `json:"timezone"`
}

func parseStart(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, &apperr.Error{Kind: apperr.Invalid, Code: "invalid_input", Message: "Please check the highlighted fields.",
			Fields: map[string]string{"start": "Use an RFC 3339 time such as 2026-12-07T09:00:00-05:00."}}
	}
	return t, nil
}

func (h *APIHandlers) book(c echo.Context) error {
	var body bookBody
	if err := web.DecodeJSON(c, &body); err != nil {
		return err
	}
	f := map[string]string{}
	if body.IntakeToken == "" {
		f["intake_token"] = "The token returned when the intake was created is required."
	}
	if body.ClinicianID <= 0 {
		f["clinician_id"] = "Choose a clinician from the open slots."
	}
	start, err := parseStart(body.Start)
	if err != nil {
		f["start"] = apperr.FieldsOf(err)["start"]
	}
	if err := apperr.Validation(f); err != nil {
		return err
	}
	var idem *Idempotency
	if key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key")); key != "" {
		if len(key) > 200 {
			return apperr.New(apperr.BadRequest, "bad_idempotency_key", "The Idempotency-Key can be at most 200 characters.")
		}
		idem = &Idempotency{Key: key, RequestHash: HashRequest(body.IntakeToken, strconv.FormatInt(body.ClinicianID, 10), start.UTC().Format(time.RFC3339))}
	}
	conf, err := h.svc.Book(c.Request().Context(), body.IntakeToken, Request{ClinicianID: body.ClinicianID, Start: start, ClientTimeZone: body.TimeZone}, idem)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, conf)
}

// BookingJSON is a booking in the API.
type BookingJSON struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	ClinicianID   int64  `json:"clinician_id"`
	ClinicianName string `json:"clinician_name"`
	Start         string `json:"start"`
	End           string `json:"end"`
	Location      string `json:"location,omitempty"`
	Sequence      int    `json:"sequence"`
}

func bookingJSON(b Booking) BookingJSON {
	loc := zone.OrUTC(b.ClientTimeZone)
	return BookingJSON{ID: b.ID, Status: b.Status, ClinicianID: b.ClinicianID, ClinicianName: b.ClinicianName,
		Start: b.Start.In(loc).Format(time.RFC3339), End: b.End.In(loc).Format(time.RFC3339), Location: b.Location, Sequence: b.Sequence}
}

func (h *APIHandlers) get(c echo.Context) error {
	b, err := h.svc.ByManageToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bookingJSON(b))
}

type rescheduleBody struct {
	ClinicianID int64  `json:"clinician_id"`
	Start       string `json:"start"`
	TimeZone    string `json:"timezone"`
}

func (h *APIHandlers) reschedule(c echo.Context) error {
	var body rescheduleBody
	if err := web.DecodeJSON(c, &body); err != nil {
		return err
	}
	start, err := parseStart(body.Start)
	if err != nil {
		return err
	}
	b, err := h.svc.Reschedule(c.Request().Context(), c.Param("token"), Request{ClinicianID: body.ClinicianID, Start: start, ClientTimeZone: body.TimeZone})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bookingJSON(b))
}

func (h *APIHandlers) cancel(c echo.Context) error {
	b, err := h.svc.Cancel(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bookingJSON(b))
}

type clinicianJSON struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	TimeZone  string   `json:"timezone"`
	Offers    []string `json:"offers"`
	VideoLink string   `json:"video_link,omitempty"`
	Address   string   `json:"address,omitempty"`
	Active    bool     `json:"active"`
}

func toClinicianJSON(c Clinician) clinicianJSON {
	offers := []string{}
	if c.OffersIndividual {
		offers = append(offers, string(consult.Individual))
	}
	if c.OffersCouple {
		offers = append(offers, string(consult.Couple))
	}
	return clinicianJSON{ID: c.ID, Name: c.Name, Email: c.Email, TimeZone: c.TimeZone, Offers: offers, VideoLink: c.VideoLink, Address: c.Address, Active: c.Active}
}

func (h *APIHandlers) listClinicians(c echo.Context) error {
	list, err := h.svc.Clinicians(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]clinicianJSON, len(list))
	for i, cl := range list {
		out[i] = toClinicianJSON(cl)
	}
	return c.JSON(http.StatusOK, map[string]any{"clinicians": out})
}

func (h *APIHandlers) createClinician(c echo.Context) error {
	var in ClinicianInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	var hook ClinicianHook
	if h.Audit != nil {
		hook = h.Audit(c)
	}
	cl, err := h.svc.CreateClinician(c.Request().Context(), in, hook)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int64{"id": cl.ID})
}

// ClinicianParam reads the :id route parameter.
func ClinicianParam(c echo.Context) (int64, error) { return web.IDParam(c, errClinicianNotFound) }

func (h *APIHandlers) getAvailability(c echo.Context) error {
	id, err := ClinicianParam(c)
	if err != nil {
		return err
	}
	a, err := h.svc.Availability(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.Input())
}

func (h *APIHandlers) setAvailability(c echo.Context) error {
	id, err := ClinicianParam(c)
	if err != nil {
		return err
	}
	var in schedule.AvailabilityInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	var hook ClinicianHook
	if h.Audit != nil {
		hook = h.Audit(c)
	}
	a, err := h.svc.SetAvailability(c.Request().Context(), id, in, hook)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.Input())
}
