package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/labstack/echo/v4"
)

// DecodeJSON reads the request body into v and turns every way it can go
// wrong into a specific error: 413 over the size limit, 400 for a body that
// is not JSON or names an unknown field, 422 for a value of the wrong type.
func DecodeJSON(c echo.Context, v any) error {
	if ct := c.Request().Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return apperr.New(apperr.BadRequest, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
		}
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("extra data after the JSON value")
	}
	if err == nil {
		return nil
	}
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge, errors.As(err, &mbe):
		return apperr.New(apperr.TooLarge, "too_large", "The request is too large (at most 64 KiB).")
	case errors.As(err, &te) && te.Field != "":
		return &apperr.Error{Kind: apperr.Invalid, Code: "invalid_input", Message: "Please check the highlighted fields.",
			Fields: map[string]string{te.Field: fmt.Sprintf("Must be %s.", jsonKind(te.Type.Kind().String()))}}
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.BadRequest, "bad_json", "The request body is empty; send a JSON object.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apperr.Error{Kind: apperr.BadRequest, Code: "unknown_field", Message: fmt.Sprintf("The field %q is not known.", field),
			Fields: map[string]string{field: "Not a known field."}}
	default:
		return &apperr.Error{Kind: apperr.BadRequest, Code: "bad_json", Message: "The request body is not valid JSON.", Err: err}
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "int", "int64", "float64":
		return "a number"
	default:
		return "a " + goKind
	}
}
