package intake

import (
	"testing"
	"time"
)

func TestBookingView(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	start := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		b          Booking
		manage     bool
		status     string
		canChange  bool
		clientWhen string
	}{
		{"upcoming, front desk", Booking{Start: start, End: start.Add(time.Hour), ClientTimeZone: "Europe/Berlin"}, true,
			"Booked", true, "Wed, Dec 2, 2026 at 4:00 PM CET (Europe/Berlin)"},
		{"upcoming, clinician", Booking{Start: start, End: start.Add(time.Hour)}, false, "Booked", false, ""},
		{"cancelled", Booking{Start: start, End: start.Add(time.Hour), Cancelled: true}, true, "Cancelled", false, ""},
		{"started", Booking{Start: now.Add(-time.Minute), End: now.Add(time.Hour)}, true, "Past", false, ""},
		{"unknown client zone", Booking{Start: start, End: start.Add(time.Hour), ClientTimeZone: "Mars/Olympus"}, true, "Booked", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := bookingView(c.b, now, ny, c.manage)
			if v.StatusLabel != c.status || v.CanChange != c.canChange || v.ClientWhen != c.clientWhen {
				t.Errorf("got %q, can change %v, client %q; want %q, %v, %q", v.StatusLabel, v.CanChange, v.ClientWhen, c.status, c.canChange, c.clientWhen)
			}
		})
	}
	v := bookingView(Booking{Start: start, End: start.Add(time.Hour), Emails: []Email{
		{Recipients: []string{"a@example.org"}, Status: "failed", Attempts: 1, LastError: "550 5.1.1 No such mailbox"},
		{Recipients: []string{"b@example.org"}, Status: "sent", Attempts: 1},
	}}, now, ny, true)
	if v.When != "Wed, Dec 2, 2026 at 10:00 AM EST" || len(v.Emails) != 2 || v.Emails[0].StatusLabel != "Failed" || v.Emails[1].StatusLabel != "Sent" {
		t.Errorf("view %+v", v)
	}
}
