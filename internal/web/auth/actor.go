package auth

import (
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/staff"
	"github.com/labstack/echo/v4"
)

// ActorOf returns the signed-in staff member of the request.
func ActorOf(c echo.Context) (staff.Actor, error) {
	acc, ok := CurrentAccount(c)
	if !ok {
		return staff.Actor{}, apperr.New(apperr.Unauthorized, "unauthorized", "Please sign in.")
	}
	return staff.Actor{Account: acc, IP: c.RealIP()}, nil
}
