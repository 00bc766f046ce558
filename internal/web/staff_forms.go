package web

import "github.com/firststep/firststep/internal/apperr"

// FormProblem sorts the error of a form post: when it is one of kinds (a
// mistake the person can fix, such as invalid input or a conflict), it
// returns the error and the status to re-show the form with — the same
// status the error handler would answer. Anything else (ok false) goes to
// the error page: the handler returns it.
func FormProblem(err error, kinds ...apperr.Kind) (e *apperr.Error, status int, ok bool) {
	ae := apperr.As(err)
	if ae == nil {
		return nil, 0, false
	}
	for _, k := range kinds {
		if ae.Kind == k {
			return ae, statusOf(k), true
		}
	}
	return nil, 0, false
}
