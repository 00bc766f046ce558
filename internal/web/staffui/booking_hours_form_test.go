package staffui_test

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web/staffui"
)

func TestAvailabilityFormKeysErrorsByPageRow(t *testing.T) {
	t.Parallel()
	base := func(extra map[string]string) url.Values {
		v := url.Values{"timezone": {"America/New_York"}, "slot_minutes": {"50"}, "buffer_minutes": {"10"},
			"min_notice_hours": {"24"}, "horizon_days": {"60"}}
		for k, s := range extra {
			v.Set(k, s)
		}
		return v
	}
	cases := []struct {
		name       string
		form       url.Values
		wantErrs   []string // keys of the page's rows
		wantWeekly int      // windows in the rules when valid
	}{
		{
			name: "empty rows are left out",
			form: base(map[string]string{
				"weekly[0].weekday": "monday", "weekly[0].start": "09:00", "weekly[0].end": "12:00",
				"weekly[1].weekday": "tuesday", // a day alone is no window
				"weekly[2].weekday": "", "weekly[2].start": "", "weekly[2].end": "",
				"weekly[3].weekday": "friday", "weekly[3].start": "9:30", "weekly[3].end": "11:00",
				"exceptions[0].date": "",
			}),
			wantWeekly: 2,
		},
		{
			name: "an error after an empty row stays on its row",
			form: base(map[string]string{
				"weekly[0].weekday": "monday", "weekly[0].start": "09:00", "weekly[0].end": "12:00",
				"weekly[2].weekday": "tuesday", "weekly[2].start": "15:00", "weekly[2].end": "13:00",
				"exceptions[1].date": "2026-02-30", "exceptions[1].closed": "yes",
			}),
			wantErrs: []string{"exceptions[1].date", "weekly[2].end"},
		},
		{
			name: "an overlap is reported on the later row",
			form: base(map[string]string{
				"weekly[1].weekday": "monday", "weekly[1].start": "09:00", "weekly[1].end": "12:00",
				"weekly[4].weekday": "monday", "weekly[4].start": "11:00", "weekly[4].end": "13:00",
			}),
			wantErrs: []string{"weekly[4].start"},
		},
		{
			name:     "numbers that are not numbers keep their own message",
			form:     base(map[string]string{"slot_minutes": "fifty", "horizon_days": "", "timezone": "Mars/Olympus"}),
			wantErrs: []string{"horizon_days", "slot_minutes", "timezone"},
		},
		{
			name:     "a closed day with hours, and hours without a date",
			form:     base(map[string]string{"exceptions[0].date": "2026-12-24", "exceptions[0].closed": "yes", "exceptions[0].start": "10:00", "exceptions[3].start": "10:00", "exceptions[3].end": "11:00"}),
			wantErrs: []string{"exceptions[0].closed", "exceptions[3].date"},
		},
		{
			name: "row names the page never sends are ignored",
			form: base(map[string]string{"weekly[x].start": "09:00", "weekly[-1].start": "09:00", "weekly[99999999999999999999].end": "10:00",
				"weekly[0].weekday": "monday", "weekly[0].start": " 09:00 ", "weekly[0].end": "10:00", "weekly[0].colour": "red",
				"exceptions[0].date": "2026-12-24", "exceptions[0].closed": "on", "_csrf": "token", "intent": "preview"}),
			wantWeekly: 1,
		},
		{
			name: "row numbers beyond the page are ignored",
			form: base(map[string]string{"weekly[9999].weekday": "monday", "weekly[9999].start": "09:00", "weekly[9999].end": "10:00",
				"weekly[0].weekday": "monday", "weekly[0].start": "09:00", "weekly[0].end": "10:00"}),
			wantWeekly: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := staffui.ParseAvailabilityForm(c.form)
			rules, err := f.Parse()
			if c.wantErrs == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v %v", err, f.Errors)
				}
				if len(rules.Weekly) != c.wantWeekly {
					t.Errorf("%d windows, want %d", len(rules.Weekly), c.wantWeekly)
				}
				return
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error %v, want invalid", err)
			}
			got := slices.Sorted(maps.Keys(f.Errors))
			if !slices.Equal(got, c.wantErrs) {
				t.Errorf("errors on %v, want %v (%v)", got, c.wantErrs, f.Errors)
			}
			if !slices.Equal(slices.Sorted(maps.Keys(apperr.FieldsOf(err))), got) {
				t.Errorf("the returned error is keyed otherwise: %v", apperr.FieldsOf(err))
			}
			// The summary lists every message, each pointing at its field.
			summary := f.Summary()
			if len(summary) != len(got) {
				t.Errorf("summary %v", summary)
			}
			for _, m := range summary {
				if !strings.HasPrefix(m.ID, "f-") || strings.ContainsAny(m.ID, "[].") || m.Message == "" {
					t.Errorf("summary entry %+v", m)
				}
			}
		})
	}
}

func TestAvailabilityFormShowsTheRulesItWasMadeFrom(t *testing.T) {
	t.Parallel()
	in := schedule.AvailabilityInput{TimeZone: "Europe/London", SlotMinutes: 45, BufferMinutes: 15, MinNoticeHours: 12, HorizonDays: 30,
		Weekly:     []schedule.WeeklyWindowInput{{Weekday: "monday", Start: "09:00", End: "12:00"}},
		Exceptions: []schedule.ExceptionInput{{Date: "2026-12-24", Closed: true}, {Date: "2026-12-28", Start: "13:00", End: "15:00"}}}
	f := staffui.NewAvailabilityForm(in, 3, 2)
	if len(f.Weekly) != 4 || len(f.Exceptions) != 4 || !f.Weekly[3].Empty() || !f.Exceptions[2].Empty() {
		t.Fatalf("rows: %+v %+v", f.Weekly, f.Exceptions)
	}
	v := url.Values{"timezone": {f.TimeZone}, "slot_minutes": {f.SlotMinutes}, "buffer_minutes": {f.BufferMinutes},
		"min_notice_hours": {f.MinNoticeHours}, "horizon_days": {f.HorizonDays},
		"weekly[0].weekday": {f.Weekly[0].Weekday}, "weekly[0].start": {f.Weekly[0].Start}, "weekly[0].end": {f.Weekly[0].End},
		"exceptions[0].date": {f.Exceptions[0].Date}, "exceptions[0].closed": {"yes"},
		"exceptions[1].date": {f.Exceptions[1].Date}, "exceptions[1].start": {f.Exceptions[1].Start}, "exceptions[1].end": {f.Exceptions[1].End}}
	back := staffui.ParseAvailabilityForm(v)
	got, _, _, errs := back.Input()
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want, _ := in.Parse()
	parsed, err := got.Parse()
	if err != nil || parsed.Slot != want.Slot || parsed.Buffer != want.Buffer || parsed.MinNotice != want.MinNotice ||
		parsed.Horizon != want.Horizon || !slices.Equal(parsed.Weekly, want.Weekly) || !slices.Equal(parsed.Exceptions, want.Exceptions) {
		t.Errorf("round trip: %+v, %v", parsed, err)
	}
}
