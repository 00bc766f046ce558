package intake

import (
	"context"

	"github.com/firststep/firststep/internal/staff"
)

// QueuePage is one page of the staff queue and, for the links above it,
// how many requests match the filter in every respect but status, per
// status.
type QueuePage struct {
	Page
	Counts map[Status]int
}

// Queue is the staff queue as acc may see it: the page f asks for and the
// counts per status.
func (s *Service) Queue(ctx context.Context, acc staff.Account, f StaffFilter) (QueuePage, error) {
	page, err := s.ListPage(ctx, acc, f)
	if err != nil {
		return QueuePage{}, err
	}
	counts, err := s.CountByStatus(ctx, acc, f)
	if err != nil {
		return QueuePage{}, err
	}
	return QueuePage{Page: page, Counts: counts}, nil
}

// Review is a request as staff read it: the intake with the partner's own
// answers, and the notes on it.
type Review struct {
	Intake Intake
	Notes  []Note
}

// Review returns intake id to a staff member who may see it, with its
// notes; the view is recorded (GetForStaff).
func (s *Service) Review(ctx context.Context, by Actor, id int64) (Review, error) {
	in, err := s.GetForStaff(ctx, by, id)
	if err != nil {
		return Review{}, err
	}
	notes, err := s.Notes(ctx, by.Account, id)
	if err != nil {
		return Review{}, err
	}
	return Review{Intake: in, Notes: notes}, nil
}
