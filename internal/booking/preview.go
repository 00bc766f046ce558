package booking

import (
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"

	"context"
	"fmt"
	"time"
)

// WeekPreview lists the slots clients can book with a clinician in the week
// (Monday to Sunday, in the zone of the clinician's saved rules) that holds
// weekStart: the saved rules applied to the clinician's bookings, with the
// minimum notice and horizon counted from now, exactly as the slot picker
// offers them. It always returns seven days, Monday first.
func (s *Service) WeekPreview(ctx context.Context, clinicianID int64, weekStart schedule.Date) ([]schedule.Day, error) {
	rules, err := s.Availability(ctx, clinicianID)
	if err != nil {
		return nil, err
	}
	return s.PreviewWeek(ctx, clinicianID, rules, weekStart)
}

// PreviewWeek is WeekPreview for rules that are not saved (yet), so a
// clinician can try a change before making it.
func (s *Service) PreviewWeek(ctx context.Context, clinicianID int64, rules schedule.Availability, weekStart schedule.Date) ([]schedule.Day, error) {
	db := s.db.WithContext(ctx)
	if _, err := loadClinician(db, clinicianID); err != nil {
		return nil, err
	}
	monday := schedule.WeekStart(weekStart)
	loc := rules.Loc()
	from, to := schedule.Midnight(monday, loc), schedule.Midnight(monday.AddDays(7), loc)
	busy, err := busyIntervals(db, []int64{clinicianID}, from.Add(-24*time.Hour), to.Add(24*time.Hour), 0)
	if err != nil {
		return nil, err
	}
	slots := schedule.OpenSlots([]schedule.Schedule{{ClinicianID: clinicianID, Rules: rules, Busy: busy[clinicianID]}}, from, to, s.now())
	return schedule.GroupWeek(monday, slots, loc), nil
}

// Consultation is a clinician's consultation as their staff pages list it:
// when, what kind and whether it still stands — never what the client wrote.
type Consultation struct {
	BookingID  int64
	IntakeID   int64
	Kind       consult.Kind // of the request
	Start, End time.Time
	Status     string // StatusActive or StatusCancelled
}

// maxUpcoming bounds the consultations one page lists.
const maxUpcoming = 100

// Upcoming returns a clinician's consultations that have not ended yet,
// cancelled ones included, soonest first (at most limit, at most 100).
func (s *Service) Upcoming(ctx context.Context, clinicianID int64, limit int) ([]Consultation, error) {
	if limit <= 0 || limit > maxUpcoming {
		limit = maxUpcoming
	}
	db := s.db.WithContext(ctx)
	var rows []bookingRow
	if err := db.Where("clinician_id = ? AND end_at > ?", clinicianID, s.now().UTC()).
		Order("start_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list upcoming consultations: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.IntakeID
	}
	kinds, err := s.intakes.Kinds(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Consultation, len(rows))
	for i, r := range rows {
		out[i] = Consultation{BookingID: r.ID, IntakeID: r.IntakeID, Kind: kinds[r.IntakeID],
			Start: r.StartAt.UTC(), End: r.EndAt.UTC(), Status: r.Status}
	}
	return out, nil
}
