package booking

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"gorm.io/gorm"
)

// scheduleCache keeps what a slot listing reads from the database — the
// clinicians offering a kind, their parsed rules and their bookings over
// the listing's range — together with the schedule version it was read at.
// The version (table schedule_version, migration 0060) is raised by
// triggers in the same transaction as every change to clinicians,
// availabilities and bookings, so a listing that finds it unchanged may
// reuse what it loaded, and one that finds it changed reads everything
// again: a slot booked through any instance or process is gone from the
// very next listing. Only the open-slot computation, which depends on the
// time, runs on every listing.
type scheduleCache struct {
	mu      sync.Mutex
	version int64
	inputs  map[scheduleKey]*scheduleInput
}

type scheduleKey struct {
	kind     consult.Kind
	from, to int64 // Unix seconds of the listing's range
}

// scheduleInput is read-only once built, but for its memo; listings share it.
type scheduleInput struct {
	schedules []schedule.Schedule
	names     map[int64]string

	mu   sync.Mutex
	at   []int64    // the bounds [lo, hi) on slot starts of each schedule that open was computed for
	open []OpenSlot // never modified; callers get copies
}

// openSlots computes the open slots in [from, to) at now. The time enters
// the computation only through each schedule's bounds on slot starts (the
// minimum notice and the horizon, in whole seconds): while they are the
// ones of the last computation, its result is the answer, copied.
func (in *scheduleInput) openSlots(from, to, now time.Time) []OpenSlot {
	at := make([]int64, 0, 2*len(in.schedules))
	for i := range in.schedules {
		lo, hi := schedule.Bounds(&in.schedules[i].Rules, from, to, now)
		at = append(at, lo, hi)
	}
	in.mu.Lock()
	if slices.Equal(at, in.at) {
		out := slices.Clone(in.open)
		in.mu.Unlock()
		return out
	}
	in.mu.Unlock()
	open := schedule.OpenSlots(in.schedules, from, to, now)
	out := make([]OpenSlot, len(open))
	for i, sl := range open {
		out[i] = OpenSlot{ClinicianID: sl.ClinicianID, ClinicianName: in.names[sl.ClinicianID], Start: sl.Start, End: sl.End}
	}
	in.mu.Lock()
	in.at, in.open = at, out
	in.mu.Unlock()
	return slices.Clone(out)
}

// maxScheduleInputs bounds the ranges kept for one version (clients ask
// for a few: today in their zone, two weeks or a month ahead).
const maxScheduleInputs = 64

// scheduleVersion reads the current schedule version.
func scheduleVersion(db *gorm.DB) (int64, error) {
	var v int64
	if err := db.Raw("SELECT version FROM schedule_version WHERE id = 1").Row().Scan(&v); err != nil {
		return 0, fmt.Errorf("read schedule version: %w", err)
	}
	return v, nil
}

// get returns the input for key at version, or nil.
func (c *scheduleCache) get(version int64, key scheduleKey) *scheduleInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		return nil
	}
	return c.inputs[key]
}

// put keeps in for key, read at version. An input read at an older version
// than the one kept is not kept.
func (c *scheduleCache) put(version int64, key scheduleKey, in *scheduleInput) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version || c.inputs == nil || len(c.inputs) >= maxScheduleInputs:
		c.version, c.inputs = version, map[scheduleKey]*scheduleInput{}
	}
	c.inputs[key] = in
}

// scheduleInputs returns the clinicians offering kind, their rules and their
// bookings around [from, to), from the cache when the schedule version has
// not changed since they were read. The version is read before the rest, so
// a change committed in between makes the input newer than its version,
// never older.
func (s *Service) scheduleInputs(ctx context.Context, kind consult.Kind, from, to time.Time) (*scheduleInput, error) {
	db := s.db.WithContext(ctx)
	version, err := scheduleVersion(db)
	if err != nil {
		return nil, err
	}
	key := scheduleKey{kind: kind, from: from.Unix(), to: to.Unix()}
	if in := s.schedules.get(version, key); in != nil {
		return in, nil
	}
	in, err := s.loadScheduleInput(db, kind, from, to)
	if err != nil {
		return nil, err
	}
	s.schedules.put(version, key, in)
	return in, nil
}
