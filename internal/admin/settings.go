package admin

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// SettingsView is the practice settings page.
type SettingsView struct {
	web.Layout
	Form         practice.Settings
	Errors       map[string]string
	ErrorMessage string
	Saved        bool
	TimeZones    []string
	// CrisisRows are the practice's crisis resources and a few blank rows
	// to add more; a row left blank is dropped.
	CrisisRows []CrisisRow
}

// CrisisRow is one crisis resource on the settings form; N numbers its
// fields (crisis_label_N …) and their messages.
type CrisisRow struct {
	N        int
	Resource practice.CrisisResource
	Fields   []CrisisField
}

// CrisisField is one text field of a crisis row.
type CrisisField struct {
	ID, Label, Hint, Type, Value string
}

func newCrisisRow(n int, r practice.CrisisResource) CrisisRow {
	id := func(name string) string { return fmt.Sprintf("crisis_%s_%d", name, n) }
	return CrisisRow{N: n, Resource: r, Fields: []CrisisField{
		{ID: id("label"), Label: "Name", Type: "text", Value: r.Label},
		{ID: id("phone"), Label: "Number to call", Type: "tel", Value: r.Phone},
		{ID: id("sms"), Label: "Number to text", Hint: "(optional)", Type: "tel", Value: r.SMS},
		{ID: id("sms_body"), Label: "Word to text", Hint: "(optional, such as START)", Type: "text", Value: r.SMSBody},
		{ID: id("url"), Label: "Chat or web address", Hint: "(optional, starting with https://)", Type: "text", Value: r.URL},
		{ID: id("note"), Label: "Note", Hint: "(optional, such as “24/7, free and confidential”)", Type: "text", Value: r.Note},
	}}
}

// blankCrisisRows are offered below the listed resources.
const blankCrisisRows = 2

func crisisRows(list []practice.CrisisResource) []CrisisRow {
	rows := make([]CrisisRow, 0, len(list)+blankCrisisRows)
	for i, r := range list {
		rows = append(rows, newCrisisRow(i, r))
	}
	for i := len(list); i < len(list)+blankCrisisRows && i < practice.MaxCrisisResources; i++ {
		rows = append(rows, newCrisisRow(i, practice.CrisisResource{}))
	}
	return rows
}

// crisisFromForm reads the crisis resource rows of the settings form,
// dropping the blank ones.
func crisisFromForm(f url.Values) []practice.CrisisResource {
	var out []practice.CrisisResource
	for i := 0; i < practice.MaxCrisisResources+blankCrisisRows; i++ {
		get := func(name string) string { return f.Get(fmt.Sprintf("crisis_%s_%d", name, i)) }
		r := practice.CrisisResource{Label: get("label"), Phone: get("phone"), SMS: get("sms"), SMSBody: get("sms_body"),
			URL: get("url"), Note: get("note"), Audience: get("audience"), Banner: get("banner") == "yes"}
		if r.Label == "" && r.Phone == "" && r.SMS == "" && r.SMSBody == "" && r.URL == "" && r.Note == "" {
			continue
		}
		out = append(out, r)
	}
	return out
}

func (h *Handlers) settings(c echo.Context) error {
	st, err := h.set.Get(c.Request().Context())
	if err != nil {
		return err
	}
	return h.renderSettings(c, http.StatusOK, &SettingsView{Form: st, Saved: c.QueryParam("saved") == "1"})
}

func (h *Handlers) renderSettings(c echo.Context, status int, v *SettingsView) error {
	v.Title = "Practice settings"
	v.TimeZones = zoneChoices(v.Form.TimeZone)
	v.CrisisRows = crisisRows(v.Form.CrisisResources)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.r.Render(c, status, "staff_admin_settings", v)
}

func (h *Handlers) saveSettings(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	in := practice.Settings{Name: c.FormValue("name"), TimeZone: c.FormValue("timezone"), Address: text(c.FormValue("address")),
		VideoLink: c.FormValue("video_link"), CrisisText: text(c.FormValue("crisis_text")), SenderName: c.FormValue("sender_name")}
	if form, err := c.FormParams(); err == nil {
		in.CrisisResources = crisisFromForm(form)
	}
	err = h.svc.SaveSettings(c.Request().Context(), by, in)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, savedPath("/staff/admin/settings", "1"))
	}
	status, fields, message, ok := formProblem(err)
	if !ok {
		return err
	}
	return h.renderSettings(c, status, &SettingsView{Form: in, Errors: fields, ErrorMessage: message})
}
