package web

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// IDParam reads the positive whole-number route parameter :id; anything
// else is notFound (an id that cannot exist names no record).
func IDParam(c echo.Context, notFound error) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound
	}
	return id, nil
}
