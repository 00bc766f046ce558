package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// A calendar app polls the clinician's feed: HEAD works, unchanged content
// answers 304 to If-None-Match and If-Modified-Since, no cookie is set, and
// the calendar names itself and its refresh interval without posing as an
// iTIP message.
func TestCalendarFeedRevalidates(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	maya := seedClinician(t, a, "Maya Lindqvist", "individual")
	c := newClient(t, a, "192.0.2.33")
	token := newIntakeToken(t, c, "individual", "ann@example.org")
	slot := slotsOf(t, c, "kind=individual&tz=UTC&from="+tomorrow())[0]
	res := c.postJSON("/api/v1/bookings", fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, token, maya.ID, slot.Start))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("book = %d", res.StatusCode)
	}
	var booked struct {
		ManageToken string `json:"manage_token"`
	}
	json.NewDecoder(res.Body).Decode(&booked)
	feed, err := a.Booking.RotateFeedToken(context.Background(), maya.ID)
	if err != nil {
		t.Fatal(err)
	}
	path := "/feeds/" + feed + ".ics"
	request := func(method string, header ...string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res := c.do(req)
		if cookies := res.Header.Values("Set-Cookie"); len(cookies) > 0 {
			t.Errorf("%s %v set cookies %q", method, header, cookies)
		}
		return res
	}

	res = request(http.MethodGet)
	body := readBody(t, res)
	etag, modified := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	if res.StatusCode != http.StatusOK || etag == "" || modified == "" {
		t.Fatalf("GET = %d, ETag %q, Last-Modified %q", res.StatusCode, etag, modified)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q, want private and revalidatable", cc)
	}
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"NAME": "Consultations — Maya Lindqvist", "X-WR-CALNAME": "Consultations — Maya Lindqvist", "X-PUBLISHED-TTL": "PT15M"} {
		if p := cal.Props.Get(name); p == nil || p.Value != want {
			t.Errorf("%s = %+v, want %q", name, p, want)
		}
	}
	if m := cal.Props.Get(ical.PropMethod); m != nil {
		t.Errorf("METHOD:%s on a feed whose events have no ORGANIZER", m.Value)
	}
	if evs := cal.Events(); len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	} else if class, _ := evs[0].Props.Text(ical.PropClass); class != "PRIVATE" {
		t.Errorf("CLASS = %q, want PRIVATE", class)
	}

	res = request(http.MethodHead)
	if b := readBody(t, res); res.StatusCode != http.StatusOK || b != "" || res.Header.Get("ETag") != etag ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("HEAD = %d, ETag %q, Content-Type %q, %d body bytes", res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Content-Type"), len(b))
	}
	for _, h := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", modified}} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			res := request(method, h...)
			if b := readBody(t, res); res.StatusCode != http.StatusNotModified || b != "" {
				t.Errorf("%s with %s = %d (%d bytes), want 304", method, h[0], res.StatusCode, len(b))
			}
		}
	}

	// Cancelling the consultation changes the feed: the old validators no
	// longer match.
	if res := c.do(httptest.NewRequest(http.MethodDelete, "/api/v1/bookings/"+booked.ManageToken, nil)); res.StatusCode != http.StatusOK {
		t.Fatalf("cancel = %d", res.StatusCode)
	}
	for _, h := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", modified}} {
		res := request(http.MethodGet, h...)
		b := readBody(t, res)
		if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag || strings.Contains(b, "BEGIN:VEVENT") {
			t.Errorf("after the cancellation, GET with %s = %d, ETag %q:\n%s", h[0], res.StatusCode, res.Header.Get("ETag"), b)
		}
		if !bytes.Contains([]byte(b), []byte("X-WR-CALNAME")) {
			t.Errorf("after the cancellation the feed is not a calendar:\n%s", b)
		}
	}
}
