package intake_test

import (
	"context"
	"testing"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/intake"
)

// The staff intake page reads a request and its notes with one call, and
// the queue its page and counts with another; each as the account may see.
func TestReviewAndQueue(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	mine := f.submit(t, &f.c1)
	f.submit(t, &f.c2)
	if _, err := f.svc.AddNote(ctx, actor(f.desk), mine, "Called back."); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Review(ctx, actor(f.clin1), mine)
	if err != nil {
		t.Fatal(err)
	}
	if r.Intake.ID != mine || len(r.Notes) != 1 || r.Notes[0].AuthorEmail != f.desk.Email {
		t.Errorf("review %+v", r)
	}
	views := 0
	for _, e := range f.entries(t) {
		if e.Action == audit.IntakeView {
			views++
		}
	}
	if views != 1 {
		t.Errorf("%d view entries, want 1", views)
	}
	if _, err := f.svc.Review(ctx, actor(f.clin2), mine); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("another clinician's review: %v", err)
	}

	q, err := f.svc.Queue(ctx, f.clin1, intake.StaffFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Intakes) != 1 || q.Intakes[0].ID != mine || q.Counts[intake.StatusNew] != 1 {
		t.Errorf("clinician's queue %+v", q)
	}
	q, err = f.svc.Queue(ctx, f.desk, intake.StaffFilter{OpenOnly: true})
	if err != nil || len(q.Intakes) != 2 || q.Counts[intake.StatusNew] != 2 {
		t.Errorf("front desk's queue %+v (%v)", q, err)
	}
}
