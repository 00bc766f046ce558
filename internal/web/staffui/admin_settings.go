package staffui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// AdminSettingsView is the practice settings page.
type AdminSettingsView struct {
	web.Layout
	Form         practice.Settings
	Errors       map[string]string
	ErrorMessage string
	Saved        bool
	TimeZones    []string
	// CrisisRows are the practice's crisis resources and a few blank rows
	// to add more; a row left blank is dropped.
	CrisisRows []AdminCrisisRow
	// Policy is the policy section as typed, kept as text so that a value
	// that is not a number comes back as it was typed, with its message.
	Policy AdminPolicyForm
}

// AdminPolicyForm is the policy section of the settings page.
type AdminPolicyForm struct {
	ReminderLeads, ChangeCutoffHours, WaitlistHoldMinutes, RetentionDays string
}

func adminPolicyOf(st practice.Settings) AdminPolicyForm {
	f := AdminPolicyForm{ReminderLeads: strings.Join(practice.FormatLeads(st.ReminderLeads), ", "),
		ChangeCutoffHours: strconv.Itoa(st.ChangeCutoffHours), WaitlistHoldMinutes: strconv.Itoa(st.WaitlistHoldMinutes)}
	if st.RetentionDays != nil {
		f.RetentionDays = strconv.Itoa(*st.RetentionDays)
	}
	return f
}

// adminPolicyPatch adds the policy fields the form sent to p; a field the
// form did not send stays as it is.
func adminPolicyPatch(form url.Values, p *practice.Patch) AdminPolicyForm {
	var typed AdminPolicyForm
	if form.Has("reminder_leads") {
		typed.ReminderLeads = form.Get("reminder_leads")
		leads := practice.SplitReminderLeads(typed.ReminderLeads)
		p.ReminderLeads = &leads
	}
	number := func(name string, typed *string, to **int) {
		if !form.Has(name) {
			return
		}
		*typed = strings.TrimSpace(form.Get(name))
		n, err := strconv.Atoi(*typed)
		if err != nil {
			p.Unreadable(name)
			return
		}
		*to = &n
	}
	number("change_cutoff_hours", &typed.ChangeCutoffHours, &p.ChangeCutoffHours)
	number("waitlist_hold_minutes", &typed.WaitlistHoldMinutes, &p.WaitlistHoldMinutes)
	if form.Has("retention_days") && strings.TrimSpace(form.Get("retention_days")) == "" {
		p.ClearRetention = true
	} else {
		number("retention_days", &typed.RetentionDays, &p.RetentionDays)
	}
	return typed
}

// AdminCrisisRow is one crisis resource on the settings form; N numbers its
// fields (crisis_label_N …) and their messages.
type AdminCrisisRow struct {
	N        int
	Resource practice.CrisisResource
	Fields   []AdminCrisisField
}

// AdminCrisisField is one text field of a crisis row.
type AdminCrisisField struct {
	ID, Label, Hint, Type, Value string
}

func adminNewCrisisRow(n int, r practice.CrisisResource) AdminCrisisRow {
	id := func(name string) string { return fmt.Sprintf("crisis_%s_%d", name, n) }
	return AdminCrisisRow{N: n, Resource: r, Fields: []AdminCrisisField{
		{ID: id("label"), Label: "Name", Type: "text", Value: r.Label},
		{ID: id("phone"), Label: "Number to call", Type: "tel", Value: r.Phone},
		{ID: id("sms"), Label: "Number to text", Hint: "(optional)", Type: "tel", Value: r.SMS},
		{ID: id("sms_body"), Label: "Word to text", Hint: "(optional, such as START)", Type: "text", Value: r.SMSBody},
		{ID: id("url"), Label: "Chat or web address", Hint: "(optional, starting with https://)", Type: "text", Value: r.URL},
		{ID: id("note"), Label: "Note", Hint: "(optional, such as “24/7, free and confidential”)", Type: "text", Value: r.Note},
	}}
}

// adminBlankCrisisRows are offered below the listed resources.
const adminBlankCrisisRows = 2

func adminCrisisRows(list []practice.CrisisResource) []AdminCrisisRow {
	rows := make([]AdminCrisisRow, 0, len(list)+adminBlankCrisisRows)
	for i, r := range list {
		rows = append(rows, adminNewCrisisRow(i, r))
	}
	for i := len(list); i < len(list)+adminBlankCrisisRows && i < practice.MaxCrisisResources; i++ {
		rows = append(rows, adminNewCrisisRow(i, practice.CrisisResource{}))
	}
	return rows
}

// adminCrisisFromForm reads the crisis resource rows of the settings form,
// dropping the blank ones.
func adminCrisisFromForm(f url.Values) []practice.CrisisResource {
	var out []practice.CrisisResource
	for i := 0; i < practice.MaxCrisisResources+adminBlankCrisisRows; i++ {
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

func (h *AdminPages) Settings(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return h.renderSettings(c, http.StatusOK, &AdminSettingsView{Form: st, Policy: adminPolicyOf(st), Saved: c.QueryParam("saved") == "1"})
}

func (h *AdminPages) renderSettings(c echo.Context, status int, v *AdminSettingsView) error {
	v.Title = "Practice settings"
	v.TimeZones = adminZoneChoices(v.Form.TimeZone)
	v.CrisisRows = adminCrisisRows(v.Form.CrisisResources)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.r.Render(c, status, "staff_admin_settings", v)
}

func (h *AdminPages) SaveSettings(c echo.Context) error {
	by, err := adminActorOf(c)
	if err != nil {
		return err
	}
	in := practice.Settings{Name: c.FormValue("name"), TimeZone: c.FormValue("timezone"), Address: adminText(c.FormValue("address")),
		VideoLink: c.FormValue("video_link"), CrisisText: adminText(c.FormValue("crisis_text")), SenderName: c.FormValue("sender_name")}
	form, err := c.FormParams()
	if err != nil {
		form = url.Values{}
	}
	in.CrisisResources = adminCrisisFromForm(form)
	p := practice.Patch{Name: &in.Name, TimeZone: &in.TimeZone, Address: &in.Address, VideoLink: &in.VideoLink,
		CrisisText: &in.CrisisText, SenderName: &in.SenderName, CrisisResources: &in.CrisisResources}
	typed := adminPolicyPatch(form, &p)
	_, err = h.svc.UpdateSettings(c.Request().Context(), by, p)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, adminSavedPath("/staff/admin/settings", "1"))
	}
	status, fields, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	return h.renderSettings(c, status, &AdminSettingsView{Form: in, Policy: typed, Errors: fields, ErrorMessage: message})
}
