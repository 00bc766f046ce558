package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// BookingHandlers serve the booking JSON API: open slots and a client's
// booking (public), clinicians and their hours (staff).
type BookingHandlers struct {
	svc   *booking.Service
	audit func(c echo.Context) booking.ClinicianHook
	// bodies are reused listing bodies (*[]byte): a listing is tens or
	// hundreds of kilobytes, and allocating and collecting one per request
	// cost as much as writing it.
	bodies sync.Pool
}

// NewBookingHandlers returns the booking API handlers. audit returns the
// hook that records who changed a clinician or their hours through the
// staff API; nil records nothing.
func NewBookingHandlers(svc *booking.Service, audit func(c echo.Context) booking.ClinicianHook) *BookingHandlers {
	if audit == nil {
		audit = func(echo.Context) booking.ClinicianHook { return nil }
	}
	return &BookingHandlers{svc: svc, audit: audit}
}

type slotJSON struct {
	ClinicianID   int64  `json:"clinician_id"`
	ClinicianName string `json:"clinician_name"`
	Start         string `json:"start"`
	End           string `json:"end"`
}

// Slots lists open times: GET /api/v1/slots.
func (h *BookingHandlers) Slots(c echo.Context) error {
	q, err := booking.ParseSlotQuery(c.QueryParam("kind"), c.QueryParam("from"), c.QueryParam("to"), c.QueryParam("tz"), h.svc.Now())
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

// Book books a time for an intake: POST /api/v1/bookings.
func (h *BookingHandlers) Book(c echo.Context) error {
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
	var idem *booking.Idempotency
	if key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key")); key != "" {
		if len(key) > 200 {
			return apperr.New(apperr.BadRequest, "bad_idempotency_key", "The Idempotency-Key can be at most 200 characters.")
		}
		idem = &booking.Idempotency{Key: key, RequestHash: booking.HashRequest(body.IntakeToken, strconv.FormatInt(body.ClinicianID, 10), start.UTC().Format(time.RFC3339))}
	}
	conf, err := h.svc.Book(c.Request().Context(), body.IntakeToken, booking.Request{ClinicianID: body.ClinicianID, Start: start, ClientTimeZone: body.TimeZone}, idem)
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

func bookingJSON(b booking.Booking) BookingJSON {
	loc := zone.OrUTC(b.ClientTimeZone)
	return BookingJSON{ID: b.ID, Status: b.Status, ClinicianID: b.ClinicianID, ClinicianName: b.ClinicianName,
		Start: b.Start.In(loc).Format(time.RFC3339), End: b.End.In(loc).Format(time.RFC3339), Location: b.Location, Sequence: b.Sequence}
}

// Get shows a booking by its manage token.
func (h *BookingHandlers) Get(c echo.Context) error {
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

// Reschedule moves a booking by its manage token.
func (h *BookingHandlers) Reschedule(c echo.Context) error {
	var body rescheduleBody
	if err := web.DecodeJSON(c, &body); err != nil {
		return err
	}
	start, err := parseStart(body.Start)
	if err != nil {
		return err
	}
	b, err := h.svc.Reschedule(c.Request().Context(), c.Param("token"), booking.Request{ClinicianID: body.ClinicianID, Start: start, ClientTimeZone: body.TimeZone})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bookingJSON(b))
}

// Cancel cancels a booking by its manage token.
func (h *BookingHandlers) Cancel(c echo.Context) error {
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

func toClinicianJSON(c booking.Clinician) clinicianJSON {
	offers := []string{}
	if c.OffersIndividual {
		offers = append(offers, string(consult.Individual))
	}
	if c.OffersCouple {
		offers = append(offers, string(consult.Couple))
	}
	return clinicianJSON{ID: c.ID, Name: c.Name, Email: c.Email, TimeZone: c.TimeZone, Offers: offers, VideoLink: c.VideoLink, Address: c.Address, Active: c.Active}
}

// Clinicians lists the clinicians (staff).
func (h *BookingHandlers) Clinicians(c echo.Context) error {
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

// CreateClinician adds a clinician (staff).
func (h *BookingHandlers) CreateClinician(c echo.Context) error {
	var in booking.ClinicianInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	cl, err := h.svc.CreateClinician(c.Request().Context(), in, h.audit(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]int64{"id": cl.ID})
}

func bookingClinicianID(c echo.Context) (int64, error) {
	return web.IDParam(c, booking.ErrClinicianNotFound)
}

// Availability shows a clinician's hours (staff).
func (h *BookingHandlers) Availability(c echo.Context) error {
	id, err := bookingClinicianID(c)
	if err != nil {
		return err
	}
	a, err := h.svc.Availability(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.Input())
}

// SetAvailability replaces a clinician's hours (staff).
func (h *BookingHandlers) SetAvailability(c echo.Context) error {
	id, err := bookingClinicianID(c)
	if err != nil {
		return err
	}
	var in schedule.AvailabilityInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	a, err := h.svc.SetAvailability(c.Request().Context(), id, in, h.audit(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.Input())
}
