package staff

import "github.com/firststep/firststep/internal/apperr"

// Permission is one thing a staff member may do. The matrix below is the
// only place that says which role may do what; handlers, the JSON API and
// the staff navigation all ask Account.Can.
type Permission string

const (
	ViewAllIntakes        Permission = "view_all_intakes"        // the whole queue, any intake
	ViewOwnIntakes        Permission = "view_own_intakes"        // the queue and intakes one may see (CanSeeIntake)
	EditIntake            Permission = "edit_intake"             // add notes, move the status, on intakes one may see
	AssignIntake          Permission = "assign_intake"           // choose the clinician of an intake
	ManageBookings        Permission = "manage_bookings"         // book, reschedule, cancel for any client
	ViewOwnBookings       Permission = "view_own_bookings"       // a clinician's own consultations
	ManageOwnAvailability Permission = "manage_own_availability" // one's own consultation hours
	ManageAnyAvailability Permission = "manage_any_availability" // any clinician's hours
	ManageAccounts        Permission = "manage_accounts"         // staff accounts and roles
	ManageClinicians      Permission = "manage_clinicians"       // the practice's clinicians
	ManageSettings        Permission = "manage_settings"         // practice name, time zone, crisis text…
	ViewAudit             Permission = "view_audit"              // read the audit log
	ManageTokens          Permission = "manage_tokens"           // API tokens
	RetryEmail            Permission = "retry_email"             // resend failed emails
)

const yes, no = true, false

// matrix is the permission matrix. A clinician's intake permissions are
// further narrowed to their own intakes by CanSeeIntake.
var matrix = []struct {
	p                           Permission
	admin, frontdesk, clinician bool
}{
	// permission, admin, frontdesk, clinician
	{ViewAllIntakes, yes, yes, no},
	{ViewOwnIntakes, yes, yes, yes},
	{EditIntake, yes, yes, yes},
	{AssignIntake, yes, yes, no},
	{ManageBookings, yes, yes, no},
	{ViewOwnBookings, yes, yes, yes},
	{ManageOwnAvailability, yes, no, yes},
	{ManageAnyAvailability, yes, no, no},
	{ManageAccounts, yes, no, no},
	{ManageClinicians, yes, no, no},
	{ManageSettings, yes, no, no},
	{ViewAudit, yes, no, no},
	{ManageTokens, yes, no, no},
	{RetryEmail, yes, no, no},
}

// Permissions lists every permission, in the matrix's order.
func Permissions() []Permission {
	out := make([]Permission, len(matrix))
	for i, m := range matrix {
		out[i] = m.p
	}
	return out
}

// Allows reports whether role r has permission p.
func (r Role) Allows(p Permission) bool {
	for _, m := range matrix {
		if m.p != p {
			continue
		}
		switch r {
		case Admin:
			return m.admin
		case Frontdesk:
			return m.frontdesk
		case Clinician:
			return m.clinician
		}
	}
	return false
}

// Can reports whether the account may do p. A deactivated account may do
// nothing; a clinician account that names no clinician sees no intakes.
func (a Account) Can(p Permission) bool {
	return a.Active && a.Role.Allows(p)
}

// CanSeeIntake decides whether acc may see an intake that is assigned to
// assignedClinicianID (nil: nobody) and has active bookings with
// bookedClinicianIDs. Admins and front desk see every intake; a clinician
// sees the intakes assigned to them or booked with them, never another
// clinician's.
func CanSeeIntake(acc Account, assignedClinicianID *int64, bookedClinicianIDs []int64) bool {
	if acc.Can(ViewAllIntakes) {
		return true
	}
	if !acc.Can(ViewOwnIntakes) || acc.ClinicianID == nil {
		return false
	}
	me := *acc.ClinicianID
	if assignedClinicianID != nil && *assignedClinicianID == me {
		return true
	}
	for _, id := range bookedClinicianIDs {
		if id == me {
			return true
		}
	}
	return false
}

// ErrForbidden answers an action the account's role does not allow.
var ErrForbidden = apperr.New(apperr.Forbidden, "forbidden", "Your role does not allow this. Ask an administrator if you need it.")
