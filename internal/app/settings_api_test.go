package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/audit"
)

type settingsBody struct {
	Name                string   `json:"name"`
	Address             string   `json:"address"`
	CrisisText          string   `json:"crisis_text"`
	ReminderLeads       []string `json:"reminder_leads"`
	ChangeCutoffHours   int      `json:"change_cutoff_hours"`
	WaitlistHoldMinutes int      `json:"waitlist_hold_minutes"`
	RetentionDays       *int     `json:"retention_days"`
}

type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func decodeBody(t *testing.T, res *http.Response, v any) {
	t.Helper()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// The settings API: the defaults, a PATCH that changes only what it sends
// (null clears the retention), a field error for each wrong value, and an
// audit entry for each change, naming what changed.
func TestSettingsAPI(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	res := fx.request(asAdmin, "GET", "/api/v1/settings", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET settings: %d", res.StatusCode)
	}
	var st settingsBody
	decodeBody(t, res, &st)
	if !reflect.DeepEqual(st.ReminderLeads, []string{"24h", "2h"}) || st.ChangeCutoffHours != 24 || st.WaitlistHoldMinutes != 60 ||
		st.RetentionDays != nil || st.CrisisText == "" {
		t.Fatalf("defaults %+v", st)
	}

	before := fx.lastEntryID()
	res = fx.request(asAdmin, "PATCH", "/api/v1/settings",
		`{"address":"1 River Rd","reminder_leads":["30m","48h","90m"],"change_cutoff_hours":0,"retention_days":365}`)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PATCH: %d", res.StatusCode)
	}
	var got settingsBody
	decodeBody(t, res, &got)
	want := st
	want.Address, want.ReminderLeads, want.ChangeCutoffHours, want.RetentionDays = "1 River Rd", []string{"48h", "1h30m", "30m"}, 0, ptr(365)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after PATCH %+v, want %+v", got, want)
	}
	e := fx.expectOneEntry(t, before, fx.accounts[asAdmin], audit.SettingsUpdate, audit.TypeSettings, "1", "River")
	if e.Detail != "changed address, reminder_leads, change_cutoff_hours, retention_days" {
		t.Errorf("audit detail %q", e.Detail)
	}
	stored, err := fx.a.Practice.Get(context.Background())
	if err != nil || stored.ChangeCutoff() != 0 || stored.Address != "1 River Rd" || len(stored.ReminderLeads) != 3 ||
		stored.ReminderLeads[1] != 90*time.Minute {
		t.Errorf("stored %+v, %v", stored, err)
	}

	// null keeps requests again; nothing else moves.
	before = fx.lastEntryID()
	res = fx.request(asAdmin, "PATCH", "/api/v1/settings", `{"retention_days":null}`)
	decodeBody(t, res, &got)
	want.RetentionDays = nil
	if res.StatusCode != http.StatusOK || !reflect.DeepEqual(got, want) {
		t.Fatalf("after clearing retention %d %+v", res.StatusCode, got)
	}
	fx.expectOneEntry(t, before, fx.accounts[asAdmin], audit.SettingsUpdate, audit.TypeSettings, "1")
	// A PATCH that changes nothing records nothing.
	before = fx.lastEntryID()
	if res := fx.request(asAdmin, "PATCH", "/api/v1/settings", `{"change_cutoff_hours":0}`); res.StatusCode != http.StatusOK {
		t.Fatalf("same value: %d", res.StatusCode)
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("an unchanged PATCH wrote %d audit entries", n)
	}

	bad := []struct {
		name, body, field string
	}{
		{"lead not a duration", `{"reminder_leads":["a day"]}`, "reminder_leads"},
		{"lead zero", `{"reminder_leads":["0s"]}`, "reminder_leads"},
		{"lead negative", `{"reminder_leads":["-2h"]}`, "reminder_leads"},
		{"lead over 30 days", `{"reminder_leads":["721h"]}`, "reminder_leads"},
		{"lead twice", `{"reminder_leads":["1h","60m"]}`, "reminder_leads"},
		{"leads not a list", `{"reminder_leads":"24h"}`, "reminder_leads"},
		{"leads null", `{"reminder_leads":null}`, "reminder_leads"},
		{"cutoff negative", `{"change_cutoff_hours":-1}`, "change_cutoff_hours"},
		{"cutoff over 720", `{"change_cutoff_hours":721}`, "change_cutoff_hours"},
		{"cutoff not a number", `{"change_cutoff_hours":"24"}`, "change_cutoff_hours"},
		{"cutoff a fraction", `{"change_cutoff_hours":1.5}`, "change_cutoff_hours"},
		{"hold under 5", `{"waitlist_hold_minutes":4}`, "waitlist_hold_minutes"},
		{"hold over a day", `{"waitlist_hold_minutes":1441}`, "waitlist_hold_minutes"},
		{"hold null", `{"waitlist_hold_minutes":null}`, "waitlist_hold_minutes"},
		{"retention 0", `{"retention_days":0}`, "retention_days"},
		{"retention over ten years", `{"retention_days":3651}`, "retention_days"},
		{"no name", `{"name":" "}`, "name"},
		{"name null", `{"name":null}`, "name"},
		{"bad zone", `{"timezone":"Mars/Base"}`, "timezone"},
		{"plain http video", `{"video_link":"http://video"}`, "video_link"},
		{"crisis line without a number", `{"crisis_resources":[{"label":"X"}]}`, "crisis_phone_0"},
	}
	before = fx.lastEntryID()
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			res := fx.request(asAdmin, "PATCH", "/api/v1/settings", c.body)
			var eb errorBody
			decodeBody(t, res, &eb)
			if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields[c.field] == "" {
				t.Errorf("%s: %d %+v, want 422 with fields.%s", c.body, res.StatusCode, eb, c.field)
			}
		})
	}
	// Two wrong fields: both named, neither saved.
	res = fx.request(asAdmin, "PATCH", "/api/v1/settings", `{"change_cutoff_hours":"soon","waitlist_hold_minutes":2,"address":"2 Elm St"}`)
	var eb errorBody
	decodeBody(t, res, &eb)
	if res.StatusCode != http.StatusUnprocessableEntity || eb.Error.Fields["change_cutoff_hours"] == "" || eb.Error.Fields["waitlist_hold_minutes"] == "" {
		t.Errorf("two wrong fields: %d %+v", res.StatusCode, eb)
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused changes wrote %d audit entries", n)
	}
	if now, _ := fx.a.Practice.Get(context.Background()); now.Address != "1 River Rd" {
		t.Errorf("a refused PATCH changed the address to %q", now.Address)
	}
	if res := fx.request(asAdmin, "PATCH", "/api/v1/settings", `{"reminder_lead":["1h"]}`); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown field: %d, want 400", res.StatusCode)
	}
}

