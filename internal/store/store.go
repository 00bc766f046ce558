// Package store opens Firststep's database (SQLite by default, Postgres for
// multi-instance practices), applies the embedded migrations and offers the
// one transaction helper the services use.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a *gorm.DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DialectOf reports which engine db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// SQLitePath is where the embedded database lives inside the data folder.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "firststep.db") }

// Open connects to databaseURL when it is a postgres:// URL, otherwise to
// the SQLite file in dataDir (created with its folder on first start).
//
// SQLite runs in WAL mode with foreign keys on, synchronous=FULL (a booking
// the user was told about survives a power cut) and a busy timeout; every
// transaction begins IMMEDIATE so that write transactions are serialized and
// a check followed by an insert inside one cannot race. Writes go through one
// connection, queued in Go, and reads through a pool (see sqlitePool).
func Open(ctx context.Context, databaseURL, dataDir string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		// SQL with its values (intake answers) must never reach a log.
		Logger:  logger.Default.LogMode(logger.Silent),
		NowFunc: func() time.Time { return time.Now().UTC() },
	}
	var (
		db  *gorm.DB
		err error
	)
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, err = gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
	case databaseURL == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		pool, err := openSQLitePool(sqliteDSN(SQLitePath(dataDir)))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db, err = gorm.Open(sqlite.New(sqlite.Config{Conn: pool}), cfg)
		if err != nil {
			pool.close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	default:
		return nil, fmt.Errorf("database URL must start with postgres:// (or be empty for SQLite)")
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	if DialectOf(db) == SQLite {
		sqlDB.SetMaxOpenConns(8) // the readers
	} else {
		sqlDB.SetMaxOpenConns(20)
	}
	sqlDB.SetMaxIdleConns(8)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := Ping(ctx, db); err != nil {
		Close(db)
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return db, nil
}

func sqliteDSN(path string) string {
	return "file:" + path + "?_txlock=immediate&_busy_timeout=10000&_journal_mode=WAL&_foreign_keys=on&_synchronous=FULL"
}

// Close releases the connections of db.
func Close(db *gorm.DB) error {
	if p, ok := db.ConnPool.(*sqlitePool); ok {
		return p.close()
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping reports whether the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	if p, ok := db.ConnPool.(*sqlitePool); ok {
		return p.ping(ctx)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Transact runs fn in one transaction, committed when fn returns nil and
// rolled back otherwise. Services call it once per operation and pass tx to
// small helpers. On SQLite, operations that arrive together share one
// commit, each in a savepoint of its own (see groupCommit); called with a
// transaction, fn runs in a savepoint of it.
func Transact(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if p, ok := db.ConnPool.(*sqlitePool); ok {
		if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); !inTx {
			return p.group.transact(ctx, db, fn)
		}
	}
	return db.WithContext(ctx).Transaction(fn)
}

// IsUniqueViolation reports whether err is a unique-index violation.
func IsUniqueViolation(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsOverlap reports whether err is the database refusing a booking that
// overlaps another active booking of the same clinician.
func IsOverlap(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23P01" // exclusion_violation
	}
	return err != nil && strings.Contains(err.Error(), "booking_overlap")
}
