package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestRouteTableListsEveryPathLiterally: a handler of the HTTP packages
// (internal/web/…) or of booking is served only at a path written out in
// routes.go — nowhere else declares routes, so the table is the one place
// to read them. Add a domain's package here once its routes are listed.
func TestRouteTableListsEveryPathLiterally(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	verbs := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "Any": true}
	prefixes, paths := []string{""}, map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		lit, isLit := call.Args[0].(*ast.BasicLit)
		if !ok || !isLit || lit.Kind != token.STRING {
			return true
		}
		s, _ := strconv.Unquote(lit.Value)
		switch {
		case sel.Sel.Name == "Group":
			prefixes = append(prefixes, s)
		case verbs[sel.Sel.Name]:
			paths[s] = true
		}
		return true
	})
	listed := func(path string) bool {
		for _, p := range prefixes {
			if rest, ok := strings.CutPrefix(path, p); ok && paths[rest] {
				return true
			}
		}
		return false
	}
	a := newApp(t)
	checked := 0
	for _, r := range a.Echo.Routes() {
		if r.Method == echo.RouteNotFound || !strings.Contains(r.Name, "/internal/web/") && !strings.Contains(r.Name, "/internal/booking.") {
			continue
		}
		checked++
		if !listed(r.Path) {
			t.Errorf("%s %s (%s) is not written out in routes.go", r.Method, r.Path, r.Name)
		}
	}
	if checked == 0 {
		t.Fatal("no route of internal/web found")
	}
}
