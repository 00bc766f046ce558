package booking_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/store/storetest"
	webapi "github.com/firststep/firststep/internal/web/api"
	"github.com/labstack/echo/v4"
)

// BenchmarkServiceSlots is one slot listing as the API asks for it — the
// clinicians, their rules and their bookings read from a real database
// (SQLite file, or Postgres when FIRSTSTEP_TEST_POSTGRES_URL is set), then
// the open slots computed — at docs/design.md's target size: 10 clinicians in
// mixed zones, weekdays 09:00–17:00 with 50-minute slots and 10-minute
// buffers, 60 days, 200 existing bookings.
func BenchmarkServiceSlots(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 10, 1, 14, 7, 0, 0, time.UTC)
	svc := benchPractice(b, now)
	from, to := now, now.AddDate(0, 0, 60)
	first, err := svc.Slots(ctx, "individual", from, to)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Slots(ctx, "individual", from, to); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(first)), "slots/op")
}

// BenchmarkSlotsAPI is the same listing through GET /api/v1/slots in the
// client's zone, as a JSON body: the service plus what the handler adds.
func BenchmarkSlotsAPI(b *testing.B) {
	now := time.Date(2026, 10, 1, 14, 7, 0, 0, time.UTC)
	svc := benchPractice(b, now)
	e := echo.New()
	e.GET("/api/v1/slots", webapi.NewBookingHandlers(svc, nil).Slots)
	target := "/api/v1/slots?kind=individual&from=2026-10-01&to=2026-11-29&tz=America/New_York"
	size := 0
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s = %d: %s", target, rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "body-bytes/op")
}

// benchPractice builds the practice of the benchmark at the fixed time now
// and returns its booking service.
func benchPractice(b testing.TB, now time.Time) *booking.Service {
	b.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	db := storetest.New(b)
	intakes := newIntakes(db, clock, bytes.Repeat([]byte{7}, 32))
	svc, err := booking.NewService(db, clock, intakeClients{intakes}, practice.NewService(db, clock),
		booking.Config{BaseURL: "https://book.example.org", FromName: "Riverbend Therapy", FromAddr: "appointments@example.org",
			LinkKey: bytes.Repeat([]byte{7}, 32)}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "09:00", End: "17:00"})
	}
	zones := []string{"America/New_York", "America/Chicago", "Europe/London"}
	var ids []int64
	for i := range 10 {
		offers := []string{"individual"}
		if i%2 == 0 {
			offers = append(offers, "couple")
		}
		zone := zones[i%len(zones)]
		c, err := svc.CreateClinician(ctx, booking.ClinicianInput{Name: fmt.Sprintf("Clinician %02d", i+1),
			Email: fmt.Sprintf("clinician%02d@example.org", i+1), Offers: offers, TimeZone: zone})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: zone, SlotMinutes: 50, BufferMinutes: 10,
			MinNoticeHours: 24, HorizonDays: 60, Weekly: weekly}); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, c.ID)
	}

	open, err := svc.Slots(ctx, "individual", now, now.AddDate(0, 0, 60))
	if err != nil {
		b.Fatal(err)
	}
	byClinician := map[int64][]booking.OpenSlot{}
	for _, s := range open {
		byClinician[s.ClinicianID] = append(byClinician[s.ClinicianID], s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	booked, client := 0, 0
	for _, id := range ids {
		list := byClinician[id]
		n := 0
		var token string
		for _, i := range rng.Perm(len(list)) {
			if n == 20 {
				break
			}
			if token == "" {
				client++
				r, err := intakes.Submit(ctx, intake.Input{Kind: "individual", Name: fmt.Sprintf("Client %d", client),
					Email: fmt.Sprintf("client%d@example.org", client), Consent: true, TimeZone: "America/New_York"})
				if err != nil {
					b.Fatal(err)
				}
				token = r.Token
			}
			_, err := svc.Book(ctx, token, booking.Request{ClinicianID: id, Start: list[i].Start}, nil)
			switch {
			case err == nil:
				n, token = n+1, ""
			case apperr.KindOf(err) == apperr.Conflict || apperr.KindOf(err) == apperr.Invalid:
				// Too close to a booking already made: try another time.
			default:
				b.Fatal(err)
			}
		}
		booked += n
	}
	if booked != 200 {
		b.Fatalf("made %d bookings, want 200", booked)
	}
	return svc
}

// A week's listing through GET /api/v1/slots allocates a bounded number of
// times: the clinicians, rules and bookings read again only after the
// schedule changed, the slots encoded without reflection. A week took 2,214
// allocations when everything was read, parsed and encoded by reflection
// on every request, and 88 now; a regression shows here before it shows in
// the load test.
func TestSlotsListingAllocations(t *testing.T) {
	now := time.Date(2026, 10, 1, 14, 7, 0, 0, time.UTC)
	svc := benchPractice(t, now)
	e := echo.New()
	e.GET("/api/v1/slots", webapi.NewBookingHandlers(svc, nil).Slots)
	target := "/api/v1/slots?kind=individual&from=2026-10-05&to=2026-10-11&tz=America/New_York"
	get := func() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() < 10000 {
			t.Fatalf("GET %s = %d, %d bytes", target, rec.Code, rec.Body.Len())
		}
	}
	get()
	allocs := testing.AllocsPerRun(20, get)
	t.Logf("%.0f allocations per listing", allocs)
	if allocs > 300 {
		t.Errorf("a week's listing took %.0f allocations, want at most 300", allocs)
	}
}
