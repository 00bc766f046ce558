package intake

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// Handlers serve the public intake pages and the intake JSON API.
type Handlers struct {
	svc *Service
	r   *web.Renderer
	// NextPath is where a client goes after the intake (and after the crisis
	// page when flagged): the slot picker once booking is wired in.
	NextPath func(token string) string
	// BaseURL is the absolute base of the partner link shown to a couple.
	BaseURL string
}

// NewHandlers returns the intake handlers.
func NewHandlers(svc *Service, r *web.Renderer) *Handlers {
	return &Handlers{svc: svc, r: r, NextPath: func(token string) string { return "/requests/" + url.PathEscape(token) + "/received" }}
}

// Routes registers the public pages on e and the public API on api.
// limit guards every submission.
func (h *Handlers) Routes(e *echo.Echo, api *echo.Group, limit echo.MiddlewareFunc) {
	e.GET("/", h.landing)
	e.GET("/crisis", h.crisis)
	e.GET("/privacy", h.privacy)
	e.GET("/request/:kind", h.form)
	e.POST("/request/:kind", h.submit, web.KeepFormWhenLimited(h.limitedForm), limit)
	e.GET("/requests/:token/support", h.support)
	e.GET("/requests/:token/received", h.confirmation)
	e.GET("/thanks", h.thanks)
	api.POST("/intakes", h.apiCreate, limit)
}

func (h *Handlers) landing(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "landing", &web.Layout{Title: "Request a free consultation"})
}

func (h *Handlers) crisis(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "crisis", &web.Layout{Title: "Crisis resources"})
}

func (h *Handlers) privacy(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "privacy", &web.Layout{Title: "Privacy notice"})
}

func (h *Handlers) thanks(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "thanks", &web.Layout{Title: "Thank you"})
}

// FieldError is one line of the error summary at the top of a form.
type FieldError struct{ Field, Message string }

// summary lists the field messages in the order the fields stand on the form.
func summary(fields map[string]string, order []string) []FieldError {
	var out []FieldError
	for _, name := range order {
		if msg, ok := fields[name]; ok {
			out = append(out, FieldError{Field: name, Message: msg})
		}
	}
	return out
}

// FormView is the intake form, blank or re-shown with the person's answers
// and a message next to each field that needs attention.
type FormView struct {
	web.Layout
	Kind      Kind
	In        Input
	Safety    string // "yes", "no" or "" (not answered)
	Errors    map[string]string
	Summary   []FieldError
	TimeZones []string
	// Notice is a message about the whole form (the rate limit's refusal).
	Notice string

	Concerns, Approaches, SessionFormats, ContactPreferences, PartnerAwareness []Option
}

func newFormView(kind Kind) *FormView {
	v := &FormView{Kind: kind, Errors: map[string]string{}, TimeZones: web.TimeZones,
		Concerns: Concerns, Approaches: Approaches, SessionFormats: SessionFormats,
		ContactPreferences: ContactPreferences, PartnerAwareness: PartnerAwareness}
	v.In.Kind = string(kind)
	v.In.ContactPreference = "email"
	v.Couple = kind == Couple
	if kind == Couple {
		v.Title = "Request a couples consultation"
	} else {
		v.Title = "Request a consultation for yourself"
	}
	return v
}

func kindParam(c echo.Context) (Kind, error) {
	switch k := Kind(c.Param("kind")); k {
	case Individual, Couple:
		return k, nil
	}
	return "", apperr.New(apperr.NotFound, "not_found", "We could not find that page.")
}

func (h *Handlers) form(c echo.Context) error {
	kind, err := kindParam(c)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "intake_form", newFormView(kind))
}

// honeypot is a field people never see; bots fill it in.
const honeypot = "website"

func (h *Handlers) submit(c echo.Context) error {
	kind, err := kindParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "bad_form", "The form could not be read. Please try again.")
	}
	if form.Get(honeypot) != "" {
		// Answer as if all went well, store nothing, tell the bot nothing.
		return c.Redirect(http.StatusSeeOther, "/thanks")
	}
	v := formViewFrom(kind, form)
	receipt, err := h.svc.Submit(c.Request().Context(), v.In)
	if fields := apperr.FieldsOf(err); fields != nil {
		v.Errors = fields
		v.Summary = summary(fields, FieldOrder)
		v.Title = "Please check your answers — " + v.Title
		return h.r.Render(c, http.StatusUnprocessableEntity, "intake_form", v)
	}
	if err != nil {
		return err
	}
	if receipt.Urgent {
		return c.Redirect(http.StatusSeeOther, "/requests/"+url.PathEscape(receipt.Token)+"/support")
	}
	return c.Redirect(http.StatusSeeOther, h.NextPath(receipt.Token))
}

