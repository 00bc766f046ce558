package web_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/templates"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func newEcho(t *testing.T) *echo.Echo {
	t.Helper()
	r, err := web.NewRenderer(templates.FS, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = web.ErrorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)), r)
	e.Use(middleware.BodyLimit(web.MaxBody))
	fail := func(err error) echo.HandlerFunc { return func(echo.Context) error { return err } }
	for _, prefix := range []string{"/api/v1", "/page"} {
		e.GET(prefix+"/invalid", fail(apperr.Validation(map[string]string{"name": "Enter your name."})))
		e.GET(prefix+"/conflict", fail(apperr.New(apperr.Conflict, "slot_taken", "Someone else booked it.")))
		e.GET(prefix+"/bug", fail(errors.New("database password is hunter2")))
		e.POST(prefix+"/json", func(c echo.Context) error {
			var v struct {
				Name string `json:"name"`
				OK   bool   `json:"ok"`
			}
			if err := web.DecodeJSON(c, &v); err != nil {
				return err
			}
			return c.NoContent(http.StatusNoContent)
		})
	}
	return e
}

func TestErrorHandlerMapsKindsToStatusAndShape(t *testing.T) {
	t.Parallel()
	e := newEcho(t)
	cases := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"invalid", "GET", "/api/v1/invalid", "", 422, "invalid_input", "name"},
		{"conflict", "GET", "/api/v1/conflict", "", 409, "slot_taken", ""},
		{"internal error hides details", "GET", "/api/v1/bug", "", 500, "internal", ""},
		{"unknown route", "GET", "/api/v1/nope", "", 404, "not_found", ""},
		{"wrong method", "DELETE", "/api/v1/invalid", "", 405, "method_not_allowed", ""},
		{"broken JSON", "POST", "/api/v1/json", `{"name":`, 400, "bad_json", ""},
		{"empty body", "POST", "/api/v1/json", ``, 400, "bad_json", ""},
		{"unknown field", "POST", "/api/v1/json", `{"nmae":"x"}`, 400, "unknown_field", "nmae"},
		{"wrong type", "POST", "/api/v1/json", `{"ok":"yes"}`, 422, "invalid_input", "ok"},
		{"two values", "POST", "/api/v1/json", `{} {}`, 400, "bad_json", ""},
		{"too large", "POST", "/api/v1/json", `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "too_large", ""},
		{"good", "POST", "/api/v1/json", `{"name":"Ann","ok":true}`, 204, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.code == "" {
				return
			}
			var body web.JSONError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not the JSON error shape: %s", rec.Body)
			}
			if body.Error.Code != c.code || body.Error.Message == "" || (c.field != "" && body.Error.Fields[c.field] == "") {
				t.Errorf("error = %+v, want code %s with a message for %q", body.Error, c.code, c.field)
			}
			if strings.Contains(rec.Body.String(), "hunter2") {
				t.Error("internal details reached the response")
			}
		})
	}
}

func TestErrorHandlerRendersPagesForHTML(t *testing.T) {
	t.Parallel()
	e := newEcho(t)
	for path, status := range map[string]int{"/page/conflict": 409, "/page/bug": 500, "/page/nope": 404} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "<h1>") {
			t.Errorf("%s: %d %s, want an HTML error page with %d", path, rec.Code, rec.Header().Get("Content-Type"), status)
		}
		if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "goroutine") {
			t.Errorf("%s: internal details shown", path)
		}
	}
}

// Error pages speak plainly: a heading in a person's words, by code where
// one has its own, else by kind — never an HTTP status name.
func TestErrorTitlesArePlain(t *testing.T) {
	t.Parallel()
	kinds := []apperr.Kind{apperr.Invalid, apperr.NotFound, apperr.Conflict, apperr.Unauthorized, apperr.Forbidden,
		apperr.TooLarge, apperr.BadRequest, apperr.NotAllowed, apperr.RateLimited, apperr.Internal}
	for _, k := range kinds {
		got := web.ErrorTitle(apperr.New(k, "some_code", "A message."))
		for status := 100; status < 600; status++ {
			if name := http.StatusText(status); name != "" && strings.EqualFold(got, name) {
				t.Errorf("kind %s: title %q is an HTTP status name", k, got)
			}
		}
		if got == "" {
			t.Errorf("kind %s: no title", k)
		}
	}
	for code, want := range map[string]string{
		"slot_taken":        "That time was just taken",
		"booking_cancelled": "This consultation was cancelled",
		"rate_limited":      "Please wait a few minutes",
		"csrf":              "This form has expired",
	} {
		if got := web.ErrorTitle(apperr.New(apperr.Conflict, code, "x")); got != want {
			t.Errorf("code %s: title %q, want %q", code, got, want)
		}
	}

	e := newEcho(t)
	for path, want := range map[string]string{"/page/conflict": "That time was just taken", "/page/nope": "Page not found",
		"/page/bug": "Something went wrong on our side"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if !strings.Contains(rec.Body.String(), "<h1>"+want+"</h1>") {
			t.Errorf("%s: the page's heading is not %q", path, want)
		}
	}
}
