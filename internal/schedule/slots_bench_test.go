package schedule

import (
	"math/rand/v2"
	"testing"
	"time"
)

// benchSchedules is the listing of docs/design.md's target: 10 clinicians over 60
// days, weekdays 09:00–17:00 with 50-minute slots and 10-minute buffers, and
// 200 existing bookings spread among them. Zones are mixed, and the range
// crosses the autumn clock changes, as a real listing would.
func benchSchedules(b *testing.B) (schedules []Schedule, from, to, now time.Time) {
	zones := []string{"America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "America/New_York"}
	now = time.Date(2026, 10, 1, 14, 7, 0, 0, time.UTC)
	from, to = now, now.AddDate(0, 0, 60)
	rng := rand.New(rand.NewPCG(1, 2))
	for c := range 10 {
		r := rules(b, zones[c%len(zones)], 50, 10, weekdays("09:00-17:00")...)
		r.Horizon = 90 * 24 * time.Hour
		r.MinNotice = 24 * time.Hour
		s := Schedule{ClinicianID: int64(c + 1), Rules: r}
		for range 20 {
			day := now.In(r.Location).AddDate(0, 0, 1+rng.IntN(59))
			y, m, d := day.Date()
			start := time.Date(y, m, d, 9+rng.IntN(8), 0, 0, 0, r.Location)
			s.Busy = append(s.Busy, Interval{start, start.Add(50 * time.Minute)})
		}
		schedules = append(schedules, s)
	}
	return schedules, from, to, now
}

func BenchmarkOpenSlots(b *testing.B) {
	schedules, from, to, now := benchSchedules(b)
	n := len(OpenSlots(schedules, from, to, now))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		OpenSlots(schedules, from, to, now)
	}
	b.ReportMetric(float64(n), "slots/op")
}
