package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
)

// A page that shows a mistake on its own form answers with the status the
// error handler would give the same error: the mapping is stated once.
func TestStatusOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"field mistakes", apperr.Validation(map[string]string{"name": "Enter your name."}), http.StatusUnprocessableEntity},
		{"changed meanwhile", fmt.Errorf("set status: %w", apperr.New(apperr.Conflict, "status_changed", "Someone else changed it.")), http.StatusConflict},
		{"rate limited", apperr.New(apperr.RateLimited, "rate_limited", "Please wait."), http.StatusTooManyRequests},
		{"not found", apperr.New(apperr.NotFound, "intake_not_found", "We could not find that request."), http.StatusNotFound},
		{"a plain error", errors.New("disk full"), http.StatusInternalServerError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := web.StatusOf(c.err); got != c.want {
				t.Errorf("StatusOf = %d, want %d", got, c.want)
			}
		})
	}
}
