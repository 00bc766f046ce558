package staff

import (
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/labstack/echo/v4"
)

// Actor is the signed-in staff member making a request and where from:
// their role decides what they may do, and both go into the audit log.
type Actor struct {
	Account Account
	IP      string
}

// ActorOf returns the signed-in staff member of the request.
func ActorOf(c echo.Context) (Actor, error) {
	acc, ok := CurrentAccount(c)
	if !ok {
		return Actor{}, apperr.New(apperr.Unauthorized, "unauthorized", "Please sign in.")
	}
	return Actor{Account: acc, IP: c.RealIP()}, nil
}

// Entry is the audit entry of an action by a on one record.
func (a Actor) Entry(action, recordType, recordID, detail string) audit.Entry {
	id := a.Account.ID
	return audit.Entry{ActorID: &id, ActorEmail: a.Account.Email, Action: action, RecordType: recordType,
		RecordID: recordID, IP: a.IP, Detail: detail}
}
