package public

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/firststep/firststep/internal/booking"
	"github.com/labstack/echo/v4"
)

// Feed serves a clinician's calendar feed, /feeds/TOKEN.ics (GET and HEAD).
func (h *BookingPages) Feed(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok {
		return booking.ErrFeedNotFound
	}
	cal, err := h.svc.Feed(c.Request().Context(), token)
	if err != nil {
		return err
	}
	// The address is a secret: shared caches must not keep the calendar,
	// while the subscriber may, revalidating with If-None-Match or
	// If-Modified-Since. http.ServeContent answers those (304), and HEAD.
	header := c.Response().Header()
	header.Set("Cache-Control", "private, no-cache")
	header.Set("Content-Type", "text/calendar; charset=utf-8")
	header.Set("ETag", cal.ETag)
	http.ServeContent(c.Response(), c.Request(), "", cal.Modified, bytes.NewReader(cal.Body))
	return nil
}
