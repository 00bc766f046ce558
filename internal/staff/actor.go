package staff

import "github.com/firststep/firststep/internal/audit"

// Actor is the signed-in staff member making a request and where from:
// their role decides what they may do, and both go into the audit log.
// Services take it; internal/web/auth reads it from the request.
type Actor struct {
	Account Account
	IP      string
}

// Entry is the audit entry of an action by a on one record.
func (a Actor) Entry(action, recordType, recordID, detail string) audit.Entry {
	id := a.Account.ID
	return audit.Entry{ActorID: &id, ActorEmail: a.Account.Email, Action: action, RecordType: recordType,
		RecordID: recordID, IP: a.IP, Detail: detail}
}
