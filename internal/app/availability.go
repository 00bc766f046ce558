package app

import (
	"github.com/firststep/firststep/internal/web/auth"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web/staffui"
	"github.com/labstack/echo/v4"
)

// hoursViewer tells the consultation-hours pages who is signed in: whose
// own hours they keep, whether they may keep everyone's, and whether they
// may see a clinician's consultations.
func (a *App) hoursViewer(c echo.Context) (staffui.BookingHoursViewer, bool) {
	acc, ok := auth.CurrentAccount(c)
	if !ok {
		return staffui.BookingHoursViewer{}, false
	}
	v := staffui.BookingHoursViewer{ManageAny: acc.Can(staff.ManageAnyAvailability), ViewBookings: acc.Can(staff.ViewOwnBookings),
		ManageBookings: acc.Can(staff.ManageBookings)}
	if acc.ClinicianID != nil && acc.Can(staff.ManageOwnAvailability) {
		v.ClinicianID = *acc.ClinicianID
	}
	return v, true
}

// clinicianAudit turns the request into the staff member who changes a
// clinician's hours or calendar feed; booking records it in the change's
// transaction.
func (a *App) clinicianAudit(c echo.Context) booking.ClinicianHook {
	by, err := auth.ActorOf(c)
	if err != nil {
		return nil
	}
	return a.Booking.AuditClinicianChange(by.Audit())
}
