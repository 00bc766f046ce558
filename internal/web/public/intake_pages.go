package public

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// IntakePages serve the public intake pages: the landing page, the forms,
// the crisis and privacy pages, and the pages after a request is sent; and
// a couple's partner's pages (partner_pages.go).
type IntakePages struct {
	svc *intake.Service
	r   *web.Renderer
	// next is where a client goes after the intake (and after the crisis
	// page when flagged): the slot picker.
	next func(token string) string
	// baseURL is the absolute base of the partner link shown to a couple.
	baseURL string
}

// NewIntakePages returns the intake pages. next gives the path a client
// goes on to after sending the form (the slot picker); baseURL is the
// absolute base of the partner link shown to a couple.
func NewIntakePages(svc *intake.Service, r *web.Renderer, next func(token string) string, baseURL string) *IntakePages {
	return &IntakePages{svc: svc, r: r, next: next, baseURL: baseURL}
}

// The landing, crisis, privacy and thank-you pages are the same for every
// visitor: rendered once and served from memory (web.Renderer.RenderShared).

// Landing is the front door: individual or couple, and the crisis resources.
func (h *IntakePages) Landing(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "landing", &web.Layout{Title: "Request a free consultation"})
}

// Crisis is the crisis resources page, linked from every form.
func (h *IntakePages) Crisis(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "crisis", &web.Layout{Title: "Crisis resources"})
}

// Privacy is the privacy notice.
func (h *IntakePages) Privacy(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "privacy", &web.Layout{Title: "Privacy notice"})
}

// Thanks is where a submission caught by the honeypot ends: it tells a bot nothing.
func (h *IntakePages) Thanks(c echo.Context) error {
	return h.r.RenderShared(c, http.StatusOK, "thanks", &web.Layout{Title: "Thank you"})
}

// IntakeFieldError is one line of the error summary at the top of a form.
type IntakeFieldError struct{ Field, Message string }

// intakeSummary lists the field messages in the order the fields stand on the form.
func intakeSummary(fields map[string]string, order []string) []IntakeFieldError {
	var out []IntakeFieldError
	for _, name := range order {
		if msg, ok := fields[name]; ok {
			out = append(out, IntakeFieldError{Field: name, Message: msg})
		}
	}
	return out
}

// IntakeFormView is the intake form, blank or re-shown with the person's answers
// and a message next to each field that needs attention.
type IntakeFormView struct {
	web.Layout
	Kind      intake.Kind
	In        intake.Input
	Safety    string // "yes", "no" or "" (not answered)
	Errors    map[string]string
	Summary   []IntakeFieldError
	TimeZones []string
	// Notice is a message about the whole form (the rate limit's refusal).
	Notice string

	Concerns, Approaches, SessionFormats, ContactPreferences, PartnerAwareness []intake.Option
}

func newIntakeFormView(kind intake.Kind) *IntakeFormView {
	v := &IntakeFormView{Kind: kind, Errors: map[string]string{}, TimeZones: web.TimeZones,
		Concerns: intake.Concerns, Approaches: intake.Approaches, SessionFormats: intake.SessionFormats,
		ContactPreferences: intake.ContactPreferences, PartnerAwareness: intake.PartnerAwareness}
	v.In.Kind = string(kind)
	v.In.ContactPreference = "email"
	v.Couple = kind == intake.Couple
	if kind == intake.Couple {
		v.Title = "Request a couples consultation"
	} else {
		v.Title = "Request a consultation for yourself"
	}
	return v
}

func intakeKindParam(c echo.Context) (intake.Kind, error) {
	switch k := intake.Kind(c.Param("kind")); k {
	case intake.Individual, intake.Couple:
		return k, nil
	}
	return "", apperr.New(apperr.NotFound, "not_found", "We could not find that page.")
}

// Form is the blank intake form of an individual or a couple.
func (h *IntakePages) Form(c echo.Context) error {
	kind, err := intakeKindParam(c)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "intake_form", newIntakeFormView(kind))
}

// intakeHoneypot is a field people never see; bots fill it in.
const intakeHoneypot = "website"

