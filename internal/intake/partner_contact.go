package intake

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// PartnerNotYet is the partner_aware answer of a client whose partner does
// not know about the request yet.
const PartnerNotYet = "not_yet"

// Who allowed a partner who did not know yet to be contacted.
const (
	AllowedByClient = "client"
	AllowedByStaff  = "staff"
)

// PartnerMayBeContacted is the safety rule for a couple's partner: Firststep
// emails them (invitations, updates, cancellations, their own manage link)
// only when they have an address and either already know about the request
// or the client — or staff, after talking to the client — has since said
// they may be contacted. Couples work may involve partner violence: a
// partner who does not know yet must not learn of the request from us.
func (in Intake) PartnerMayBeContacted() bool {
	return in.PartnerEmail != "" && (in.PartnerAware != PartnerNotYet || in.PartnerContactAllowedAt != nil)
}

// PartnerWaiting reports whether the couple named a partner's email that
// may not be used yet: the client's pages offer to allow it.
func (in Intake) PartnerWaiting() bool {
	return in.Kind == Couple && in.PartnerEmail != "" && !in.PartnerMayBeContacted()
}

// PartnerContactEmail is the partner's address to send to, or "" while
// PartnerMayBeContacted is false. Everything that emails a partner takes
// the address from here.
func (in Intake) PartnerContactEmail() string {
	if !in.PartnerMayBeContacted() {
		return ""
	}
	return in.PartnerEmail
}

// AllowPartnerContactTx records, inside the caller's transaction, that the
// couple's partner may now be contacted; by is AllowedByClient or
// AllowedByStaff. It reports whether anything changed: allowing again, or
// for a request whose partner already knew, changes nothing.
func (s *Service) AllowPartnerContactTx(tx *gorm.DB, id int64, by string, now time.Time) (bool, error) {
	if by != AllowedByClient && by != AllowedByStaff {
		return false, fmt.Errorf("allow partner contact: unknown actor %q", by)
	}
	res := tx.Model(&row{}).
		Where("id = ? AND kind = ? AND partner_aware = ? AND partner_email <> '' AND partner_contact_allowed_at IS NULL", id, string(Couple), PartnerNotYet).
		Updates(map[string]any{"partner_contact_allowed_at": now.UTC(), "partner_contact_allowed_by": by, "updated_at": now.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("allow partner contact: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}
