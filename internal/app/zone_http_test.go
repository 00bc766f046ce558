package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// Time-zone names enter through the slots query, the intake, a clinician's
// record and hours, and the practice settings; each takes only names
// spelled as in the IANA database (#7.16). Spellings time.LoadLocation
// accepts but the database does not list used to be cached for ever.
var nonCanonicalZones = []string{"America/./New_York", "America//New_York", "america/new_york", "Local", "Factory"}

func TestZoneSpellingsAreRefusedWhereZonesEnter(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	c := newClient(t, fx.a, "192.0.2.50")
	for _, tz := range nonCanonicalZones {
		res := c.get("/api/v1/slots?kind=individual&tz=" + url.QueryEscape(tz))
		if e := decodeError(t, res); res.StatusCode != http.StatusUnprocessableEntity || e.Fields["tz"] == "" {
			t.Errorf("slots tz=%q: %d %+v, want 422 naming tz", tz, res.StatusCode, e)
		}
		res = c.postJSON("/api/v1/intakes", `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":true,"timezone":"`+tz+`"}`)
		if e := decodeError(t, res); res.StatusCode != http.StatusUnprocessableEntity || e.Fields["timezone"] == "" {
			t.Errorf("intake timezone=%q: %d %+v, want 422 naming timezone", tz, res.StatusCode, e)
		}
		res = fx.request(asAdmin, http.MethodPost, "/api/v1/clinicians",
			`{"name":"Dr. Zone","email":"zone@practice.example","offers":["individual"],"timezone":"`+tz+`"}`)
		if e := decodeError(t, res); res.StatusCode != http.StatusUnprocessableEntity || e.Fields["timezone"] == "" {
			t.Errorf("clinician timezone=%q: %d %+v, want 422 naming timezone", tz, res.StatusCode, e)
		}
		res = fx.request(asAdmin, http.MethodPut, "/api/v1/clinicians/"+strconv.FormatInt(fx.clinA, 10)+"/availability",
			`{"timezone":"`+tz+`","slot_minutes":30,"buffer_minutes":0,"min_notice_hours":0,"horizon_days":30,"weekly":[]}`)
		if e := decodeError(t, res); res.StatusCode != http.StatusUnprocessableEntity || e.Fields["timezone"] == "" {
			t.Errorf("availability timezone=%q: %d %+v, want 422 naming timezone", tz, res.StatusCode, e)
		}
	}
	// The canonical spelling still works everywhere.
	if res := c.get("/api/v1/slots?kind=individual&tz=America/New_York"); res.StatusCode != http.StatusOK {
		t.Errorf("slots tz=America/New_York: %d", res.StatusCode)
	}
	if res := c.get("/api/v1/slots?kind=individual&tz=UTC"); res.StatusCode != http.StatusOK {
		t.Errorf("slots tz=UTC: %d", res.StatusCode)
	}
}
