package booking

import (
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"

	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// OpenSlot is an open slot with its clinician's name, for listing.
type OpenSlot struct {
	ClinicianID   int64
	ClinicianName string
	Start, End    time.Time
}

// maxRange bounds one slot listing.
const maxRange = 92 * 24 * time.Hour

// Slots lists the open slots in [from, to) of every active clinician who
// offers kind, sorted by start.
func (s *Service) Slots(ctx context.Context, kind consult.Kind, from, to time.Time) ([]OpenSlot, error) {
	in, err := s.scheduleInputs(ctx, kind, from, to)
	if err != nil {
		return nil, err
	}
	if len(in.schedules) == 0 {
		return nil, nil
	}
	return in.openSlots(from, to, s.now()), nil
}

// loadScheduleInput reads the active clinicians offering kind with their
// rules, in one query (rules unchanged since they were last parsed are not
// parsed again: rulesCache), and their bookings around [from, to).
func (s *Service) loadScheduleInput(db *gorm.DB, kind consult.Kind, from, to time.Time) (*scheduleInput, error) {
	col := "offers_individual"
	if kind == consult.Couple {
		col = "offers_couple"
	}
	rows, err := db.Raw(`SELECT c.id, c.name, a.rules FROM clinicians c JOIN availabilities a ON a.clinician_id = c.id
		WHERE c.active = ? AND c.`+col+` = ? ORDER BY c.id`, true, true).Rows()
	if err != nil {
		return nil, fmt.Errorf("load clinicians: %w", err)
	}
	defer rows.Close()
	in := &scheduleInput{names: map[int64]string{}}
	var ids []int64
	for rows.Next() {
		var (
			id        int64
			name, doc string
		)
		if err := rows.Scan(&id, &name, &doc); err != nil {
			return nil, fmt.Errorf("load clinicians: %w", err)
		}
		a, err := s.rules.parse(id, doc)
		if err != nil {
			return nil, fmt.Errorf("clinician %d: %w", id, err)
		}
		ids, in.names[id] = append(ids, id), name
		in.schedules = append(in.schedules, schedule.Schedule{ClinicianID: id, Rules: a})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load clinicians: %w", err)
	}
	rows.Close()
	if len(ids) == 0 {
		return in, nil
	}
	busy, err := busyIntervals(db, ids, from.Add(-24*time.Hour), to.Add(24*time.Hour), 0)
	if err != nil {
		return nil, err
	}
	for i := range in.schedules {
		in.schedules[i].Busy = busy[in.schedules[i].ClinicianID]
	}
	return in, nil
}

// busyIntervals returns the active bookings of the clinicians that touch
// [from, to), by clinician, leaving out booking except (0 for none).
func busyIntervals(tx *gorm.DB, clinicianIDs []int64, from, to time.Time, except int64) (map[int64][]schedule.Interval, error) {
	rows, err := tx.Raw(`SELECT clinician_id, start_at, end_at FROM bookings
		WHERE clinician_id IN ? AND status = ? AND start_at < ? AND block_end > ? AND id <> ?
		ORDER BY start_at`, clinicianIDs, StatusActive, to.UTC(), from.UTC(), except).Rows()
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	defer rows.Close()
	out := map[int64][]schedule.Interval{}
	for rows.Next() {
		var (
			id         int64
			start, end time.Time
		)
		if err := rows.Scan(&id, &start, &end); err != nil {
			return nil, fmt.Errorf("load bookings: %w", err)
		}
		out[id] = append(out[id], schedule.Interval{Start: start, End: end})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	return out, nil
}
