package booking_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// bookingTables are the tables package booking owns; every other table is
// read through the owning package's interface (booking.Intakes for the
// intakes), never by name.
var bookingTables = map[string]bool{
	"bookings": true, "booking_links": true, "clinicians": true, "availabilities": true, "idempotency_keys": true,
	"schedule_version": true, // raised by triggers on the tables above; read by the slot listing cache
}

// sqlTable finds a table named in SQL text, or a literal that is a bare
// table name (as passed to gorm's Table).
var sqlTable = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table)\s+"?([a-z_]+)|^([a-z_]+)$`)

func TestBookingReadsOnlyItsOwnTables(t *testing.T) {
	t.Parallel()
	others := map[string]bool{}
	migrations, err := filepath.Glob("../store/migrations/*.sql")
	if err != nil || len(migrations) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	create := regexp.MustCompile(`(?i)create table (?:if not exists )?([a-z_]+)`)
	for _, m := range migrations {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range create.FindAllStringSubmatch(string(b), -1) {
			if name := strings.ToLower(g[1]); !bookingTables[name] {
				others[name] = true
			}
		}
	}
	if !others["intakes"] {
		t.Fatalf("the intakes table is not among the migrations' tables %v", others)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, g := range sqlTable.FindAllStringSubmatch(s, -1) {
				if table := strings.ToLower(g[1] + g[2]); others[table] {
					t.Errorf("%s: reads the %s table of another package: %q", fset.Position(lit.Pos()), table, s)
				}
			}
			return true
		})
	}
}
