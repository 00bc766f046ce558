package app

import (
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/web/auth"
	"github.com/labstack/echo/v4"
)

// canManageClinicians guards adding and changing clinicians.
func (a *App) canManageClinicians(next echo.HandlerFunc) echo.HandlerFunc {
	return auth.Require(staff.ManageClinicians)(next)
}

// canManageAvailability lets admins see and change any clinician's hours
// and a clinician only their own.
func (a *App) canManageAvailability(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		acc, ok := auth.CurrentAccount(c)
		if !ok {
			return apperr.New(apperr.Unauthorized, "unauthorized", "Please sign in.")
		}
		id, err := web.IDParam(c, booking.ErrClinicianNotFound)
		if err != nil {
			return err
		}
		if acc.Can(staff.ManageAnyAvailability) || acc.Can(staff.ManageOwnAvailability) && acc.ClinicianID != nil && *acc.ClinicianID == id {
			return next(c)
		}
		return apperr.New(apperr.Forbidden, "forbidden", "Only an administrator or this clinician may see or change these consultation hours.")
	}
}