func ptr[T any](v T) *T { return &v }

// The admin page edits the policy too; a value that is not a number comes
// back as typed, with its message, and nothing is saved.
func TestAdminSettingsPagePolicy(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	doc := parseHTML(t, fx.request(asAdmin, "GET", "/staff/admin/settings", ""))
	if valueOf(doc, "reminder_leads") != "24h, 2h" || valueOf(doc, "change_cutoff_hours") != "24" ||
		valueOf(doc, "waitlist_hold_minutes") != "60" || valueOf(doc, "retention_days") != "" {
		t.Fatalf("policy shown: %q %q %q %q", valueOf(doc, "reminder_leads"), valueOf(doc, "change_cutoff_hours"),
			valueOf(doc, "waitlist_hold_minutes"), valueOf(doc, "retention_days"))
	}
	// The crisis rows' labels read as words (not a Go name left in them).
	if page := textOf(doc); !strings.Contains(page, "Number to text") || !strings.Contains(page, "Word to text") || strings.Contains(page, "adminText") {
		t.Error("the crisis rows' labels are not \"Number to text\" and \"Word to text\"")
	}
	form := settingsForm()
	form.Set("reminder_leads", "2h, a day")
	form.Set("change_cutoff_hours", "twelve")
	form.Set("waitlist_hold_minutes", "3")
	form.Set("retention_days", "90")
	before := fx.lastEntryID()
	res := fx.request(asAdmin, "POST", "/staff/admin/settings", form.Encode())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad policy: %d", res.StatusCode)
	}
	doc = parseHTML(t, res)
	for _, f := range []string{"reminder_leads", "change_cutoff_hours", "waitlist_hold_minutes"} {
		if fieldError(doc, f) == "" {
			t.Errorf("no message next to %s", f)
		}
	}
	if valueOf(doc, "reminder_leads") != "2h, a day" || valueOf(doc, "change_cutoff_hours") != "twelve" ||
		valueOf(doc, "waitlist_hold_minutes") != "3" || valueOf(doc, "retention_days") != "90" || valueOf(doc, "address") != "1 River Rd" {
		t.Error("typed values not kept")
	}
	if n := len(fx.entriesSince(before)); n != 0 {
		t.Errorf("refused settings wrote %d entries", n)
	}

	form.Set("reminder_leads", "2h 72h")
	form.Set("change_cutoff_hours", "12")
	form.Set("waitlist_hold_minutes", "30")
	res = fx.request(asAdmin, "POST", "/staff/admin/settings", form.Encode())
	expectRedirect(t, res, "/staff/admin/settings?saved=1")
	st, err := fx.a.Practice.Get(context.Background())
	if err != nil || !reflect.DeepEqual(st.ReminderLeads, []time.Duration{72 * time.Hour, 2 * time.Hour}) || st.ChangeCutoffHours != 12 ||
		st.WaitlistHoldMinutes != 30 || st.RetentionDays == nil || *st.RetentionDays != 90 {
		t.Fatalf("saved %+v, %v", st, err)
	}
	// Emptying the retention keeps requests again.
	form.Set("retention_days", " ")
	expectRedirect(t, fx.request(asAdmin, "POST", "/staff/admin/settings", form.Encode()), "/staff/admin/settings?saved=1")
	if st, _ := fx.a.Practice.Get(context.Background()); st.RetentionDays != nil {
		t.Errorf("retention %d after emptying it", *st.RetentionDays)
	}
}
