package staffui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

var adminClinicianMessages = map[string]string{
	"created": "The clinician was added. Set their consultation hours so that clients can book them.",
	"saved":   "The clinician's details were saved.",
}

// AdminClinicianRow is one clinician in the list.
type AdminClinicianRow struct {
	ID       int64
	Name     string
	Email    string
	TimeZone string
	Offers   string
	Active   bool
}

// AdminCliniciansView is the list of clinicians.
type AdminCliniciansView struct {
	web.Layout
	Saved string
	Rows  []AdminClinicianRow
}

func adminOffersLabel(individual, couple bool) string {
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

func (h *AdminPages) Clinicians(c echo.Context) error {
	list, err := h.svc.Clinicians(c.Request().Context())
	if err != nil {
		return err
	}
	v := &AdminCliniciansView{Saved: adminClinicianMessages[c.QueryParam("saved")]}
	v.Title = "Clinicians"
	for _, cl := range list {
		v.Rows = append(v.Rows, AdminClinicianRow{ID: cl.ID, Name: cl.Name, Email: cl.Email, TimeZone: cl.TimeZone,
			Offers: adminOffersLabel(cl.OffersIndividual, cl.OffersCouple), Active: cl.Active})
	}
	return h.r.Render(c, http.StatusOK, "staff_admin_clinicians", v)
}

// AdminClinicianForm is the clinician form as typed.
type AdminClinicianForm struct {
	Name       string
	Email      string
	TimeZone   string
	Individual bool
	Couple     bool
	VideoLink  string
	Address    string
	Active     bool
}

func adminClinicianFormOf(c booking.Clinician) AdminClinicianForm {
	return AdminClinicianForm{Name: c.Name, Email: c.Email, TimeZone: c.TimeZone, Individual: c.OffersIndividual, Couple: c.OffersCouple,
		VideoLink: c.VideoLink, Address: c.Address, Active: c.Active}
}

func adminClinicianFormFrom(c echo.Context) AdminClinicianForm {
	f := AdminClinicianForm{Name: c.FormValue("name"), Email: c.FormValue("email"), TimeZone: strings.TrimSpace(c.FormValue("timezone")),
		VideoLink: c.FormValue("video_link"), Address: adminText(c.FormValue("address")), Active: c.FormValue("active") == "yes"}
	params, _ := c.FormParams()
	for _, o := range params["offers"] {
		f.Individual = f.Individual || o == "individual"
		f.Couple = f.Couple || o == "couple"
	}
	return f
}

// Input is the form as the booking service takes it.
func (f AdminClinicianForm) Input() booking.ClinicianInput {
	in := booking.ClinicianInput{Name: f.Name, Email: f.Email, TimeZone: f.TimeZone, VideoLink: f.VideoLink, Address: f.Address}
	if f.Individual {
		in.Offers = append(in.Offers, "individual")
	}
	if f.Couple {
		in.Offers = append(in.Offers, "couple")
	}
	return in
}

// AdminClinicianFormView is the page that adds a clinician (ID 0) or edits one.
type AdminClinicianFormView struct {
	web.Layout
	ID           int64
	Form         AdminClinicianForm
	Errors       map[string]string
	ErrorMessage string
	Saved        string
	TimeZones    []string
}

// adminZoneChoices is the zone list with current added when it is not in it.
func adminZoneChoices(current string) []string {
	if current == "" || slices.Contains(web.TimeZones, current) {
		return web.TimeZones
	}
	return append([]string{current}, web.TimeZones...)
}

func (h *AdminPages) renderClinicianForm(c echo.Context, status int, v *AdminClinicianFormView) error {
	if v.ID == 0 {
		v.Title = "Add a clinician"
	} else {
		v.Title = "Clinician " + v.Form.Name
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.TimeZones = adminZoneChoices(v.Form.TimeZone)
	return h.r.Render(c, status, "staff_admin_clinician", v)
}

func (h *AdminPages) NewClinician(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return h.renderClinicianForm(c, http.StatusOK, &AdminClinicianFormView{Form: AdminClinicianForm{TimeZone: st.TimeZone, Individual: true, Active: true}})
}

func (h *AdminPages) CreateClinician(c echo.Context) error {
	by, err := adminActorOf(c)
	if err != nil {
		return err
	}
	form := adminClinicianFormFrom(c)
	form.Active = true
	cl, err := h.svc.CreateClinician(c.Request().Context(), by, form.Input())
	if err == nil {
		return c.Redirect(http.StatusSeeOther, adminSavedPath(fmt.Sprintf("/staff/admin/clinicians/%d", cl.ID), "created"))
	}
	status, fields, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	return h.renderClinicianForm(c, status, &AdminClinicianFormView{Form: form, Errors: fields, ErrorMessage: message})
}

func (h *AdminPages) Clinician(c echo.Context) error {
	id, err := adminIdParam(c)
	if err != nil {
		return err
	}
	cl, err := h.svc.Clinician(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := &AdminClinicianFormView{ID: id, Form: adminClinicianFormOf(cl), Saved: adminClinicianMessages[c.QueryParam("saved")]}
	return h.renderClinicianForm(c, http.StatusOK, v)
}

func (h *AdminPages) UpdateClinician(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	form := adminClinicianFormFrom(c)
	err = h.svc.UpdateClinician(c.Request().Context(), by, id, form.Input(), form.Active)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, adminSavedPath(fmt.Sprintf("/staff/admin/clinicians/%d", id), "saved"))
	}
	status, fields, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	return h.renderClinicianForm(c, status, &AdminClinicianFormView{ID: id, Form: form, Errors: fields, ErrorMessage: message})
}
