package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// An unknown path under /api/v1 is 404 and a wrong method 405 for anyone,
// signed in or not: the staff API's token check does not answer for paths
// it does not serve.
func TestAPIUnknownPathsAreNotFoundWithoutAToken(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	for _, tc := range []struct {
		name, method, target string
		want                 int
	}{
		{"unknown path", http.MethodGet, "/api/v1/nope", http.StatusNotFound},
		{"wrong method on a public path", http.MethodPut, "/api/v1/slots", http.StatusMethodNotAllowed},
		{"staff path without a token", http.MethodGet, "/api/v1/intakes", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			fx.a.Echo.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			if rec.Code != tc.want {
				t.Fatalf("%s %s = %d %s; want %d", tc.method, tc.target, rec.Code, rec.Body, tc.want)
			}
		})
	}
}
