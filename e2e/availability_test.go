package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/staff"
)

// hoursPassword is the password of the clinician account of the hours
// journey.
const hoursPassword = "a long enough clinician password"

// HoursWeek reads the week preview of the consultation-hours page: the
// times listed under each weekday.
func (b *Browser) HoursWeek() map[string][]string {
	b.t.Helper()
	return Eval[map[string][]string](b, `(function () {
  const out = {};
  const cells = [...document.querySelectorAll("table.week tbody td")];
  [...document.querySelectorAll("table.week thead th")].forEach((th, i) => {
    out[th.childNodes[0].textContent.trim()] = [...cells[i].querySelectorAll("li")].map(li => li.textContent.trim());
  });
  return out;
})()`)
}

func TestClinicianAddsWednesdayAfternoons(t *testing.T) {
	s := StartServer(t, nil)
	b := NewBrowser(t, s)

	// A clinician with Monday and Tuesday mornings, in UTC so that the
	// week looks the same whatever the date, and an account to sign in.
	ctx := context.Background()
	c, err := s.App.Booking.CreateClinician(ctx, booking.ClinicianInput{Name: "Dr. Robin Hale", Email: "robin@riverbend.test",
		Offers: []string{"individual"}, TimeZone: "UTC"})
	if err != nil {
		t.Fatalf("create clinician: %v", err)
	}
	if _, err := s.App.Booking.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: "UTC", SlotMinutes: 60,
		MinNoticeHours: 1, HorizonDays: 30, Weekly: []schedule.WeeklyWindowInput{
			{Weekday: "monday", Start: "09:00", End: "12:00"},
			{Weekday: "tuesday", Start: "09:00", End: "12:00"},
		}}); err != nil {
		t.Fatalf("set availability: %v", err)
	}
	if _, err := s.App.Staff.Add(ctx, staff.NewAccount{Email: "robin@riverbend.test", Name: "Robin Hale", Password: hoursPassword,
		Role: staff.Clinician, ClinicianID: &c.ID}); err != nil {
		t.Fatalf("add account: %v", err)
	}

	if status := b.Visit("/staff/signin"); status != 200 {
		t.Fatalf("sign-in page: %d", status)
	}
	b.Fill("Email", "robin@riverbend.test")
	b.Fill("Password", hoursPassword)
	if status := b.Press("Sign in"); status != 200 || b.Path() != "/staff" {
		t.Fatalf("after signing in: %d at %s", status, b.Path())
	}

	// Availability, then next week: a whole week that lies ahead.
	if status := b.Follow("Availability"); status != 200 || b.Path() != "/staff/availability" {
		t.Fatalf("Availability: %d at %s", status, b.Path())
	}
	if h := b.Text("main h1"); h != "Your consultation hours" {
		t.Errorf("heading %q", h)
	}
	if status := b.Follow("Next week"); status != 200 {
		t.Fatalf("next week: %d", status)
	}
	before := b.HoursWeek()
	if len(before) != 7 || !slices.Equal(before["Monday"], []string{"09:00", "10:00", "11:00"}) || len(before["Wednesday"]) != 0 {
		t.Fatalf("the week before the change: %v", before)
	}

	// The third row is the first empty one: Wednesday 13:00–15:00.
	if v := b.Value("#f-weekly-2-start"); v != "" {
		t.Fatalf("the third weekly row is not empty: %q", v)
	}
	b.Select("#f-weekly-2-weekday", "Wednesday")
	b.Fill("#f-weekly-2-start", "13:00")
	b.Fill("#f-weekly-2-end", "15:00")
	if status := b.Press("Save hours"); status != 200 || b.Path() != "/staff/availability" {
		t.Fatalf("save: %d at %s", status, b.Path())
	}
	if msg := b.Text("main .success"); !strings.Contains(msg, "saved") {
		t.Errorf("no word that the hours were saved: %q", msg)
	}

	// The same week now lists Wednesday afternoons; the rest is unchanged.
	after := b.HoursWeek()
	if !slices.Equal(after["Wednesday"], []string{"13:00", "14:00"}) {
		t.Errorf("Wednesday after saving: %v", after["Wednesday"])
	}
	for _, d := range []string{"Monday", "Tuesday", "Thursday", "Friday", "Saturday", "Sunday"} {
		if !slices.Equal(after[d], before[d]) {
			t.Errorf("%s changed: %v, was %v", d, after[d], before[d])
		}
	}
	if v := b.Value("#f-weekly-2-weekday"); v != "wednesday" {
		t.Errorf("the saved window shows day %q", v)
	}
}
