package public

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// PartnerPath is the path of the partner's private form for token.
func PartnerPath(token string) string { return "/partner/" + url.PathEscape(token) }

// PartnerFormView is the partner's form, blank but for their name, or
// re-shown with their answers and a message next to each field that needs
// attention. It never carries anything the first partner wrote.
type PartnerFormView struct {
	web.Layout
	Action  string
	In      intake.PartnerInput
	Safety  string // "yes", "no" or "" (not answered)
	Errors  map[string]string
	Summary []IntakeFieldError
	// Notice is a message about the whole form (the rate limit's refusal).
	Notice string

	Concerns, Approaches, ContactPreferences []intake.Option
}

func newPartnerFormView(token string) *PartnerFormView {
	v := &PartnerFormView{Action: PartnerPath(token), Errors: map[string]string{},
		Concerns: intake.Concerns, Approaches: intake.Approaches, ContactPreferences: intake.ContactPreferences}
	v.In.ContactPreference = "email"
	v.Title = "Add your own answers"
	v.Couple = true // the partner's pages are the couple journey
	return v
}

// partnerRequest finds the request of the link and marks the page as not
// to be kept by the browser or anything between.
func (h *IntakePages) partnerRequest(c echo.Context) (intake.PartnerRequest, error) {
	req, err := h.svc.ByPartnerToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return intake.PartnerRequest{}, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return req, nil
}

// PartnerForm shows the form with only the partner's name filled in. It
// never shows answers sent before: whoever holds the link (the first
// partner too) could read them.
func (h *IntakePages) PartnerForm(c echo.Context) error {
	req, err := h.partnerRequest(c)
	if err != nil {
		return err
	}
	if req.Answered {
		// Said when the link is opened, not only after someone fills the
		// form in again: the answers sent stand.
		sent := &PartnerStepView{Layout: web.Layout{Couple: true}, AlreadySent: intake.ErrPartnerAnswered.Message}
		sent.Title = "Your answers were already sent"
		return h.r.Render(c, http.StatusOK, "partner_thanks", sent)
	}
	v := newPartnerFormView(c.Param("token"))
	v.In.Name = req.PartnerName
	return h.r.Render(c, http.StatusOK, "partner_form", v)
}

// PartnerSubmit takes the partner's form: re-shown with their answers on a
// mistake, "already sent" when answers were sent before, or on to the
// crisis page or the thanks.
func (h *IntakePages) PartnerSubmit(c echo.Context) error {
	token := c.Param("token")
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return apperr.New(apperr.BadRequest, "bad_form", "The form could not be read. Please try again.")
	}
	if form.Get(intakeHoneypot) != "" {
		return c.Redirect(http.StatusSeeOther, "/thanks")
	}
	v := newPartnerFormView(token)
	v.In = partnerInputFromForm(form)
	v.Safety = form.Get("safety")
	urgent, err := h.svc.SubmitPartner(c.Request().Context(), token, v.In)
	if fields := apperr.FieldsOf(err); fields != nil {
		v.Errors = fields
		v.Summary = intakeSummary(fields, intake.PartnerFieldOrder)
		v.Title = "Please check your answers — " + v.Title
		return h.r.Render(c, web.StatusOf(err), "partner_form", v)
	}
	if errors.Is(err, intake.ErrPartnerAnswered) {
		sent := &PartnerStepView{Layout: web.Layout{Couple: true}, NextPath: PartnerPath(token) + "/thanks", AlreadySent: intake.ErrPartnerAnswered.Message}
		sent.Title = "Your answers were already sent"
		return h.r.Render(c, web.StatusOf(err), "partner_thanks", sent)
	}
	if err != nil {
		return err
	}
	if urgent {
		return c.Redirect(http.StatusSeeOther, PartnerPath(token)+"/support")
	}
	return c.Redirect(http.StatusSeeOther, PartnerPath(token)+"/thanks")
}

// LimitedPartnerForm answers a submission the rate limit refused with the
// form, every answer kept and the refusal said at the top.
func (h *IntakePages) LimitedPartnerForm(c echo.Context, refusal *apperr.Error) error {
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
	return h.r.Render(c, web.StatusOf(refusal), "partner_form", v)
}

func partnerInputFromForm(f url.Values) intake.PartnerInput {
	return intake.PartnerInput{
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

// PartnerSupport is the crisis resources after the partner's "yes".
func (h *IntakePages) PartnerSupport(c echo.Context) error {
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	v := &PartnerStepView{Layout: web.Layout{Couple: true}, NextPath: PartnerPath(c.Param("token")) + "/thanks"}
	v.Title = "Support is available right now"
	return h.r.Render(c, http.StatusOK, "partner_support", v)
}

// PartnerThanks thanks the partner; it shows nothing they answered.
func (h *IntakePages) PartnerThanks(c echo.Context) error {
	if _, err := h.partnerRequest(c); err != nil {
		return err
	}
	v := &PartnerStepView{Layout: web.Layout{Couple: true}}
	v.Title = "Thank you for adding your answers"
	return h.r.Render(c, http.StatusOK, "partner_thanks", v)
}
