package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// RequestLog logs one line per request. It logs the route pattern, not the
// URL: paths carry client tokens and query strings may carry personal data.
func RequestLog(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			logger.Log(c.Request().Context(), level, "request", "method", c.Request().Method, "route", c.Path(),
				"status", status, "duration_ms", time.Since(start).Milliseconds(), "ip", c.RealIP())
			return nil
		}
	}
}

// Static serves the embedded assets with a day of caching. Folders are not
// listed: asking for one answers 404.
func Static(files fs.FS) http.Handler {
	h := http.FileServer(http.FS(filesOnly{files}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// filesOnly opens files and answers fs.ErrNotExist for folders, so that
// http.FileServer never writes a folder listing.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
