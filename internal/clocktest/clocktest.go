// Package clocktest is the one fake clock of Firststep's tests. Services take
// their time as a `func() time.Time`; tests pass a Clock's Now and move the
// clock by hand, so timeouts, backoff and ordering are exact and no test
// waits for real time to pass.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a goroutine-safe fake clock. It stands still until the test moves
// it with Advance or Set, unless it was made with a step (see Ticking).
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

// New returns a clock that reads t0 until it is moved.
func New(t0 time.Time) *Clock {
	return &Clock{now: t0}
}

// Ticking returns a clock that moves step forward on every reading, the first
// reading being t0+step, so that records stored one after another get
// distinct, ordered times.
func Ticking(t0 time.Time, step time.Duration) *Clock {
	return &Clock{now: t0, step: step}
}

// Now reads the clock; pass it where a service takes `func() time.Time`.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// Advance moves the clock d forward (or back, when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
