package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// The landing, crisis, privacy and thank-you pages are the same for every
// visitor: rendered once, served from memory, and rendered again as soon as
// the practice's name or crisis text changes. (Not parallel: it counts
// allocations.)
func TestSharedPublicPagesAreRenderedOnce(t *testing.T) {
	a := newApp(t)
	get := func(path string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		a.Echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
		return rec.Body.String()
	}
	for path, want := range map[string]string{"/": "Request a free consultation", "/crisis": "Crisis resources",
		"/privacy": "Privacy notice", "/thanks": "Thank you"} {
		if body := get(path); !strings.Contains(body, "<title>"+want) || !strings.Contains(body, "988") {
			t.Errorf("GET %s: no title %q or crisis line:\n%s", path, want, body)
		}
	}

	allocs := testing.AllocsPerRun(50, func() { get("/") })
	t.Logf("%.0f allocations per landing page", allocs)
	if allocs > 80 { // 137 when it was rendered on every request
		t.Errorf("the landing page took %.0f allocations: is it rendered on every request?", allocs)
	}

	in := practice.Defaults()
	in.Name, in.CrisisText = "Riverbend Therapy", "Call or text 988, or our on-call line 555-0100."
	if err := store.Transact(context.Background(), a.DB, func(tx *gorm.DB) error { return a.Practice.Save(tx, in) }); err != nil {
		t.Fatal(err)
	}
	if body := get("/"); !strings.Contains(body, "Riverbend Therapy") {
		t.Errorf("the landing page does not show the new name:\n%s", body)
	}
	if body := get("/crisis"); !strings.Contains(body, "Riverbend Therapy") || !strings.Contains(body, "555-0100") {
		t.Errorf("the crisis page does not show the new name and crisis text:\n%s", body)
	}
}
