package intake_test

import (
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/intake"
)

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	const (
		nw   = intake.StatusNew
		rev  = intake.StatusInReview
		book = intake.StatusConsultBooked
		acc  = intake.StatusAccepted
		ref  = intake.StatusReferredOut
		dec  = intake.StatusDeclined
		cls  = intake.StatusClosed
	)
	cases := []struct {
		from, to intake.Status
		ok       bool
	}{
		{nw, rev, true},
		{nw, book, true},
		{nw, ref, true},
		{nw, dec, true},
		{nw, cls, true},
		{nw, acc, false},
		{nw, nw, false},
		{rev, book, true},
		{rev, acc, true},
		{rev, ref, true},
		{rev, dec, true},
		{rev, cls, true},
		{rev, nw, false},
		{book, acc, true},
		{book, ref, true},
		{book, dec, true},
		{book, cls, true},
		{book, rev, true},
		{book, nw, false},
		{acc, cls, true},
		{acc, rev, false},
		{acc, dec, false},
		{ref, cls, true},
		{ref, acc, false},
		{dec, cls, true},
		{dec, acc, false},
		{cls, rev, true},
		{cls, nw, false},
		{cls, acc, false},
		{nw, "archived", false},
		{nw, "", false},
		{"bogus", rev, false},
	}
	for _, c := range cases {
		t.Run(string(c.from)+"→"+string(c.to), func(t *testing.T) {
			t.Parallel()
			err := intake.CheckTransition(c.from, c.to)
			if c.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !c.ok {
				if err == nil {
					t.Fatal("allowed")
				}
				if apperr.KindOf(err) != apperr.Invalid || apperr.FieldsOf(err)["status"] == "" {
					t.Errorf("error %v, want an invalid status field", err)
				}
			}
		})
	}
}

func TestNextStatusesMatchCheckTransition(t *testing.T) {
	t.Parallel()
	for _, from := range intake.Statuses {
		next := map[intake.Status]bool{}
		for _, s := range intake.NextStatuses(intake.Status(from.Value)) {
			next[s] = true
		}
		if len(next) == 0 {
			t.Errorf("%s is a dead end", from.Value)
		}
		for _, to := range intake.Statuses {
			allowed := intake.CheckTransition(intake.Status(from.Value), intake.Status(to.Value)) == nil
			if allowed != next[intake.Status(to.Value)] {
				t.Errorf("%s → %s: NextStatuses says %v, CheckTransition says %v", from.Value, to.Value, next[intake.Status(to.Value)], allowed)
			}
		}
	}
}

func TestParseQueueQuery(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	f, errs := intake.ParseQueueQuery(intake.QueueQuery{Status: "in_review", Kind: "couple", Clinician: "4", From: "2026-03-01", To: "2026-03-07"}, loc)
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	if f.Status != intake.StatusInReview || f.Kind != intake.Couple || f.ClinicianID != 4 || f.Unassigned {
		t.Errorf("filter %+v", f)
	}
	if got := f.From.UTC().Format("2006-01-02 15:04"); got != "2026-03-01 05:00" {
		t.Errorf("from = %s UTC, want the start of the day in New York", got)
	}
	if got := f.To.UTC().Format("2006-01-02 15:04"); got != "2026-03-08 05:00" {
		t.Errorf("to = %s UTC, want the end of the last day in New York", got)
	}

	f, errs = intake.ParseQueueQuery(intake.QueueQuery{Clinician: "none"}, loc)
	if len(errs) != 0 || !f.Unassigned || f.ClinicianID != 0 {
		t.Errorf("unassigned: %+v %v", f, errs)
	}

	f, errs = intake.ParseQueueQuery(intake.QueueQuery{Status: "gone", Kind: "family", Clinician: "x", From: "03/01/2026", To: "2026-02-30"}, loc)
	for _, field := range []string{"status", "kind", "clinician", "from", "to"} {
		if errs[field] == "" {
			t.Errorf("no message for %s", field)
		}
	}
	if f.Status != "" || f.Kind != "" || f.ClinicianID != 0 || !f.From.IsZero() || !f.To.IsZero() {
		t.Errorf("bad values were used: %+v", f)
	}

	_, errs = intake.ParseQueueQuery(intake.QueueQuery{From: "2026-03-07", To: "2026-03-01"}, loc)
	if errs["to"] == "" {
		t.Error("an end before the start was accepted")
	}
}
