package staff

import "github.com/firststep/firststep/internal/audit"

// Actor is the signed-in staff member making a request and where from:
// their role decides what they may do, and both go into the audit log.
// Services take it; internal/web/auth reads it from the request.
type Actor struct {
	Account Account
	IP      string
}

// Audit is a as the audit log names them.
func (a Actor) Audit() audit.Actor {
	id := a.Account.ID
	return audit.Actor{ID: &id, Email: a.Account.Email, IP: a.IP}
}

// operator is the person at the command line (firststep user add, token
// create), as the audit log names them.
var operator = audit.Actor{Email: Operator}
