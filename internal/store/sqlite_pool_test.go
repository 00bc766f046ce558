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

	// Writers arrive one after another: transactions, GORM's own around a
	// Create, and plain statements alike.
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 1; i <= writers; i++ {
		wg.Go(func() {
			switch i % 3 {
			case 0:
				errs <- store.Transact(ctx, db, func(tx *gorm.DB) error {
					return tx.Exec("INSERT INTO queue_test (n) VALUES (?)", i).Error
				})
			case 1:
				errs <- db.WithContext(ctx).Table("queue_test").Create(map[string]any{"n": i}).Error
			default:
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
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(100 * time.Microsecond)
	defer tick.Stop()
	for {
		if q, _ := store.Writer(db); q.Waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			q, _ := store.Writer(db)
			t.Fatalf("%d writers queued, want %d", q.Waiting, n)
		}
		<-tick.C
	}
}
