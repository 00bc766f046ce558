package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	webapi "github.com/firststep/firststep/internal/web/api"
)

// docFile is where a reader of a failure goes to fix the description.
const docFile = "internal/web/api/openapi.json"

// documentedAPI reports whether Echo route path p belongs in the OpenAPI
// document: the JSON API and the health check.
func documentedAPI(p string) bool { return p == "/healthz" || strings.HasPrefix(p, "/api/v1/") }

var pathParam = regexp.MustCompile(`\{[^}/]+\}|:[^/]+`)

// pathShape forgets parameter names: /bookings/:token and
// /bookings/{manage_token} are the same path.
func pathShape(p string) string { return pathParam.ReplaceAllString(p, "{}") }

var docMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// documentedOperations lists "METHOD shape" of every operation in the
// document, each with the path as the document writes it.
func documentedOperations(t *testing.T) map[string]string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(webapi.OpenAPIDocument, &doc); err != nil {
		t.Fatalf("%s is not JSON: %v", docFile, err)
	}
	ops := map[string]string{}
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(docMethods, key) {
				ops[strings.ToUpper(key)+" "+pathShape(path)] = strings.ToUpper(key) + " " + path
			}
		}
	}
	return ops
}

// TestOpenAPIDescribesEveryRoute keeps the route table and the document in
// step: every /api/v1 route and /healthz that Echo serves is described
// with that method, and the document describes no route that is not served.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	documented := documentedOperations(t)
	served := map[string]bool{}
	for _, r := range a.Echo.Routes() {
		// Groups with middleware add catch-all "route not found" entries.
		if r.Method == echo.RouteNotFound || !documentedAPI(r.Path) {
			continue
		}
		key := r.Method + " " + pathShape(r.Path)
		served[key] = true
		if _, ok := documented[key]; !ok {
			t.Errorf("route %s %s (%s) is not in %s: describe it under paths[%q].%s",
				r.Method, r.Path, r.Name, docFile, pathParam.ReplaceAllStringFunc(r.Path, func(p string) string { return "{" + strings.Trim(p, ":{}") + "}" }), strings.ToLower(r.Method))
		}
	}
	for key, op := range documented {
		if !served[key] {
			t.Errorf("%s describes %s, but no such route is registered in internal/app/routes.go", docFile, op)
		}
	}
}

func TestOpenAPIDocumentServed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.60")
	res := c.get("/api/v1/openapi.json")
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || body != string(webapi.OpenAPIDocument) {
		t.Fatalf("GET /api/v1/openapi.json = %d, %d bytes; want 200 and the embedded document", res.StatusCode, len(body))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.oai.openapi+json;version=3.1" {
		t.Errorf("Content-Type = %q; want the OpenAPI media type", ct)
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=3600") || strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q; want it cached for an hour", cc)
	}
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	if res := c.do(req); res.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match: %s = %d; want 304", etag, res.StatusCode)
	}
}
