package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/web/auth"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// IntakePractice supplies the practice's time zone, in which the intake
// list's dates are whole days.
type IntakePractice interface {
	Get(ctx context.Context) (practice.Settings, error)
}

// IntakeHandlers serve the intake JSON API: the public POST /api/v1/intakes
// and the staff's list and detail (behind the bearer token).
type IntakeHandlers struct {
	svc      *intake.Service
	practice IntakePractice
}

// NewIntakeHandlers returns the intake API handlers.
func NewIntakeHandlers(svc *intake.Service, p IntakePractice) *IntakeHandlers {
	return &IntakeHandlers{svc: svc, practice: p}
}

type intakeCreatedJSON struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

// Create takes a new request.
func (h *IntakeHandlers) Create(c echo.Context) error {
	var in intake.Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	receipt, err := h.svc.Submit(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, intakeCreatedJSON{ID: receipt.ID, Token: receipt.Token})
}

// IntakeJSON is an intake in the staff API.
type IntakeJSON struct {
	ID                  int64    `json:"id"`
	Kind                string   `json:"kind"`
	Status              string   `json:"status"`
	Urgent              bool     `json:"urgent"`
	Name                string   `json:"name"`
	Email               string   `json:"email"`
	Phone               string   `json:"phone,omitempty"`
	Pronouns            string   `json:"pronouns,omitempty"`
	ContactPreference   string   `json:"contact_preference"`
	VoicemailOK         bool     `json:"voicemail_ok"`
	PartnerName         string   `json:"partner_name,omitempty"`
	PartnerEmail        string   `json:"partner_email,omitempty"`
	PartnerPronouns     string   `json:"partner_pronouns,omitempty"`
	PartnerAware        string   `json:"partner_aware,omitempty"`
	Concerns            []string `json:"concerns"`
	ConcernsOther       string   `json:"concerns_other,omitempty"`
	Message             string   `json:"message,omitempty"`
	Approaches          []string `json:"approaches"`
	SessionFormat       string   `json:"session_format,omitempty"`
	ReferralSource      string   `json:"referral_source,omitempty"`
	TimeZone            string   `json:"timezone,omitempty"`
	SafetyConcern       bool     `json:"safety_concern"`
	AssignedClinicianID *int64   `json:"assigned_clinician_id"`
	// ConsultCancelled is set while the request's consultation is
	// cancelled and none is booked again.
	ConsultCancelled *CancellationJSON `json:"consult_cancelled,omitempty"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// CancellationJSON is a cancelled consultation in the staff API.
type CancellationJSON struct {
	At time.Time `json:"at"`
	By string    `json:"by"` // "client" or "staff"
}

func intakeToJSON(in intake.Intake) IntakeJSON {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	out := IntakeJSON{ID: in.ID, Kind: string(in.Kind), Status: string(in.Status), Urgent: in.Urgent, Name: in.Name, Email: in.Email,
		Phone: in.Phone, Pronouns: in.Pronouns, ContactPreference: in.ContactPreference, VoicemailOK: in.VoicemailOK,
		PartnerName: in.PartnerName, PartnerEmail: in.PartnerEmail, PartnerPronouns: in.PartnerPronouns, PartnerAware: in.PartnerAware,
		Concerns: nonNil(in.Concerns), ConcernsOther: in.ConcernsOther, Message: in.Message, Approaches: nonNil(in.Approaches),
		SessionFormat: in.SessionFormat, ReferralSource: in.ReferralSource, TimeZone: in.TimeZone, SafetyConcern: in.SafetyConcern,
		AssignedClinicianID: in.AssignedClinicianID, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt}
	if c := in.ConsultCancelled; c != nil {
		out.ConsultCancelled = &CancellationJSON{At: c.At, By: string(c.By)}
	}
	return out
}

// intakeDetailJSON is one intake in the staff API with the partner's own
// answers (null when they have not sent any).
type intakeDetailJSON struct {
	IntakeJSON
	PartnerAnswers *PartnerAnswersJSON `json:"partner_answers"`
}

// PartnerAnswersJSON is the partner's own answers in the staff API.
type PartnerAnswersJSON struct {
	Name              string    `json:"name"`
	Pronouns          string    `json:"pronouns,omitempty"`
	Email             string    `json:"email,omitempty"`
	Phone             string    `json:"phone,omitempty"`
	ContactPreference string    `json:"contact_preference"`
	VoicemailOK       bool      `json:"voicemail_ok"`
	Concerns          []string  `json:"concerns"`
	ConcernsOther     string    `json:"concerns_other,omitempty"`
	Hopes             string    `json:"hopes,omitempty"`
	Approaches        []string  `json:"approaches"`
	SafetyConcern     bool      `json:"safety_concern"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

func intakePartnerJSON(p *intake.PartnerAnswers) *PartnerAnswersJSON {
	if p == nil {
		return nil
	}
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return &PartnerAnswersJSON{Name: p.Name, Pronouns: p.Pronouns, Email: p.Email, Phone: p.Phone,
		ContactPreference: p.ContactPreference, VoicemailOK: p.VoicemailOK, Concerns: nonNil(p.Concerns),
		ConcernsOther: p.ConcernsOther, Hopes: p.Hopes, Approaches: nonNil(p.Approaches), SafetyConcern: p.SafetyConcern,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// List is the staff's intake list: one page of the queue as the token's
// account may see it.
func (h *IntakeHandlers) List(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	qq := intakeQueryOf(q)
	if qq.Clinician == "" {
		qq.Clinician = strings.TrimSpace(q.Get("clinician_id"))
	}
	f, errs := intake.ParseQueueQuery(qq, h.zone(c.Request().Context()))
	if len(errs) > 0 {
		if msg, ok := errs["clinician"]; ok && q.Get("clinician_id") != "" {
			delete(errs, "clinician")
			errs["clinician_id"] = msg
		}
		return apperr.Validation(errs)
	}
	page, err := h.svc.ListWithAnswers(c.Request().Context(), by, f)
	if err != nil {
		return err
	}
	out := make([]IntakeJSON, len(page.Intakes))
	for i, in := range page.Intakes {
		out[i] = intakeToJSON(in)
	}
	body := map[string]any{"intakes": out}
	if page.Next != "" {
		body["next_cursor"] = page.Next
	}
	return c.JSON(http.StatusOK, body)
}

// Get is one intake with the partner's own answers.
func (h *IntakeHandlers) Get(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	id, err := web.IDParam(c, intake.ErrNotFound)
	if err != nil {
		return err
	}
	in, err := h.svc.GetForStaff(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, intakeDetailJSON{IntakeJSON: intakeToJSON(in), PartnerAnswers: intakePartnerJSON(in.Partner)})
}

// zone is the practice's time zone (UTC if it cannot be read).
func (h *IntakeHandlers) zone(ctx context.Context) *time.Location {
	st, _ := h.practice.Get(ctx) // on error: the zero settings, read in UTC
	return st.Location()
}

// intakeQueryOf reads the intake list's filter from the query string.
func intakeQueryOf(q url.Values) intake.QueueQuery {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return intake.QueueQuery{Status: get("status"), Kind: get("kind"), Clinician: get("clinician"), From: get("from"), To: get("to"),
		Q: get("q"), Limit: get("limit"), Cursor: get("cursor")}
}
