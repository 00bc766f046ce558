package store

import (
	"context"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// groupCommit runs the transactions of Transact on SQLite in batches: the
// operations that arrive while one batch commits go together into the next
// one, each in a savepoint of its own, and share its commit. With
// synchronous=FULL every commit waits for the disk, so one commit for many
// operations is what lets submissions outrun the disk's flush rate. Nothing
// is weaker for it: each operation still runs alone with every write before
// it visible (in arrival order, on one connection, inside BEGIN IMMEDIATE);
// one that fails is rolled back to its savepoint and leaves the others be;
// and Transact returns only after the commit that made it durable, with the
// commit's error if that failed.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupOp
	leading bool // a goroutine is running batches
	batches int64
}

type groupOp struct {
	ctx   context.Context
	fn    func(tx *gorm.DB) error
	err   error
	panic any
	done  chan struct{}
}

// maxBatch bounds the operations that share one commit.
const maxBatch = 64

// transact queues fn and returns once it has been committed or refused.
// The caller that finds no batch running runs them until the queue is empty.
func (g *groupCommit) transact(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	op := &groupOp{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, op)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.lead(db, true)
	}
	<-op.done
	if op.panic != nil {
		panic(op.panic)
	}
	return op.err
}

// lead runs batches until nobody is waiting. The caller that became the
// leader runs one batch (its own operation is in it) and leaves the rest to
// a goroutine, so that no caller waits for other people's commits.
func (g *groupCommit) lead(db *gorm.DB, caller bool) {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxBatch)
		if n == 0 {
			g.leading = false
			g.mu.Unlock()
			return
		}
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.batches++
		g.mu.Unlock()
		g.run(db, batch)
		if caller {
			go g.lead(db, false)
			return
		}
	}
}

// run commits one batch.
func (g *groupCommit) run(db *gorm.DB, batch []*groupOp) {
	finish := func(err error) {
		for _, op := range batch {
			if op.err == nil && op.panic == nil {
				op.err = err
			}
			close(op.done)
		}
	}
	tx := db.WithContext(context.WithoutCancel(batch[0].ctx)).Begin()
	if tx.Error != nil {
		finish(tx.Error)
		return
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	ran := 0
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err = err
			continue
		}
		sp := fmt.Sprintf("op%d", i)
		if err := tx.SavePoint(sp).Error; err != nil {
			finish(fmt.Errorf("savepoint: %w", err))
			return
		}
		op.panic, op.err = call(op.fn, tx.WithContext(op.ctx))
		if op.err != nil || op.panic != nil {
			if err := tx.RollbackTo(sp).Error; err != nil {
				finish(fmt.Errorf("roll back to savepoint: %w", err)) // nothing of the batch is committed
				return
			}
		} else {
			ran++
		}
		if err := tx.Exec("RELEASE SAVEPOINT " + sp).Error; err != nil {
			finish(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if ran == 0 {
		finish(nil) // every operation failed; nothing to commit
		return
	}
	err := tx.Commit().Error
	committed = err == nil
	finish(err)
}

// call runs fn, turning a panic into a value for its caller to raise.
func call(fn func(tx *gorm.DB) error, tx *gorm.DB) (p any, err error) {
	defer func() {
		if r := recover(); r != nil {
			p = r
		}
	}()
	return nil, fn(tx)
}
