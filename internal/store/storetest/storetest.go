// Package storetest gives tests a real, migrated database: a SQLite file in
// the test's temporary folder, or — when FIRSTSTEP_TEST_POSTGRES_URL is set —
// a fresh schema of that Postgres database, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// PostgresEnv names the variable that switches the suite to Postgres.
const PostgresEnv = "FIRSTSTEP_TEST_POSTGRES_URL"

// New returns a migrated database for one test.
func New(t testing.TB) *gorm.DB {
	t.Helper()
	db, _, _ := open(t)
	return db
}

// NewWithURL is New that also returns the database URL ("" for SQLite) and
// data folder, for tests that start the whole server on the same database.
func NewWithURL(t testing.TB) (db *gorm.DB, databaseURL, dataDir string) {
	t.Helper()
	return open(t)
}

// Unmigrated returns the database URL ("" for SQLite) and data folder of a
// database nobody has opened or migrated yet — a fresh Postgres schema, or
// an empty data folder — for tests of what happens on first start.
func Unmigrated(t testing.TB) (databaseURL, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	if pgURL := os.Getenv(PostgresEnv); pgURL != "" {
		databaseURL = freshSchema(t, pgURL)
	}
	return databaseURL, dataDir
}

func open(t testing.TB) (*gorm.DB, string, string) {
	t.Helper()
	ctx := context.Background()
	pgURL := os.Getenv(PostgresEnv)
	databaseURL := ""
	dataDir := t.TempDir()
	if pgURL != "" {
		databaseURL = freshSchema(t, pgURL)
	}
	if databaseURL == "" {
		// Start from a copy of a database migrated once per test binary:
		// migrating each test's file anew (a dozen fsynced transactions)
		// was most of the time of a short test, several times more under
		// -race. Migrate below still runs, and finds nothing to do.
		migrated, err := migratedSQLite()
		if err != nil {
			t.Fatalf("migrate the template database: %v", err)
		}
		if err := os.WriteFile(store.SQLitePath(dataDir), migrated, 0o600); err != nil {
			t.Fatalf("copy the template database: %v", err)
		}
	}
	db, err := store.Open(ctx, databaseURL, dataDir)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { store.Close(db) })
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return db, databaseURL, dataDir
}

// template holds the bytes of a migrated SQLite database, made on first use.
var template struct {
	once  sync.Once
	bytes []byte
	err   error
}

// migratedSQLite returns the file of a freshly migrated SQLite database,
// checkpointed so that the one file holds everything.
func migratedSQLite() ([]byte, error) {
	template.once.Do(func() {
		template.bytes, template.err = migrateTemplate()
	})
	return template.bytes, template.err
}

func migrateTemplate() ([]byte, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "firststep-storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, db); err != nil {
		store.Close(db)
		return nil, err
	}
	if err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		store.Close(db)
		return nil, err
	}
	if err := store.Close(db); err != nil {
		return nil, err
	}
	return os.ReadFile(store.SQLitePath(dir))
}

// freshSchema creates a schema of its own for the test and returns a URL
// whose search_path points at it (public stays visible for extensions).
func freshSchema(t testing.TB, pgURL string) string {
	t.Helper()
	admin, err := store.Open(context.Background(), pgURL, "")
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		store.Close(admin)
	})
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}
