package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

// On SQLite, concurrent writes wait their turn in Go for the one writer
// connection, first come first served, instead of sleeping in SQLite's busy
// handler (whose back-offs made a sub-millisecond insert take up to a second
// under load) or being handed the connection in random order; reads go on
// beside an open write transaction.
func TestSQLiteWritesQueueInOrderForOneConnection(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if _, ok := store.Writer(db); !ok {
		t.Skip("Postgres: writes share the pool, serialized by row locks and constraints")
	}
	ctx := context.Background()
	if err := db.Exec("CREATE TABLE queue_test (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}

	held, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- store.Transact(ctx, db, func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO queue_test (n) VALUES (0)").Error; err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	// Reads do not wait for the writer, and see only committed rows.
	var n int64
	if err := db.WithContext(ctx).Raw("SELECT COUNT(*) FROM queue_test").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("read beside an open write transaction: count %d, %v", n, err)
	}

	// Writers arrive one after another: GORM's own transactions around a
	// Create, and plain statements. (Transact's operations queue for a
	// batch: TestSQLiteTransactionsShareCommits.)
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 1; i <= writers; i++ {
		wg.Go(func() {
			if i%2 == 0 {
				errs <- db.WithContext(ctx).Table("queue_test").Create(map[string]any{"n": i}).Error
			} else {
				errs <- db.WithContext(ctx).Exec("INSERT INTO queue_test (n) VALUES (?)", i).Error
			}
		})
		awaitWaiting(t, db, i)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("queued write: %v", err)
		}
	}
	var order []int
	if err := db.Raw("SELECT n FROM queue_test ORDER BY id").Scan(&order).Error; err != nil {
		t.Fatal(err)
	}
	want := make([]int, writers+1)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(order, want) {
		t.Errorf("writes took their turns in the order %v, want the order of arrival %v", order, want)
	}
	if q, _ := store.Writer(db); q.Conn.MaxOpenConnections != 1 || q.Conn.OpenConnections > 1 || q.Waiting != 0 {
		t.Errorf("writer: %+v; want one connection and nobody waiting", q)
	}
}

// awaitWaiting waits until n writers are queued.
func awaitWaiting(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	await(t, db, n, func(q store.WriterQueue) int { return q.Waiting })
}

// await waits until count(q) reaches n.
func await(t *testing.T, db *gorm.DB, n int, count func(store.WriterQueue) int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(100 * time.Microsecond)
	defer tick.Stop()
	for {
		if q, _ := store.Writer(db); count(q) >= n {
			return
		}
		if time.Now().After(deadline) {
			q, _ := store.Writer(db)
			t.Fatalf("%d writers queued, want %d", count(q), n)
		}
		<-tick.C
	}
}

// On SQLite, Transact's operations that arrive while a batch commits share
// the next commit, each in its own savepoint: one that fails or panics is
// undone alone, the others are committed, in order of arrival, and each
// caller returns after its commit.
func TestSQLiteTransactionsShareCommits(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	if _, ok := store.Writer(db); !ok {
		t.Skip("Postgres: each transaction commits on its own")
	}
	ctx := context.Background()
	if err := db.Exec("CREATE TABLE batch_test (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE)").Error; err != nil {
		t.Fatal(err)
	}
	before, _ := store.Writer(db)

	held, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- store.Transact(ctx, db, func(tx *gorm.DB) error {
			close(held)
			<-release
			return tx.Exec("INSERT INTO batch_test (n) VALUES (0)").Error
		})
	}()
	<-held

	const ops = 10
	errs := make([]error, ops+1)
	panics := make([]any, ops+1)
	var wg sync.WaitGroup
	for i := 1; i <= ops; i++ {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = store.Transact(ctx, db, func(tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO batch_test (n) VALUES (?)", i).Error; err != nil {
					return err
				}
				switch i {
				case 4:
					return tx.Exec("INSERT INTO batch_test (n) VALUES (1)").Error // unique violation: undone alone
				case 7:
					panic("seven")
				}
				return nil
			})
		})
		await(t, db, i, func(q store.WriterQueue) int { return q.Queued })
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i := 1; i <= ops; i++ {
		switch {
		case i == 4 && errs[i] == nil:
			t.Errorf("operation 4 broke a unique index and succeeded")
		case i == 7 && panics[i] != "seven":
			t.Errorf("operation 7's panic reached its caller as %v", panics[i])
		case i != 4 && i != 7 && (errs[i] != nil || panics[i] != nil):
			t.Errorf("operation %d: %v %v", i, errs[i], panics[i])
		}
	}
	var got []int
	db.Raw("SELECT n FROM batch_test ORDER BY id").Scan(&got)
	if want := []int{0, 1, 2, 3, 5, 6, 8, 9, 10}; !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if q, _ := store.Writer(db); q.Batches-before.Batches != 2 {
		t.Errorf("%d batches for the first operation and the %d that queued behind it, want 2", q.Batches-before.Batches, ops)
	}
}
