package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

// TestConcurrentFirstStart starts several instances at once on a database
// nobody has migrated yet — separate connection pools, as separate
// processes would have — and wants every one of them to come up, with each
// migration applied exactly once. On Postgres the instances used to race to
// create schema_migrations, and all but one died with "duplicate key value
// violates unique constraint pg_type_typname_nsp_index"; on SQLite they share
// one file.
func TestConcurrentFirstStart(t *testing.T) {
	t.Parallel()
	databaseURL, dataDir := storetest.Unmigrated(t)
	const instances = 4
	ctx := context.Background()
	dbs := make([]*gorm.DB, instances)
	for i := range dbs {
		db, err := store.Open(ctx, databaseURL, dataDir)
		if err != nil {
			t.Fatalf("open instance %d: %v", i, err)
		}
		t.Cleanup(func() { store.Close(db) })
		dbs[i] = db
	}

	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		applied = make([]int, instances)
		errs    = make([]error, instances)
	)
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			applied[i], errs[i] = store.Migrate(ctx, db)
		}()
	}
	close(start)
	wg.Wait()

	want, err := store.Migrations(store.DialectOf(dbs[0]))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range dbs {
		if errs[i] != nil {
			t.Errorf("instance %d: migrate: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != len(want) {
		t.Errorf("the instances applied %d migrations between them, want each of the %d once", total, len(want))
	}
	var rows []struct {
		Version int
		N       int
	}
	if err := dbs[0].Raw("SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Errorf("schema_migrations records %d versions, want %d", len(rows), len(want))
	}
	for _, r := range rows {
		if r.N != 1 {
			t.Errorf("migration %04d recorded %d times", r.Version, r.N)
		}
	}
	// And the schema works: a later start finds nothing to do.
	if n, err := store.Migrate(ctx, dbs[1]); err != nil || n != 0 {
		t.Errorf("migrate after the race = %d, %v; want 0, nil", n, err)
	}
}
