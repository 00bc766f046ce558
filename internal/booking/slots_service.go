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
	db := s.db.WithContext(ctx)
	col := "offers_individual"
	if kind == consult.Couple {
		col = "offers_couple"
	}
	var clinicians []clinicianRow
	if err := db.Where("active = ? AND "+col+" = ?", true, true).Order("id").Find(&clinicians).Error; err != nil {
		return nil, fmt.Errorf("load clinicians: %w", err)
	}
	if len(clinicians) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(clinicians))
	names := make(map[int64]string, len(clinicians))
	for i, c := range clinicians {
		ids[i], names[c.ID] = c.ID, c.Name
	}
	var rules []availabilityRow
	if err := db.Where("clinician_id IN ?", ids).Order("clinician_id").Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("load availability: %w", err)
	}
	busy, err := busyIntervals(db, ids, from.Add(-24*time.Hour), to.Add(24*time.Hour), 0)
	if err != nil {
		return nil, err
	}
	schedules := make([]schedule.Schedule, 0, len(rules))
	for _, r := range rules {
		a, err := parseRules(r.Rules)
		if err != nil {
			return nil, fmt.Errorf("clinician %d: %w", r.ClinicianID, err)
		}
		schedules = append(schedules, schedule.Schedule{ClinicianID: r.ClinicianID, Rules: a, Busy: busy[r.ClinicianID]})
	}
	open := schedule.OpenSlots(schedules, from, to, s.now())
	out := make([]OpenSlot, len(open))
	for i, sl := range open {
		out[i] = OpenSlot{ClinicianID: sl.ClinicianID, ClinicianName: names[sl.ClinicianID], Start: sl.Start, End: sl.End}
	}
	return out, nil
}

// busyIntervals returns the active bookings of the clinicians that touch
// [from, to), by clinician, leaving out booking except (0 for none).
func busyIntervals(tx *gorm.DB, clinicianIDs []int64, from, to time.Time, except int64) (map[int64][]schedule.Interval, error) {
	var rows []bookingRow
	err := tx.Select("id, clinician_id, start_at, end_at").
		Where("clinician_id IN ? AND status = ? AND start_at < ? AND block_end > ? AND id <> ?",
			clinicianIDs, StatusActive, to.UTC(), from.UTC(), except).
		Order("start_at").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load bookings: %w", err)
	}
	out := map[int64][]schedule.Interval{}
	for _, r := range rows {
		out[r.ClinicianID] = append(out[r.ClinicianID], schedule.Interval{Start: r.StartAt, End: r.EndAt})
	}
	return out, nil
}
