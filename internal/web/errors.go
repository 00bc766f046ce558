package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/labstack/echo/v4"
)

// statusOf is the one place error kinds become HTTP statuses.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.BadRequest:
		return http.StatusBadRequest
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.NotAllowed:
		return http.StatusMethodNotAllowed
	default:
		return http.StatusInternalServerError
	}
}

// fromHTTPError turns Echo's own errors (404 route, 405, 413 from the body
// limit, CSRF refusals) into an *apperr.Error with a message for a person.
func fromHTTPError(he *echo.HTTPError) *apperr.Error {
	switch he.Code {
	case http.StatusNotFound:
		return apperr.New(apperr.NotFound, "not_found", "We could not find that page.")
	case http.StatusMethodNotAllowed:
		return apperr.New(apperr.NotAllowed, "method_not_allowed", "That action is not available here.")
	case http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "too_large", "The request is too large (at most 64 KiB).")
	case http.StatusForbidden, http.StatusBadRequest:
		if msg, _ := he.Message.(string); strings.Contains(strings.ToLower(msg), "csrf") {
			return apperr.New(apperr.Forbidden, "csrf", "This form has expired or did not come from this site. Please go back, reload the page and send it again — your answers are still in the form.")
		}
		if he.Code == http.StatusForbidden {
			return apperr.New(apperr.Forbidden, "forbidden", "You do not have access to this.")
		}
		return apperr.New(apperr.BadRequest, "bad_request", "The request could not be read.")
	case http.StatusUnauthorized:
		return apperr.New(apperr.Unauthorized, "unauthorized", "Please sign in.")
	case http.StatusTooManyRequests:
		return apperr.New(apperr.RateLimited, "rate_limited", "Too many requests. Please wait a little and try again.")
	}
	return &apperr.Error{Kind: apperr.Internal, Code: "internal", Message: "Something went wrong on our side.", Err: he}
}

// IsAPI reports whether the request is for the JSON API (errors as JSON).
func IsAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/healthz"
}

// JSONError is the error body of the JSON API.
type JSONError struct {
	Error JSONErrorBody `json:"error"`
}

// JSONErrorBody carries a stable code, a sentence and per-field messages.
type JSONErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Details any               `json:"details,omitempty"`
}

// ErrorHandler renders every error returned by a handler: JSON for the API,
// an error page otherwise. Internal details are logged, never shown.
func ErrorHandler(logger *slog.Logger, r *Renderer) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		ae := apperr.As(err)
		var he *echo.HTTPError
		if ae == nil && errors.As(err, &he) {
			ae = fromHTTPError(he)
		}
		if ae == nil {
			ae = &apperr.Error{Kind: apperr.Internal, Code: "internal", Message: "Something went wrong on our side.", Err: err}
		}
		status := statusOf(ae.Kind)
		if status >= 500 {
			logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
			ae = &apperr.Error{Kind: apperr.Internal, Code: "internal", Message: "Something went wrong on our side. Nothing you sent was lost; please try again in a moment."}
		}
		if c.Request().Method == http.MethodHead {
			c.NoContent(status)
			return
		}
		if IsAPI(c) {
			c.JSON(status, JSONError{Error: JSONErrorBody{Code: ae.Code, Message: ae.Message, Fields: ae.Fields, Details: ae.Details}})
			return
		}
		view := &ErrorView{Status: status, Message: ae.Message}
		view.Title = ErrorTitle(ae)
		if rerr := r.Render(c, status, "error", view); rerr != nil {
			logger.Error("render error page", "err", rerr)
			c.String(status, ae.Message)
		}
	}
}

// ErrorView is the error page.
type ErrorView struct {
	Layout
	Status  int
	Message string
}

// StatusOf is the status err answers with, for a handler that shows the
// mistake on the page it came from (a form re-shown with its messages)
// instead of returning it: the same status ErrorHandler would give.
func StatusOf(err error) int { return statusOf(apperr.KindOf(err)) }
