package intake

import (
	"net/http"
	"net/url"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// PartnerPath is the path of the partner's private form for token.
func PartnerPath(token string) string { return "/partner/" + url.PathEscape(token) }

// PartnerRoutes registers the partner's pages on e; limit guards the
// submission.
func (h *Handlers) PartnerRoutes(e *echo.Echo, limit echo.MiddlewareFunc) {
	e.GET("/partner/:token", h.partnerForm)
	e.POST("/partner/:token", h.partnerSubmit, web.KeepFormWhenLimited(h.limitedPartnerForm), limit)
	e.GET("/partner/:token/support", h.partnerSupport)
	e.GET("/partner/:token/thanks", h.partnerThanks)
}

// PartnerFormView is the partner's form, blank but for their name, or
// re-shown with their answers and a message next to each field that needs
// attention. It never carries anything the first partner wrote.
type PartnerFormView struct {
	web.Layout
	Action  string
	In      PartnerInput
	Safety  string // "yes", "no" or "" (not answered)
	Errors  map[string]string
	Summary []FieldError
	// Notice is a message about the whole form (the rate limit's refusal).
	Notice string

	Concerns, Approaches, ContactPreferences []Option
}

func newPartnerFormView(token string) *PartnerFormView {
	v := &PartnerFormView{Action: PartnerPath(token), Errors: map[string]string{},
		Concerns: Concerns, Approaches: Approaches, ContactPreferences: ContactPreferences}
	v.In.ContactPreference = "email"
	v.Title = "Add your own answers"
	v.Couple = true // the partner's pages are the couple journey
	return v
}

// partnerRequest finds the request of the link and marks the page as not
// to be kept by the browser or anything between.
func (h *Handlers) partnerRequest(c echo.Context) (PartnerRequest, error) {
	req, err := h.svc.ByPartnerToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return PartnerRequest{}, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return req, nil
}

// partnerForm shows the form with only the partner's name filled in. It
// never shows answers sent before: whoever holds the link (the first
// partner too) could read them.
func (h *Handlers) partnerForm(c echo.Context) error {
	req, err := h.partnerRequest(c)
	if err != nil {
		return err
	}
	if req.Answered {
		// Said when the link is opened, not only after someone fills the
		// form in again: the answers sent stand.
		sent := &PartnerStepView{Layout: web.Layout{Couple: true}, AlreadySent: errPartnerAnswered.Message}
		sent.Title = "Your answers were already sent"
		return h.r.Render(c, http.StatusOK, "partner_thanks", sent)
	}
	v := newPartnerFormView(c.Param("token"))
	v.In.Name = req.PartnerName
	return h.r.Render(c, http.StatusOK, "partner_form", v)
}

func (h *Handlers) partnerSubmit(c echo.Context) error {
	token := c.Param("token")
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "bad_form", "The form could not be read. Please try again.")
	}
	if form.Get(honeypot) != "" {
		return c.Redirect(http.StatusSeeOther, "/thanks")
	}
	v := newPartnerFormView(token)
	v.In = partnerInputFromForm(form)
	v.Safety = form.Get("safety")
	urgent, err := h.svc.SubmitPartner(c.Request().Context(), token, v.In)
	if fields := apperr.FieldsOf(err); fields != nil {
		v.Errors = fields
		v.Summary = summary(fields, PartnerFieldOrder)
		v.Title = "Please check your answers — " + v.Title
		return h.r.Render(c, http.StatusUnprocessableEntity, "partner_form", v)
	}
	if ae := apperr.As(err); ae != nil && ae.Code == errPartnerAnswered.Code {
		sent := &PartnerStepView{Layout: web.Layout{Couple: true}, NextPath: PartnerPath(token) + "/thanks", AlreadySent: ae.Message}
		sent.Title = "Your answers were already sent"
		return h.r.Render(c, http.StatusConflict, "partner_thanks", sent)
	}
	if err != nil {
		return err
	}
	if urgent {
		return c.Redirect(http.StatusSeeOther, PartnerPath(token)+"/support")
	}
	return c.Redirect(http.StatusSeeOther, PartnerPath(token)+"/thanks")
}

// limitedPartnerForm answers a submission the rate limit refused with the
// form, every answer kept and the refusal said at the top.
func (h *Handlers) limitedPartnerForm(c echo.Context, refusal *apperr.Error) error {
	token := c.Param("token")
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return refusal
	}
	v := newPartnerFormView(token)
	v.In = partnerInputFromForm(form)
	v.Safety = form.Get("safety")
	v.Notice = refusal.Message
	v.Title = "Please wait a few minutes — " + v.Title
	return h.r.Render(c, http.StatusTooManyRequests, "partner_form", v)
}

func partnerInputFromForm(f url.Values) PartnerInput {
	return PartnerInput{
		Name: f.Get("name"), Pronouns: f.Get("pronouns"), Email: f.Get("email"), Phone: f.Get("phone"),
		ContactPreference: f.Get("contact_preference"), VoicemailOK: f.Get("voicemail_ok") == "yes",
		Concerns: f["concerns"], ConcernsOther: f.Get("concerns_other"), Hopes: f.Get("hopes"),
		Approaches: f["approaches"], SafetyConcern: f.Get("safety") == "yes", Consent: f.Get("consent") == "yes",
	}
}

// PartnerStepView is a page after the partner's form. It says the same to
// anyone holding the link, so it gives away nothing the partner answered.
type PartnerStepView struct {
	web.Layout
	NextPath string
	// AlreadySent explains that earlier answers stand (a second sending).
	AlreadySent string
}

func (h *Handlers) partnerSupport(c echo.Context) error {
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	v := &PartnerStepView{Layout: web.Layout{Couple: true}, NextPath: PartnerPath(c.Param("token")) + "/thanks"}
	v.Title = "Support is available right now"
	return h.r.Render(c, http.StatusOK, "partner_support", v)
}

func (h *Handlers) partnerThanks(c echo.Context) error {
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	v := &PartnerStepView{Layout: web.Layout{Couple: true}}
	v.Title = "Thank you for adding your answers"
	return h.r.Render(c, http.StatusOK, "partner_thanks", v)
}
