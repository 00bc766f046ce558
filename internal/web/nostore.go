package web

import (
	"strings"

	"github.com/labstack/echo/v4"
)

// TokenParam is the route parameter that carries a client's secret (intake,
// manage, partner and offer links). Every route with it answers no-store.
const TokenParam = ":token"

// NoStoreTokens marks every response of a route whose path carries a
// client's secret Cache-Control: no-store, so that neither a shared cache
// nor the browser's keeps a page or answer only that link should open.
// It goes by the route pattern, so a new token route is covered by naming
// its parameter :token.
func NoStoreTokens(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.Contains(c.Path(), TokenParam) {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		}
		return next(c)
	}
}