// formViewFrom is the form re-shown with what was sent.
func formViewFrom(kind Kind, form url.Values) *FormView {
	v := newFormView(kind)
	v.In = inputFromForm(form, kind)
	v.Safety = form.Get("safety")
	if tz := v.In.TimeZone; tz != "" && !slices.Contains(v.TimeZones, tz) {
		v.TimeZones = append([]string{tz}, v.TimeZones...) // the browser's own zone, added by the page's script
	}
	return v
}

// limitedForm answers a submission the rate limit refused with the form,
// every answer kept and the refusal said at the top: nothing is lost.
func (h *Handlers) limitedForm(c echo.Context, refusal *apperr.Error) error {
	kind, err := kindParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return refusal
	}
	v := formViewFrom(kind, form)
	v.Notice = refusal.Message
	v.Title = "Please wait a few minutes — " + v.Title
	return h.r.Render(c, http.StatusTooManyRequests, "intake_form", v)
}

func inputFromForm(f url.Values, kind Kind) Input {
	return Input{
		Kind: string(kind), Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), Pronouns: f.Get("pronouns"),
		ContactPreference: f.Get("contact_preference"), VoicemailOK: f.Get("voicemail_ok") == "yes",
		PartnerName: f.Get("partner_name"), PartnerEmail: f.Get("partner_email"), PartnerPronouns: f.Get("partner_pronouns"),
		PartnerAware: f.Get("partner_aware"), Concerns: f["concerns"], ConcernsOther: f.Get("concerns_other"),
		Message: f.Get("message"), Approaches: f["approaches"], SessionFormat: f.Get("session_format"),
		ReferralSource: f.Get("referral_source"), TimeZone: f.Get("timezone"),
		SafetyConcern: f.Get("safety") == "yes", Consent: f.Get("consent") == "yes",
	}
}

// StepView is a page in the client's journey after the intake.
type StepView struct {
	web.Layout
	Token    string
	NextPath string
	Kind     Kind
	Name     string
	// PartnerLink is the partner's private link, for a couple.
	PartnerLink string
	id          int64
}

// PartnerLink is the absolute address of the partner's private form of
// intake id, or "" when it is not a couple intake.
func (h *Handlers) PartnerLink(ctx context.Context, id int64, kind Kind) (string, error) {
	token, err := h.svc.PartnerToken(ctx, id, kind)
	if err != nil || token == "" {
		return "", err
	}
	return strings.TrimSuffix(h.BaseURL, "/") + PartnerPath(token), nil
}

func (h *Handlers) stepView(c echo.Context, title string) (*StepView, error) {
	token := c.Param("token")
	in, err := h.svc.ByToken(c.Request().Context(), token)
	if err != nil {
		return nil, err
	}
	v := &StepView{Token: token, NextPath: h.NextPath(token), Kind: in.Kind, Name: in.Name, id: in.ID}
	v.Title = title
	v.Couple = in.Kind == Couple
	c.Response().Header().Set("Cache-Control", "no-store")
	return v, nil
}

func (h *Handlers) support(c echo.Context) error {
	v, err := h.stepView(c, "Support is available right now")
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "support", v)
}

func (h *Handlers) confirmation(c echo.Context) error {
	v, err := h.stepView(c, "Thank you — we have your request")
	if err != nil {
		return err
	}
	if v.PartnerLink, err = h.PartnerLink(c.Request().Context(), v.id, v.Kind); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "confirmation", v)
}

type createdJSON struct {
	ID    int64  `json:"id"`
	Token string `json:"token"`
}

func (h *Handlers) apiCreate(c echo.Context) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	receipt, err := h.svc.Submit(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdJSON{ID: receipt.ID, Token: receipt.Token})
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

func toJSON(in Intake) IntakeJSON {
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

func partnerJSON(p *PartnerAnswers) *PartnerAnswersJSON {
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
