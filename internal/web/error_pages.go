package web

import "github.com/firststep/firststep/internal/apperr"

// titleByCode is the heading of an error page for the errors a person
// meets often enough to deserve their own words.
var titleByCode = map[string]string{
	"slot_taken":           "That time was just taken",
	"slot_not_open":        "That time is no longer open",
	"already_booked":       "You already have a consultation booked",
	"booking_cancelled":    "This consultation was cancelled",
	"booking_past":         "This consultation has already taken place",
	"booking_not_found":    "We could not find that consultation",
	"intake_not_found":     "We could not find that request",
	"partner_answers_sent": "Your answers were already sent",
	"change_window_closed": "It is too late to change this online",
	"status_changed":       "Someone else changed this request",
	"csrf":                 "This form has expired",
	"rate_limited":         "Please wait a few minutes",
	"too_large":            "That was too much to send at once",
	"signin_failed":        "We could not sign you in",
	"last_admin":           "The practice needs at least one admin",
}

// titleByKind is the heading of an error page for every other error, by
// kind: what happened in plain words, never an HTTP status name.
var titleByKind = map[apperr.Kind]string{
	apperr.Invalid:      "Something needs checking",
	apperr.NotFound:     "Page not found",
	apperr.Conflict:     "Something changed in the meantime",
	apperr.Unauthorized: "Please sign in",
	apperr.Forbidden:    "You do not have access to this",
	apperr.TooLarge:     "That was too much to send at once",
	apperr.BadRequest:   "We could not read that",
	apperr.NotAllowed:   "That is not available here",
	apperr.RateLimited:  "Please wait a few minutes",
	apperr.Internal:     "Something went wrong on our side",
}

// ErrorTitle is the one mapping of an error to the heading of the page a
// person sees: by its code when it has words of its own, else by its kind.
func ErrorTitle(e *apperr.Error) string {
	if t, ok := titleByCode[e.Code]; ok {
		return t
	}
	if t, ok := titleByKind[e.Kind]; ok {
		return t
	}
	return titleByKind[apperr.Internal]
}
