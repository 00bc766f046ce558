// Package apperr is the one error type of Firststep. Services return it with a
// kind; the web layer maps the kind to an HTTP status and to either the JSON
// error shape or an error page, in one place. Anything that is not an *Error
// is treated as internal: logged, never shown.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the person who caused it.
type Kind string

// The kinds of error. Each maps to exactly one HTTP status in the web layer.
const (
	Invalid      Kind = "invalid"      // the input is wrong: 422 (or 400 for unreadable input)
	NotFound     Kind = "not_found"    // 404
	Conflict     Kind = "conflict"     // 409: someone else changed the state first
	Unauthorized Kind = "unauthorized" // 401: not signed in / no valid token
	Forbidden    Kind = "forbidden"    // 403: signed in, but the role does not allow it
	TooLarge     Kind = "too_large"    // 413
	BadRequest   Kind = "bad_request"  // 400: malformed request (e.g. broken JSON)
	NotAllowed   Kind = "not_allowed"  // 405: the method is not offered on this path
	RateLimited  Kind = "rate_limited" // 429
	Internal     Kind = "internal"     // 500: a bug or a failed dependency
)

// Error is an error a person can be told about. Code is a stable machine
// name ("slot_taken"); Message is a sentence for a person; Fields holds one
// message per input field, keyed by the field's JSON/form name.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string]string
	// Details is structured data a client needs to act on the error (the
	// consultations a change of hours would leave outside them); it is
	// shown as "details" in the JSON error body.
	Details any
	Err     error // the cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind with a code and a message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Validation returns an Invalid error carrying one message per field.
// It returns nil when fields is empty, so callers can write
// `return apperr.Validation(fields)` at the end of Validate.
func Validation(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Code: "invalid_input", Message: "Please check the highlighted fields.", Fields: fields}
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of err: Internal for anything that is not an *Error.
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	return Internal
}

// FieldsOf returns the field messages of err, or nil.
func FieldsOf(err error) map[string]string {
	if e := As(err); e != nil {
		return e.Fields
	}
	return nil
}
