package picker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/web/picker"
	"github.com/labstack/echo/v4"
)

// listed is a fixed list of open slots: the picker's input is data.
type listed struct {
	slots    []booking.OpenSlot
	from, to time.Time // the range last asked for
}

var _ picker.Slots = (*listed)(nil)

func (l *listed) Slots(_ context.Context, kind consult.Kind, from, to time.Time) ([]booking.OpenSlot, error) {
	l.from, l.to = from, to
	var out []booking.OpenSlot
	for _, s := range l.slots {
		if !s.Start.Before(from) && s.Start.Before(to) {
			out = append(out, s)
		}
	}
	return out, nil
}

func TestFillGroupsByDayInTheZoneWithTheClientsTimeBeside(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // Monday
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	l := &listed{slots: []booking.OpenSlot{
		{ClinicianID: 1, ClinicianName: "Ana", Start: at("2026-03-03T14:00:00Z")}, // 09:00 in New York
		{ClinicianID: 2, ClinicianName: "Bo", Start: at("2026-03-03T15:00:00Z")},
		{ClinicianID: 1, ClinicianName: "Ana", Start: at("2026-03-04T04:30:00Z")}, // still the 3rd in New York
		{ClinicianID: 1, ClinicianName: "Ana", Start: at("2026-03-05T14:00:00Z")},
	}}
	v := picker.View{Self: "/staff/intakes/7/book", TimeZone: "America/New_York", ClientZone: "Europe/Berlin"}
	if err := v.Fill(context.Background(), l, "individual", "", now); err != nil {
		t.Fatal(err)
	}
	if len(v.Days) != 2 || v.Days[0].Label != "Tuesday, March 3" || len(v.Days[0].Slots) != 3 || v.Days[1].Label != "Thursday, March 5" {
		t.Fatalf("days %+v", v.Days)
	}
	first := v.Days[0].Slots[0]
	if first.Label != "9:00 AM" || first.ClientLabel != "Tue 3:00 PM" || first.Start != "2026-03-03T14:00:00Z" || first.ClinicianName != "Ana" {
		t.Errorf("first slot %+v", first)
	}
	if v.Prev != "" || v.Next != "/staff/intakes/7/book?from=2026-03-16" {
		t.Errorf("paging %q %q", v.Prev, v.Next)
	}

	// The client's own picker keeps their zone in the paging links; a date
	// in the past shows today onwards.
	v = picker.View{Self: "/requests/abc", TimeZone: "Europe/Berlin", ClientChoosesZone: true}
	if err := v.Fill(context.Background(), l, "individual", "2026-01-01", now); err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin); !l.from.Equal(want) || v.Prev != "" {
		t.Errorf("from %v prev %q", l.from, v.Prev)
	}
	want := "/requests/abc?" + url.Values{"from": {"2026-03-16"}, "tz": {"Europe/Berlin"}}.Encode()
	if v.Next != want {
		t.Errorf("next %q, want %q", v.Next, want)
	}
	if v.Days[0].Slots[0].ClientLabel != "" {
		t.Errorf("a client label without a client zone: %+v", v.Days[0].Slots[0])
	}
	v = picker.View{Self: "/requests/abc", TimeZone: "Europe/Berlin", ClientChoosesZone: true}
	if err := v.Fill(context.Background(), l, "individual", "2026-03-16", now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Prev, "from=2026-03-02") {
		t.Errorf("prev %q", v.Prev)
	}
}

func TestChoiceReadsThePostedSlot(t *testing.T) {
	t.Parallel()
	post := func(form url.Values) echo.Context {
		req := httptest.NewRequest(http.MethodPost, "/requests/abc/book", strings.NewReader(form.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		return echo.New().NewContext(req, httptest.NewRecorder())
	}
	good := url.Values{"clinician_id": {"3"}, "start": {"2026-03-03T14:00:00Z"}, "tz": {"Europe/Berlin"}}
	req, err := picker.Choice(post(good), true)
	if err != nil || req.ClinicianID != 3 || !req.Start.Equal(time.Date(2026, 3, 3, 14, 0, 0, 0, time.UTC)) || req.ClientTimeZone != "Europe/Berlin" {
		t.Errorf("client's choice %+v %v", req, err)
	}
	if req, _ := picker.Choice(post(good), false); req.ClientTimeZone != "" {
		t.Errorf("the staff page's zone became the client's: %+v", req)
	}
	for name, form := range map[string]url.Values{
		"no clinician": {"start": {"2026-03-03T14:00:00Z"}},
		"not a number": {"clinician_id": {"x"}, "start": {"2026-03-03T14:00:00Z"}},
		"no time":      {"clinician_id": {"3"}},
		"not a time":   {"clinician_id": {"3"}, "start": {"tomorrow"}},
	} {
		if _, err := picker.Choice(post(form), true); !errors.Is(err, booking.ErrSlotNotOpen) {
			t.Errorf("%s: %v, want slot not open", name, err)
		}
	}
}

func TestRefusedChoicesAreShownOnThePicker(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		err     error
		shown   bool
		booked  bool
		message string
	}{
		{"taken, as the service wraps it", fmt.Errorf("book slot: %w", booking.ErrSlotTaken), true, false, "Someone else booked that time a moment ago. Here are the times that are still open."},
		{"not open", booking.ErrSlotNotOpen, true, false, booking.ErrSlotNotOpen.Message},
		{"already booked", fmt.Errorf("book: %w", booking.ErrAlreadyBooked), true, true, booking.ErrAlreadyBooked.Message},
		{"a conflict that only shares a code keeps its own message", apperr.New(apperr.Conflict, "slot_taken", "Own words."), true, false, "Own words."},
		{"invalid input", apperr.Validation(map[string]string{"start": "bad"}), true, false, "Please check the highlighted fields."},
		{"cancelled", fmt.Errorf("reschedule: %w", booking.ErrCancelled), false, false, ""},
		{"past", booking.ErrPast, false, false, ""},
		{"not found", booking.ErrBookingNotFound, false, false, ""},
		{"internal", errors.New("disk full"), false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, shown := picker.Refused(c.err)
			if shown != c.shown || r.AlreadyBooked != c.booked || r.Message != c.message {
				t.Errorf("Refused = %+v, %v", r, shown)
			}
		})
	}
}
