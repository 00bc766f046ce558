package admin

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

var clinicianMessages = map[string]string{
	"created": "The clinician was added. Set their consultation hours so that clients can book them.",
	"saved":   "The clinician's details were saved.",
}

// ClinicianRow is one clinician in the list.
type ClinicianRow struct {
	ID       int64
	Name     string
	Email    string
	TimeZone string
	Offers   string
	Active   bool
}

// CliniciansView is the list of clinicians.
type CliniciansView struct {
	web.Layout
	Saved string
	Rows  []ClinicianRow
}

func offersLabel(individual, couple bool) string {
	switch {
	case individual && couple:
		return "Individuals and couples"
	case individual:
		return "Individuals"
	case couple:
		return "Couples"
	}
	return "Nothing"
}

func (h *Handlers) clinicians(c echo.Context) error {
	list, err := h.cl.Clinicians(c.Request().Context())
	if err != nil {
		return err
	}
	v := &CliniciansView{Saved: clinicianMessages[c.QueryParam("saved")]}
	v.Title = "Clinicians"
	for _, cl := range list {
		v.Rows = append(v.Rows, ClinicianRow{ID: cl.ID, Name: cl.Name, Email: cl.Email, TimeZone: cl.TimeZone,
			Offers: offersLabel(cl.OffersIndividual, cl.OffersCouple), Active: cl.Active})
	}
	return h.r.Render(c, http.StatusOK, "staff_admin_clinicians", v)
}

// ClinicianForm is the clinician form as typed.
type ClinicianForm struct {
	Name       string
	Email      string
	TimeZone   string
	Individual bool
	Couple     bool
	VideoLink  string
	Address    string
	Active     bool
}

func clinicianFormOf(c booking.Clinician) ClinicianForm {
	return ClinicianForm{Name: c.Name, Email: c.Email, TimeZone: c.TimeZone, Individual: c.OffersIndividual, Couple: c.OffersCouple,
		VideoLink: c.VideoLink, Address: c.Address, Active: c.Active}
}

func clinicianFormFrom(c echo.Context) ClinicianForm {
	f := ClinicianForm{Name: c.FormValue("name"), Email: c.FormValue("email"), TimeZone: strings.TrimSpace(c.FormValue("timezone")),
		VideoLink: c.FormValue("video_link"), Address: text(c.FormValue("address")), Active: c.FormValue("active") == "yes"}
	params, _ := c.FormParams()
	for _, o := range params["offers"] {
		f.Individual = f.Individual || consult.Kind(o) == consult.Individual
		f.Couple = f.Couple || consult.Kind(o) == consult.Couple
	}
	return f
}

// Input is the form as the booking service takes it.
func (f ClinicianForm) Input() booking.ClinicianInput {
	in := booking.ClinicianInput{Name: f.Name, Email: f.Email, TimeZone: f.TimeZone, VideoLink: f.VideoLink, Address: f.Address}
	if f.Individual {
		in.Offers = append(in.Offers, string(consult.Individual))
	}
	if f.Couple {
		in.Offers = append(in.Offers, string(consult.Couple))
	}
	return in
}

// ClinicianFormView is the page that adds a clinician (ID 0) or edits one.
type ClinicianFormView struct {
	web.Layout
	ID           int64
	Form         ClinicianForm
	Errors       map[string]string
	ErrorMessage string
	Saved        string
	TimeZones    []string
}

// zoneChoices is the zone list with current added when it is not in it.
func zoneChoices(current string) []string {
	if current == "" || slices.Contains(web.TimeZones, current) {
		return web.TimeZones
	}
	return append([]string{current}, web.TimeZones...)
}

func (h *Handlers) renderClinicianForm(c echo.Context, status int, v *ClinicianFormView) error {
	if v.ID == 0 {
		v.Title = "Add a clinician"
	} else {
		v.Title = "Clinician " + v.Form.Name
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.TimeZones = zoneChoices(v.Form.TimeZone)
	return h.r.Render(c, status, "staff_admin_clinician", v)
}

func (h *Handlers) newClinician(c echo.Context) error {
	st, err := h.set.Get(c.Request().Context())
	if err != nil {
		return err
	}
	return h.renderClinicianForm(c, http.StatusOK, &ClinicianFormView{Form: ClinicianForm{TimeZone: st.TimeZone, Individual: true, Active: true}})
}

func (h *Handlers) createClinician(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	form := clinicianFormFrom(c)
	form.Active = true
	cl, err := h.svc.CreateClinician(c.Request().Context(), by, form.Input())
	if err == nil {
		return c.Redirect(http.StatusSeeOther, savedPath(fmt.Sprintf("/staff/admin/clinicians/%d", cl.ID), "created"))
	}
	status, fields, message, ok := formProblem(err)
	if !ok {
		return err
	}
	return h.renderClinicianForm(c, status, &ClinicianFormView{Form: form, Errors: fields, ErrorMessage: message})
}

func (h *Handlers) clinician(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	cl, err := h.cl.Clinician(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := &ClinicianFormView{ID: id, Form: clinicianFormOf(cl), Saved: clinicianMessages[c.QueryParam("saved")]}
	return h.renderClinicianForm(c, http.StatusOK, v)
}

func (h *Handlers) updateClinician(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	form := clinicianFormFrom(c)
	err = h.svc.UpdateClinician(c.Request().Context(), by, id, form.Input(), form.Active)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, savedPath(fmt.Sprintf("/staff/admin/clinicians/%d", id), "saved"))
	}
	status, fields, message, ok := formProblem(err)
	if !ok {
		return err
	}
	return h.renderClinicianForm(c, status, &ClinicianFormView{ID: id, Form: form, Errors: fields, ErrorMessage: message})
}