// Submit takes the form: re-shown with every answer kept and a message
// next to each field on a mistake, or on to the crisis page (a "yes" to the
// safety question) or the next step.
func (h *IntakePages) Submit(c echo.Context) error {
	kind, err := intakeKindParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "bad_form", "The form could not be read. Please try again.")
	}
	if form.Get(intakeHoneypot) != "" {
		// Answer as if all went well, store nothing, tell the bot nothing.
		return c.Redirect(http.StatusSeeOther, "/thanks")
	}
	v := intakeFormViewFrom(kind, form)
	receipt, err := h.svc.Submit(c.Request().Context(), v.In)
	if fields := apperr.FieldsOf(err); fields != nil {
		v.Errors = fields
		v.Summary = intakeSummary(fields, intake.FieldOrder)
		v.Title = "Please check your answers — " + v.Title
		return h.r.Render(c, web.StatusOf(err), "intake_form", v)
	}
	if err != nil {
		return err
	}
	if receipt.Urgent {
		return c.Redirect(http.StatusSeeOther, "/requests/"+url.PathEscape(receipt.Token)+"/support")
	}
	return c.Redirect(http.StatusSeeOther, h.next(receipt.Token))
}

// intakeFormViewFrom is the form re-shown with what was sent.
func intakeFormViewFrom(kind intake.Kind, form url.Values) *IntakeFormView {
	v := newIntakeFormView(kind)
	v.In = intakeInputFromForm(form, kind)
	v.Safety = form.Get("safety")
	if tz := v.In.TimeZone; tz != "" && !slices.Contains(v.TimeZones, tz) {
		v.TimeZones = append([]string{tz}, v.TimeZones...) // the browser's own zone, added by the page's script
	}
	return v
}

// LimitedForm answers a submission the rate limit refused with the form,
// every answer kept and the refusal said at the top: nothing is lost.
func (h *IntakePages) LimitedForm(c echo.Context, refusal *apperr.Error) error {
	kind, err := intakeKindParam(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return refusal
	}
	v := intakeFormViewFrom(kind, form)
	v.Notice = refusal.Message
	v.Title = "Please wait a few minutes — " + v.Title
	return h.r.Render(c, web.StatusOf(refusal), "intake_form", v)
}

func intakeInputFromForm(f url.Values, kind intake.Kind) intake.Input {
	return intake.Input{
		Kind: string(kind), Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone"), Pronouns: f.Get("pronouns"),
		ContactPreference: f.Get("contact_preference"), VoicemailOK: f.Get("voicemail_ok") == "yes",
		PartnerName: f.Get("partner_name"), PartnerEmail: f.Get("partner_email"), PartnerPronouns: f.Get("partner_pronouns"),
		PartnerAware: f.Get("partner_aware"), Concerns: f["concerns"], ConcernsOther: f.Get("concerns_other"),
		Message: f.Get("message"), Approaches: f["approaches"], SessionFormat: f.Get("session_format"),
		ReferralSource: f.Get("referral_source"), TimeZone: f.Get("timezone"),
		SafetyConcern: f.Get("safety") == "yes", Consent: f.Get("consent") == "yes",
	}
}

// IntakeStepView is a page in the client's journey after the intake.
type IntakeStepView struct {
	web.Layout
	Token    string
	NextPath string
	Kind     intake.Kind
	Name     string
	// PartnerLink is the partner's private link, for a couple.
	PartnerLink string
	id          int64
}

// PartnerLink is the absolute address of the partner's private form of
// intake id, or "" when it is not a couple intake.
func (h *IntakePages) PartnerLink(ctx context.Context, id int64, kind intake.Kind) (string, error) {
	token, err := h.svc.PartnerToken(ctx, id, kind)
	if err != nil || token == "" {
		return "", err
	}
	return strings.TrimSuffix(h.baseURL, "/") + PartnerPath(token), nil
}

func (h *IntakePages) stepView(c echo.Context, title string) (*IntakeStepView, error) {
	token := c.Param("token")
	in, err := h.svc.ByToken(c.Request().Context(), token)
	if err != nil {
		return nil, err
	}
	v := &IntakeStepView{Token: token, NextPath: h.next(token), Kind: in.Kind, Name: in.Name, id: in.ID}
	v.Title = title
	v.Couple = in.Kind == intake.Couple
	c.Response().Header().Set("Cache-Control", "no-store")
	return v, nil
}

// Support is the crisis resources shown right after a "yes" to the safety
// question, before the client goes on.
func (h *IntakePages) Support(c echo.Context) error {
	v, err := h.stepView(c, "Support is available right now")
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "support", v)
}

// Confirmation says the request arrived, with a couple's partner link.
func (h *IntakePages) Confirmation(c echo.Context) error {
	v, err := h.stepView(c, "Thank you — we have your request")
	if err != nil {
		return err
	}
	if v.PartnerLink, err = h.PartnerLink(c.Request().Context(), v.id, v.Kind); err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "confirmation", v)
}
