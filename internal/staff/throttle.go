package staff

import (
	"sync"
	"time"
)

// throttle counts password attempts per key ("email:…", "ip:…",
// "account:…") and locks a key out for a while once it has tried too often.
//
// An attempt is counted before its password is checked, in the same step
// as the check of the lock-out (attempt): counting after the check let a
// burst of concurrent guesses all pass the check before any of them was
// counted, so the right password inside the burst got through. A success
// then takes back its own attempt (forgive), never the wrong ones around it:
// however a burst interleaves, at most the limit of wrong guesses is ever
// checked within the window.
//
// The counters live in memory behind a mutex rather than in the database:
// they matter for minutes only, checking them must not add a write to every
// failed attempt, and keeping them out of the database means an address
// someone mistyped (perhaps a client's) is never stored. The cost is that a
// restart forgets them and each instance of a multi-instance deployment
// counts on its own; bcrypt (about a quarter second per attempt) still
// bounds guessing, and the audit log keeps every failure.
type throttle struct {
	window  time.Duration // failures older than this are forgotten
	lockout time.Duration // how long a key is refused once over its limit

	mu        sync.Mutex
	keys      map[string]*failures
	lastSweep time.Time
}

type failures struct {
	at          []time.Time // within window, oldest first
	lockedUntil time.Time
}

func newThrottle(window, lockout time.Duration) *throttle {
	return &throttle{window: window, lockout: lockout, keys: map[string]*failures{}}
}

// limit is how many attempts a kind of key may make within the window.
type limit struct {
	key string
	max int
}

// attempt counts one attempt at now against every key, unless one of them
// is locked out, and reports whether the attempt may go ahead. A key that
// reaches its limit is locked out: the attempt that reached it goes ahead,
// every later one is refused until the lock-out ends. Checking and
// counting happen under one lock, so concurrent attempts cannot slip past
// the limit together.
func (t *throttle) attempt(now time.Time, keys ...limit) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	for _, k := range keys {
		if f := t.keys[k.key]; f != nil && now.Before(f.lockedUntil) {
			return false
		}
	}
	for _, k := range keys {
		f := t.keys[k.key]
		if f == nil {
			f = &failures{}
			t.keys[k.key] = f
		}
		f.at = append(recent(f.at, now.Add(-t.window)), now)
		if len(f.at) >= k.max {
			f.lockedUntil = now.Add(t.lockout)
			f.at = nil
		}
	}
	return true
}

// forgive takes back one attempt of key that turned out to be right, so
// that colleagues signing in from one address do not use up its allowance.
func (t *throttle) forgive(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.keys[key]; f != nil && len(f.at) > 0 {
		f.at = f.at[:len(f.at)-1]
	}
}

// sweep drops keys with nothing left to remember, at most once a minute,
// so the map cannot grow without bound. t.mu is held.
func (t *throttle) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < time.Minute {
		return
	}
	t.lastSweep = now
	since := now.Add(-t.window)
	for k, f := range t.keys {
		f.at = recent(f.at, since)
		if len(f.at) == 0 && !now.Before(f.lockedUntil) {
			delete(t.keys, k)
		}
	}
}

func recent(at []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(at) && !at[i].After(since) {
		i++
	}
	return at[i:]
}
