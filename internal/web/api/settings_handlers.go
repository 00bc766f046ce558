package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/firststep/firststep/internal/admin"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/web/auth"
	"github.com/labstack/echo/v4"
)

// SettingsService is what the settings API needs of the admin service.
type SettingsService interface {
	Settings(ctx context.Context) (practice.Settings, error)
	UpdateSettings(ctx context.Context, by admin.Actor, p practice.Patch) (practice.Settings, error)
}

var _ SettingsService = (*admin.Service)(nil)

// SettingsHandlers serve GET and PATCH /api/v1/settings (admin).
type SettingsHandlers struct{ svc SettingsService }

// NewSettingsHandlers returns the settings API handlers.
func NewSettingsHandlers(svc SettingsService) *SettingsHandlers { return &SettingsHandlers{svc: svc} }

// SettingsJSON is the practice's settings in the API.
type SettingsJSON struct {
	Name                string                    `json:"name"`
	TimeZone            string                    `json:"timezone"`
	Address             string                    `json:"address"`
	VideoLink           string                    `json:"video_link"`
	SenderName          string                    `json:"sender_name"`
	CrisisText          string                    `json:"crisis_text"`
	CrisisResources     []practice.CrisisResource `json:"crisis_resources"`
	ReminderLeads       []string                  `json:"reminder_leads"`
	ChangeCutoffHours   int                       `json:"change_cutoff_hours"`
	WaitlistHoldMinutes int                       `json:"waitlist_hold_minutes"`
	RetentionDays       *int                      `json:"retention_days"`
}

func settingsJSON(s practice.Settings) SettingsJSON {
	crisis := s.CrisisResources
	if crisis == nil {
		crisis = []practice.CrisisResource{}
	}
	return SettingsJSON{Name: s.Name, TimeZone: s.TimeZone, Address: s.Address, VideoLink: s.VideoLink, SenderName: s.SenderName,
		CrisisText: s.CrisisText, CrisisResources: crisis, ReminderLeads: practice.FormatLeads(s.ReminderLeads),
		ChangeCutoffHours: s.ChangeCutoffHours, WaitlistHoldMinutes: s.WaitlistHoldMinutes, RetentionDays: s.RetentionDays}
}

// settingsPatchBody holds each field as sent, so that a field left out
// (unchanged) differs from one sent as null (retention_days: keep).
type settingsPatchBody struct {
	Name                json.RawMessage `json:"name"`
	TimeZone            json.RawMessage `json:"timezone"`
	Address             json.RawMessage `json:"address"`
	VideoLink           json.RawMessage `json:"video_link"`
	SenderName          json.RawMessage `json:"sender_name"`
	CrisisText          json.RawMessage `json:"crisis_text"`
	CrisisResources     json.RawMessage `json:"crisis_resources"`
	ReminderLeads       json.RawMessage `json:"reminder_leads"`
	ChangeCutoffHours   json.RawMessage `json:"change_cutoff_hours"`
	WaitlistHoldMinutes json.RawMessage `json:"waitlist_hold_minutes"`
	RetentionDays       json.RawMessage `json:"retention_days"`
}

const jsonNull = "null"

// patch reads the body into a practice.Patch; a value of the wrong type
// (or null where only retention_days may be null) is a field error.
func (b settingsPatchBody) patch() practice.Patch {
	var p practice.Patch
	bad := map[string]string{}
	str := func(name string, raw json.RawMessage, to **string) {
		if raw == nil {
			return
		}
		var v string
		if string(raw) == jsonNull || json.Unmarshal(raw, &v) != nil {
			bad[name] = "Must be a string."
			return
		}
		*to = &v
	}
	str("name", b.Name, &p.Name)
	str("timezone", b.TimeZone, &p.TimeZone)
	str("address", b.Address, &p.Address)
	str("video_link", b.VideoLink, &p.VideoLink)
	str("sender_name", b.SenderName, &p.SenderName)
	str("crisis_text", b.CrisisText, &p.CrisisText)
	if b.CrisisResources != nil {
		var v []practice.CrisisResource
		dec := json.NewDecoder(bytes.NewReader(b.CrisisResources))
		dec.DisallowUnknownFields()
		if string(b.CrisisResources) == jsonNull || dec.Decode(&v) != nil {
			p.Unreadable("crisis_resources")
		} else {
			p.CrisisResources = &v
		}
	}
	if b.ReminderLeads != nil {
		var v []string
		if string(b.ReminderLeads) == jsonNull || json.Unmarshal(b.ReminderLeads, &v) != nil {
			p.Unreadable("reminder_leads")
		} else {
			p.ReminderLeads = &v
		}
	}
	num := func(name string, raw json.RawMessage, to **int) {
		if raw == nil {
			return
		}
		var v int
		if string(raw) == jsonNull || json.Unmarshal(raw, &v) != nil {
			p.Unreadable(name)
			return
		}
		*to = &v
	}
	num("change_cutoff_hours", b.ChangeCutoffHours, &p.ChangeCutoffHours)
	num("waitlist_hold_minutes", b.WaitlistHoldMinutes, &p.WaitlistHoldMinutes)
	if string(b.RetentionDays) == jsonNull {
		p.ClearRetention = true
	} else {
		num("retention_days", b.RetentionDays, &p.RetentionDays)
	}
	for k, v := range bad {
		if p.Bad == nil {
			p.Bad = map[string]string{}
		}
		p.Bad[k] = v
	}
	return p
}

// Get shows the practice's settings.
func (h *SettingsHandlers) Get(c echo.Context) error {
	st, err := h.svc.Settings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, settingsJSON(st))
}

// Patch changes the settings the body names and shows them all.
func (h *SettingsHandlers) Patch(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	var body settingsPatchBody
	if err := web.DecodeJSON(c, &body); err != nil {
		return err
	}
	st, err := h.svc.UpdateSettings(c.Request().Context(), by, body.patch())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, settingsJSON(st))
}
