package staff

import (
	"sync"
	"time"
)

// throttle counts failed sign-ins per key ("email:…", "ip:…") and locks a
// key out for a while once it has failed too often.
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

// locked reports whether key is refused at now.
func (t *throttle) locked(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.keys[key]
	return f != nil && now.Before(f.lockedUntil)
}

// fail counts a failure of key at now and locks the key out when it has
// failed limit times within the window.
func (t *throttle) fail(key string, limit int, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	f := t.keys[key]
	if f == nil {
		f = &failures{}
		t.keys[key] = f
	}
	f.at = append(recent(f.at, now.Add(-t.window)), now)
	if len(f.at) >= limit {
		f.lockedUntil = now.Add(t.lockout)
		f.at = nil
	}
}

// reset forgets key's failures (after a successful sign-in).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
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
