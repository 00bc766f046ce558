package admin

import (
	"net/http"

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
