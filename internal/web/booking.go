package web

import "github.com/firststep/firststep/internal/apperr"

// StatusOf is the status ErrorHandler answers err with. A page that shows
// itself again with the reason a choice was refused (the slot picker)
// answers with the same status, from this one mapping.
func StatusOf(err error) int { return statusOf(apperr.KindOf(err)) }
