package intake_test

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

// TestIntakeServesNoHTTPAndReadsOnlyItsTables holds the package to its
// shape: the intake service and rules, no HTTP (the pages and the API are
// in internal/web), and SQL on its own tables only — clinicians and
// bookings are asked of intake.Clinicians, note authors of intake.Authors.
func TestIntakeServesNoHTTPAndReadsOnlyItsTables(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbiddenImport := []string{"github.com/labstack/echo", "github.com/firststep/firststep/internal/web"}
	foreignTable := regexp.MustCompile(`(?i)\b(bookings|clinicians|staff_accounts)\b`)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbiddenImport {
				if path == bad || strings.HasPrefix(path, bad+"/") {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if m := foreignTable.FindString(lit.Value); m != "" {
				t.Errorf("%s: %s names another package's table %q", fset.Position(lit.Pos()), lit.Value, m)
			}
			return true
		})
	}
}
