package staff

import (
	"strings"

	"github.com/labstack/echo/v4"
)

const accountKey = "staff.account"

// CurrentAccount returns the signed-in account of the request, if any.
func CurrentAccount(c echo.Context) (Account, bool) {
	a, ok := c.Get(accountKey).(Account)
	return a, ok
}

// BearerAuth requires a valid API token on every request it guards.
func BearerAuth(svc *Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="firststep"`)
				return errBadToken
			}
			acc, err := svc.AuthenticateToken(c.Request().Context(), strings.TrimSpace(token))
			if err != nil {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="firststep", error="invalid_token"`)
				return err
			}
			c.Set(accountKey, acc)
			return next(c)
		}
	}
}
