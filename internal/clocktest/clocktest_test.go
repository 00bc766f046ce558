package clocktest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/clocktest"
)

var t0 = time.Date(2026, 3, 7, 9, 30, 0, 0, time.UTC)

func TestClockStandsStillUntilMoved(t *testing.T) {
	t.Parallel()
	c := clocktest.New(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now = %v, want %v", got, t0)
	}
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("second Now = %v, want %v (the clock moved by itself)", got, t0)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), t0.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance: Now = %v, want %v", got, want)
	}
	later := t0.Add(48 * time.Hour)
	c.Set(later)
	if got := c.Now(); !got.Equal(later) {
		t.Fatalf("after Set: Now = %v, want %v", got, later)
	}
}

func TestTickingClockMovesOnEveryReading(t *testing.T) {
	t.Parallel()
	c := clocktest.Ticking(t0, time.Minute)
	first, second := c.Now(), c.Now()
	if !first.Equal(t0.Add(time.Minute)) || !second.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("readings %v, %v; want one and two minutes after %v", first, second, t0)
	}
}

// TestClockIsSafeAcrossGoroutines is meant for -race: workers read the clock
// while the test moves it, and every reading of a ticking clock is distinct.
func TestClockIsSafeAcrossGoroutines(t *testing.T) {
	t.Parallel()
	c := clocktest.Ticking(t0, time.Second)
	const readers, reads = 8, 100
	seen := make(chan time.Time, readers*reads)
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for range reads {
				seen <- c.Now()
			}
		})
	}
	for range 10 {
		c.Advance(time.Hour)
	}
	wg.Wait()
	close(seen)
	distinct := map[time.Time]bool{}
	for s := range seen {
		distinct[s] = true
	}
	if len(distinct) != readers*reads {
		t.Fatalf("%d distinct readings of %d", len(distinct), readers*reads)
	}
}
