package auth

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// PasswordPath is the page where a signed-in account changes its password.
const PasswordPath = "/staff/password"

// PasswordFirst sends an account that must change its password (one an
// admin created or reset with a one-time password) to the password page
// from every other staff page, until it has chosen its own. Mount it on the
// staff pages after RequireSession.
func PasswordFirst(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if acc, ok := CurrentAccount(c); ok && acc.MustChangePassword && c.Request().URL.Path != PasswordPath {
			return c.Redirect(http.StatusSeeOther, PasswordPath)
		}
		return next(c)
	}
}
