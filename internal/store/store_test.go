package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	n, err := store.Migrate(context.Background(), db)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if n != 0 {
		t.Fatalf("second migrate applied %d migrations, want 0", n)
	}
	want, _ := store.Migrations(store.DialectOf(db))
	var got int64
	db.Raw("SELECT COUNT(*) FROM schema_migrations").Scan(&got)
	if int(got) != len(want) {
		t.Fatalf("schema_migrations has %d rows, want %d", got, len(want))
	}
}

func TestOpenCreatesSQLiteFileAndFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/nested/data"
	db, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	var mode string
	db.Raw("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	var fk int
	db.Raw("PRAGMA foreign_keys").Scan(&fk)
	if fk != 1 {
		t.Errorf("foreign_keys = %d, want 1", fk)
	}
}

func TestOpenRejectsUnknownURL(t *testing.T) {
	t.Parallel()
	if _, err := store.Open(context.Background(), "mysql://x", t.TempDir()); err == nil {
		t.Fatal("want an error for a mysql:// URL")
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	now := time.Now().UTC()
	if err := db.Exec("INSERT INTO audit_log (at, action) VALUES (?, 'test')", now).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE audit_log SET action = 'changed'").Error; err == nil {
		t.Error("UPDATE of audit_log succeeded, want refusal")
	}
	if err := db.Exec("DELETE FROM audit_log").Error; err == nil {
		t.Error("DELETE from audit_log succeeded, want refusal")
	}
}

func TestDatabaseRefusesOverlappingBookings(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	now := time.Now().UTC().Truncate(time.Second)
	mustExec(t, db, "INSERT INTO clinicians (id, name, email, timezone, created_at, updated_at) VALUES (1, 'A', 'a@example.org', 'UTC', ?, ?)", now, now)
	mustExec(t, db, "INSERT INTO intakes (id, token_hash, kind, name, email, created_at, updated_at) VALUES (1, 'h', 'individual', 'N', 'n@example.org', ?, ?)", now, now)
	start := time.Date(2030, 1, 7, 14, 0, 0, 0, time.UTC)
	insert := func(uid string, s time.Time, minutes, buffer int) error {
		e := s.Add(time.Duration(minutes) * time.Minute)
		return db.Exec(`INSERT INTO bookings (intake_id, clinician_id, start_at, end_at, block_end, uid, created_at, updated_at)
			VALUES (1, 1, ?, ?, ?, ?, ?, ?)`, s, e, e.Add(time.Duration(buffer)*time.Minute), uid, now, now).Error
	}
	if err := insert("a", start, 50, 10); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		start   time.Time
		overlap bool
	}{
		{"same start", start, true},
		{"inside the buffer", start.Add(55 * time.Minute), true},
		{"starting earlier, running into it", start.Add(-30 * time.Minute), true},
		{"right after the buffer", start.Add(60 * time.Minute), false},
	}
	for i, c := range cases {
		err := insert(string(rune('b'+i)), c.start, 50, 10)
		if c.overlap != store.IsOverlap(err) {
			t.Errorf("%s: err = %v, want overlap=%v", c.name, err, c.overlap)
		}
		if !c.overlap && err != nil {
			t.Errorf("%s: unexpected error %v", c.name, err)
		}
	}
	// A cancelled booking frees its time.
	mustExec(t, db, "UPDATE bookings SET status = 'cancelled' WHERE uid = 'a'")
	if err := insert("z", start, 50, 10); err != nil {
		t.Errorf("booking a cancelled slot: %v", err)
	}
}

func mustExec(t *testing.T, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
