package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

func TestRecordAndList(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	actor := int64(7)
	desk := audit.Actor{ID: &actor, Email: "desk@example.com", IP: "192.0.2.1"}
	entries := []struct {
		by                                 audit.Actor
		action, recordType, record, detail string
	}{
		{desk, audit.SignIn, audit.TypeAccount, "7", ""},
		{desk, audit.IntakeView, audit.TypeIntake, "3", ""},
		{audit.Actor{IP: "198.51.100.9"}, audit.SignInFailed, "", "", "unknown account"},
	}
	for i, e := range entries {
		err := store.Transact(ctx, db, func(tx *gorm.DB) error {
			return audit.For(tx, t0.Add(time.Duration(i)*time.Minute), e.by).Record(e.action, e.recordType, e.record, e.detail)
		})
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	log := audit.NewLog(db)

	all, err := log.List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("got %d entries, want 3", len(all))
	}
	if all[0].Action != audit.SignInFailed || all[2].Action != audit.SignIn {
		t.Errorf("not newest first: %s, %s, %s", all[0].Action, all[1].Action, all[2].Action)
	}
	if all[0].ActorID != nil || all[0].Detail != "unknown account" {
		t.Errorf("anonymous entry = %+v", all[0])
	}
	if got := all[1]; got.ActorID == nil || *got.ActorID != 7 || got.RecordType != audit.TypeIntake || got.RecordID != "3" ||
		got.IP != "192.0.2.1" || !got.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("view entry = %+v", got)
	}

	cases := []struct {
		name string
		f    audit.Filter
		want int
	}{
		{"by action", audit.Filter{Action: audit.IntakeView}, 1},
		{"by actor", audit.Filter{ActorID: 7}, 2},
		{"by record", audit.Filter{RecordType: audit.TypeIntake, RecordID: "3"}, 1},
		{"from", audit.Filter{From: t0.Add(time.Minute)}, 2},
		{"to", audit.Filter{To: t0.Add(time.Minute)}, 1},
		{"limit", audit.Filter{Limit: 2}, 2},
		{"before id", audit.Filter{BeforeID: all[1].ID}, 1},
	}
	for _, c := range cases {
		got, err := log.List(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != c.want {
			t.Errorf("%s: got %d entries, want %d", c.name, len(got), c.want)
		}
	}
}

func TestRecordRollsBackWithTheChange(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	err := store.Transact(ctx, db, func(tx *gorm.DB) error {
		if err := audit.For(tx, time.Now(), audit.Actor{}).Record(audit.IntakeNote, audit.TypeIntake, "1", ""); err != nil {
			return err
		}
		return gorm.ErrInvalidData // the change fails after the audit row was written
	})
	if err == nil {
		t.Fatal("transaction succeeded")
	}
	got, err := audit.NewLog(db).List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("audit row outlived its rolled-back change: %+v", got)
	}
}

func TestRecordNeedsAnAction(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if err := audit.For(db, time.Now(), audit.Actor{}).Record("", "intake", "", ""); err == nil {
		t.Error("an entry without an action was recorded")
	}
}

func TestLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	ctx := context.Background()
	if err := audit.For(db.WithContext(ctx), time.Now(), audit.Actor{Email: "a@example.com"}).Record(audit.SignOut, "", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE audit_log SET actor_email = 'someone-else@example.com'").Error; err == nil {
		t.Error("UPDATE of audit_log was allowed")
	}
	if err := db.Exec("DELETE FROM audit_log").Error; err == nil {
		t.Error("DELETE from audit_log was allowed")
	}
	got, err := audit.NewLog(db).List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ActorEmail != "a@example.com" {
		t.Errorf("log changed: %+v", got)
	}
}
