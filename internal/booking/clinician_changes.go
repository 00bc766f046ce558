package booking

import "gorm.io/gorm"

// A clinician's hours and calendar feed are changed through the same
// service methods whoever makes the change (SetAvailability,
// RotateFeedToken). When a staff member makes it, the caller records who
// did with a ClinicianHook inside the change's own transaction.

// The kinds of change to a clinician's own settings, as ClinicianChange.Kind.
const (
	ChangeAvailability = "availability"
	ChangeCalendarFeed = "calendar_feed"
	ChangeCreated      = "created"
)

// ClinicianChange is a change to a clinician's hours or calendar feed.
type ClinicianChange struct {
	Kind        string // ChangeAvailability, ChangeCalendarFeed or ChangeCreated
	ClinicianID int64
}

// ClinicianHook runs inside the transaction of a change to a clinician's
// hours or feed, after it is written; an error undoes the change.
type ClinicianHook func(tx *gorm.DB, ch ClinicianChange) error

func runClinicianHooks(tx *gorm.DB, hooks []ClinicianHook, ch ClinicianChange) error {
	for _, h := range hooks {
		if h == nil {
			continue
		}
		if err := h(tx, ch); err != nil {
			return err
		}
	}
	return nil
}
