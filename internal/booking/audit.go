package booking

import (
	"fmt"
	"strconv"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"gorm.io/gorm"
)

// What a staff member's change to a consultation or to a clinician's
// settings writes to the audit log, in the change's own transaction (the
// change and its entry commit together or not at all). The handlers pass
// who acted; these hooks are the only place the entries are worded.

// onBehalfActions name the audit action of each change made on a client's
// behalf.
var onBehalfActions = map[string]string{
	OnBehalfBook:         audit.BookingCreate,
	OnBehalfReschedule:   audit.BookingReschedule,
	OnBehalfCancel:       audit.BookingCancel,
	OnBehalfAllowPartner: audit.IntakePartnerContact,
}

// AuditOnBehalf is the hook that records a change by made to a
// consultation on a client's behalf. The entry names the booking, the
// request, the clinician and the time.
func (s *Service) AuditOnBehalf(by audit.Actor) AuditHook {
	return func(tx *gorm.DB, ch StaffChange) error {
		action, known := onBehalfActions[ch.Kind]
		if !known {
			return fmt.Errorf("audit booking change: unknown kind %q", ch.Kind)
		}
		rec := audit.For(tx, s.now(), by)
		if ch.Kind == OnBehalfAllowPartner {
			return rec.Record(action, audit.TypeIntake, strconv.FormatInt(ch.IntakeID, 10),
				fmt.Sprintf("partner may now be contacted; booking %d", ch.BookingID))
		}
		return rec.Record(action, audit.TypeBooking, strconv.FormatInt(ch.BookingID, 10),
			fmt.Sprintf("intake %d, clinician %d, %s, sequence %d", ch.IntakeID, ch.ClinicianID,
				ch.Start.UTC().Format(time.RFC3339), ch.Sequence))
	}
}

// clinicianActions name the audit entry of each change to a clinician's
// own settings.
var clinicianActions = map[string]string{
	ChangeAvailability: audit.AvailabilityUpdate,
	ChangeCalendarFeed: audit.CalendarFeedRotate,
	ChangeCreated:      audit.ClinicianCreate,
}

// AuditClinicianChange is the hook that records a change by to a
// clinician's hours or calendar feed, or the adding of a clinician.
func (s *Service) AuditClinicianChange(by audit.Actor) ClinicianHook {
	return func(tx *gorm.DB, ch ClinicianChange) error {
		action, known := clinicianActions[ch.Kind]
		if !known {
			return fmt.Errorf("audit clinician change: unknown kind %q", ch.Kind)
		}
		return audit.For(tx, s.now(), by).Record(action, audit.TypeClinician, strconv.FormatInt(ch.ClinicianID, 10), "")
	}
}
