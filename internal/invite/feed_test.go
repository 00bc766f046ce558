package invite

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

func TestEncodeFeedParsesBackWithEveryEvent(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	revised := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	events := []FeedEvent{
		{UID: "a@x", Revised: revised, Start: start, End: start.Add(30 * time.Minute), Summary: "Consultation — Riverbend, Therapy", Description: strings.Repeat("long ", 40)},
		{UID: "b@x", Sequence: 2, Start: start.Add(time.Hour), End: start.Add(90 * time.Minute), Summary: "Consultation", Location: "https://video.example/r",
			URL: "https://riverbend.example/staff/intakes/7", Conference: "https://video.example/r"},
	}
	raw, err := EncodeFeed("Consultations — Dr. Lindqvist", start, events)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	got := cal.Events()
	if len(got) != 2 {
		t.Fatalf("events = %d, want 2", len(got))
	}
	if s, _ := got[0].Props.Text(ical.PropSummary); s != "Consultation — Riverbend, Therapy" {
		t.Errorf("summary = %q", s)
	}
	for i, ev := range got {
		if c, _ := ev.Props.Text(ical.PropClass); c != "PRIVATE" {
			t.Errorf("event %d CLASS = %q, want PRIVATE", i, c)
		}
	}
	if u, err := got[1].Props.URI(ical.PropURL); err != nil || u == nil || u.String() != "https://riverbend.example/staff/intakes/7" {
		t.Errorf("URL = %v, %v", u, err)
	}
	if c := got[1].Props.Get(propConference); c == nil || c.Value != "https://video.example/r" || c.Params.Get(ical.ParamValue) != "URI" || c.Params.Get(paramFeature) != "VIDEO" {
		t.Errorf("CONFERENCE = %+v", c)
	}
	if c := got[0].Props.Get(propConference); c != nil {
		t.Errorf("an event without a video link has CONFERENCE %q", c.Value)
	}
	if d, _ := got[1].DateTimeStart(time.UTC); !d.Equal(start.Add(time.Hour)) {
		t.Errorf("second start = %v", d)
	}
	// Not an iTIP message: no METHOD (which would need an ORGANIZER).
	if m := cal.Props.Get(ical.PropMethod); m != nil {
		t.Errorf("METHOD = %q, want none", m.Value)
	}
	for name, want := range map[string]string{
		propName:                 "Consultations — Dr. Lindqvist",
		"X-WR-CALNAME":           "Consultations — Dr. Lindqvist",
		"X-PUBLISHED-TTL":        "PT15M",
		ical.PropRefreshInterval: "PT15M",
	} {
		if p := cal.Props.Get(name); p == nil || p.Value != want {
			t.Errorf("%s = %+v, want %q", name, p, want)
		}
	}
	if d, _ := got[0].Props.DateTime(ical.PropDateTimeStamp, time.UTC); !d.Equal(revised) {
		t.Errorf("DTSTAMP = %v, want the event's last revision %v", d, revised)
	}
	if d, _ := got[1].Props.DateTime(ical.PropDateTimeStamp, time.UTC); !d.Equal(start) {
		t.Errorf("DTSTAMP without a revision = %v, want the feed's stamp %v", d, start)
	}
	again, err := EncodeFeed("Consultations — Dr. Lindqvist", start, events)
	if err != nil || !bytes.Equal(raw, again) {
		t.Error("the same events do not give the same bytes")
	}
	if _, err := EncodeFeed("x", start, []FeedEvent{{UID: "", Start: start, End: start}}); err == nil {
		t.Error("an event without UID was accepted")
	}
}

func TestEncodeFeedWithoutEventsIsAnEmptyCalendar(t *testing.T) {
	t.Parallel()
	raw, err := EncodeFeed("Consultations — Dr. Lindqvist", time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cal.Events()); n != 0 {
		t.Errorf("events = %d, want none", n)
	}
	if !strings.HasSuffix(string(raw), "END:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
		t.Errorf("not a CRLF calendar:\n%s", raw)
	}
}
