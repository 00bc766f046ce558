package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// sqlitePool is the connection pool GORM sees on SQLite: every write goes to
// one connection, and readers share a pool.
//
// SQLite lets one transaction write at a time. With several connections
// contending for that lock, the losers sleep in SQLite's busy handler with
// growing back-offs (up to 100 ms a try), so under load a write that needs
// well under a millisecond waited up to a second. With one writer
// connection, callers queue in Go and never meet the busy handler. The
// queue is first come, first served (a channel's waiting senders are woken
// in order); database/sql alone would hand the connection to a random
// waiter, and the unlucky ones would wait many turns. WAL mode lets readers
// go on beside the writer and see every committed write. Each write
// transaction still begins IMMEDIATE and commits with synchronous=FULL, so
// other processes on the same file (the CLI) are serialized as before.
type sqlitePool struct {
	read  *sql.DB       // queries outside transactions
	write *sql.DB       // one connection: transactions and statements that write
	turn  chan struct{} // holds a token while a writer has its turn

	waiting atomic.Int64 // callers waiting for their turn
	group   groupCommit  // Transact's operations, committed in batches

	stmts  sync.Map     // query → *sql.Stmt on read: plain SELECTs, compiled once
	nstmts atomic.Int64 // entries in stmts, at most maxStmts
}

// maxStmts bounds the prepared SELECTs kept; the application has a few
// dozen (an IN list of n values is a text of its own).
const maxStmts = 256

var (
	_ gorm.ConnPool         = (*sqlitePool)(nil)
	_ gorm.ConnPoolBeginner = (*sqlitePool)(nil)
	_ gorm.GetDBConnector   = (*sqlitePool)(nil)
	_ gorm.Tx               = (*writeTx)(nil)
	_ gorm.GetDBConnector   = (*writeTx)(nil)
)

func openSQLitePool(dsn string) (*sqlitePool, error) {
	read, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite3", dsn)
	if err != nil {
		read.Close()
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	return &sqlitePool{read: read, write: write, turn: make(chan struct{}, 1)}, nil
}

// wait blocks until it is the caller's turn to write, in order of arrival,
// or until ctx ends. The caller must call done once.
func (p *sqlitePool) wait(ctx context.Context) error {
	select {
	case p.turn <- struct{}{}:
		return nil
	default:
	}
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	select {
	case p.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *sqlitePool) done() { <-p.turn }

// BeginTx starts every transaction on the writer when its turn comes: GORM's
// own around each Create, Save, Update and Delete, and Transact's. The turn
// ends with Commit or Rollback.
func (p *sqlitePool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	tx, err := p.write.BeginTx(ctx, opts)
	if err != nil {
		p.done()
		return nil, err
	}
	return &writeTx{Tx: tx, pool: p}, nil
}

func (p *sqlitePool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	defer p.done()
	return p.write.ExecContext(ctx, query, args...)
}

func (p *sqlitePool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.pick(query).PrepareContext(ctx, query)
}

// QueryContext and QueryRowContext hold a connection until the rows are
// read, which the pool does not see; a query that writes (RETURNING) queues
// for the writer connection in database/sql instead of taking a turn.
// SELECTs run as statements prepared once (SQLite compiles a statement on
// every plain query, a tenth of a slot listing's time).
func (p *sqlitePool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	db := p.pick(query)
	if db == p.read {
		if st := p.prepared(ctx, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return db.QueryContext(ctx, query, args...)
}

func (p *sqlitePool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	db := p.pick(query)
	if db == p.read {
		if st := p.prepared(ctx, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return db.QueryRowContext(ctx, query, args...)
}

// prepared returns the readers' prepared statement for query, or nil when
// it cannot be prepared or too many are kept (the caller then runs it plainly).
func (p *sqlitePool) prepared(ctx context.Context, query string) *sql.Stmt {
	if st, ok := p.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if p.nstmts.Load() >= maxStmts {
		return nil
	}
	st, err := p.read.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := p.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	p.nstmts.Add(1)
	return st
}

// GetDBConn is the readers' pool: its settings and statistics are what
// db.DB() callers see. Writer reports the writer's.
func (p *sqlitePool) GetDBConn() (*sql.DB, error) { return p.read, nil }

func (p *sqlitePool) ping(ctx context.Context) error {
	return errors.Join(p.read.PingContext(ctx), p.write.PingContext(ctx))
}

func (p *sqlitePool) close() error {
	p.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return errors.Join(p.read.Close(), p.write.Close())
}

// pick sends a query to the readers only when it is a plain SELECT; an
// INSERT … RETURNING, an UPDATE … RETURNING or a PRAGMA goes to the writer.
func (p *sqlitePool) pick(query string) *sql.DB {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) >= 6 && strings.EqualFold(q[:6], "SELECT") {
		return p.read
	}
	return p.write
}

// writeTx is a write transaction that ends the writer's turn when it ends.
type writeTx struct {
	*sql.Tx
	pool  *sqlitePool
	ended bool
}

func (t *writeTx) Commit() error {
	err := t.Tx.Commit()
	t.end()
	return err
}

func (t *writeTx) Rollback() error {
	err := t.Tx.Rollback()
	t.end()
	return err
}

func (t *writeTx) end() {
	if !t.ended {
		t.ended = true
		t.pool.done()
	}
}

func (t *writeTx) GetDBConn() (*sql.DB, error) { return t.pool.write, nil }

// WriterQueue is the state of SQLite's writer.
type WriterQueue struct {
	Waiting int         // callers waiting for their turn to write
	Queued  int         // Transact operations waiting for the next batch
	Batches int64       // batches of Transact operations run so far
	Conn    sql.DBStats // the writer connection's pool
}

// Writer reports the state of SQLite's single writer (ok false on Postgres,
// where writes share the pool and wait on row locks and constraints).
func Writer(db *gorm.DB) (q WriterQueue, ok bool) {
	p, ok := db.ConnPool.(*sqlitePool)
	if !ok {
		return q, false
	}
	p.group.mu.Lock()
	queued, batches := len(p.group.queue), p.group.batches
	p.group.mu.Unlock()
	return WriterQueue{Waiting: int(p.waiting.Load()), Queued: queued, Batches: batches, Conn: p.write.Stats()}, true
}
