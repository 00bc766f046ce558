package app

import (
	"github.com/firststep/firststep/internal/web/auth"
	"strconv"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/staff"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// hoursViewer tells the consultation-hours pages who is signed in: whose
// own hours they keep, whether they may keep everyone's, and whether they
// may see a clinician's consultations.
func (a *App) hoursViewer(c echo.Context) (booking.HoursViewer, bool) {
	acc, ok := auth.CurrentAccount(c)
	if !ok {
		return booking.HoursViewer{}, false
	}
	v := booking.HoursViewer{ManageAny: acc.Can(staff.ManageAnyAvailability), ViewBookings: acc.Can(staff.ViewOwnBookings),
		ManageBookings: acc.Can(staff.ManageBookings)}
	if acc.ClinicianID != nil && acc.Can(staff.ManageOwnAvailability) {
		v.ClinicianID = *acc.ClinicianID
	}
	return v, true
}

// clinicianActions name the audit entry of each change to a clinician's
// own settings.
var clinicianActions = map[string]string{
	booking.ChangeAvailability: audit.AvailabilityUpdate,
	booking.ChangeCalendarFeed: audit.CalendarFeedRotate,
	booking.ChangeCreated:      audit.ClinicianCreate,
}

// clinicianAudit records a change to a clinician's hours or calendar feed
// by the signed-in staff member of c, in the change's transaction.
func (a *App) clinicianAudit(c echo.Context) booking.ClinicianHook {
	by, err := auth.ActorOf(c)
	if err != nil {
		return nil
	}
	return func(tx *gorm.DB, ch booking.ClinicianChange) error {
		return audit.Record(tx, a.Now(), by.Entry(clinicianActions[ch.Kind], audit.TypeClinician, strconv.FormatInt(ch.ClinicianID, 10), ""))
	}
}
