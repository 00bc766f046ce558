package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every action and record type this package declares reads as words, so
// that a new action cannot reach the audit log page as a bare code.
func TestEveryCodeHasWords(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			spec, ok := node.(*ast.ValueSpec)
			if !ok || len(spec.Values) != len(spec.Names) {
				return true
			}
			for i, v := range spec.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING || !spec.Names[i].IsExported() {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				words := ActionWords(code)
				if strings.HasPrefix(spec.Names[i].Name, "Type") {
					words = RecordTypeWords(code)
				}
				if words == code {
					t.Errorf("%s (%q) has no words", spec.Names[i].Name, code)
				}
				n++
			}
			return true
		})
	}
	if n < 20 {
		t.Fatalf("found only %d codes; is the test reading the package?", n)
	}
}
