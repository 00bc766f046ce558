package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// MaxBody is the largest request body accepted anywhere.
const MaxBody = "64K"

// csrfKey is where the CSRF middleware leaves the token for templates.
const csrfKey = "csrf"

// CSRF checks a token on every unsafe method of the HTML side. The JSON API
// is exempt: it carries no ambient credentials (staff use Bearer tokens).
// So are calendar feeds: calendar apps only read them, and a cookie set on
// every poll would only be noise in their stores.
func CSRF(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		Skipper: func(c echo.Context) bool {
			return IsAPI(c) || boundToSession(c) || strings.HasPrefix(c.Request().URL.Path, "/feeds/")
		},
		TokenLookup:    "form:_csrf",
		ContextKey:     csrfKey,
		CookieName:     "_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
		CookieSameSite: http.SameSiteLaxMode,
		CookieMaxAge:   86400,
		ErrorHandler: func(err error, c echo.Context) error {
			return errCSRF
		},
	})
}

// RateLimit allows perHour public submissions per client IP; over it the
// request is refused with 429 and Retry-After. perHour 0 means no limit.
func RateLimit(perHour int) echo.MiddlewareFunc {
	if perHour <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	retryAfter := strconv.Itoa(int(math.Ceil(3600 / float64(perHour))))
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      rate.Limit(float64(perHour) / 3600),
		Burst:     perHour,
		ExpiresIn: time.Hour,
	})
	// Echo's RateLimiter middleware writes its refusal itself; returning it
	// instead lets a form page show itself again (KeepFormWhenLimited).
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if allow, _ := store.Allow(c.RealIP()); !allow {
				c.Response().Header().Set("Retry-After", retryAfter)
				return apperr.New(apperr.RateLimited, "rate_limited",
					"You have sent a lot of requests in a short time. Please wait a few minutes and try again. If you need help now, the crisis resources are at /crisis.")
			}
			return next(c)
		}
	}
}

// SecurityHeaders sets the headers every response carries. frameAncestors is
// the practice site's origin allowed to embed the public pages ("" for none).
func SecurityHeaders(frameAncestors string) echo.MiddlewareFunc {
	fa := "'none'"
	if frameAncestors != "" {
		fa = frameAncestors
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			ancestors := fa
			if IsStaff(c) {
				ancestors = "'none'"
				h.Set("Cache-Control", "no-store")
			}
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
				"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors "+ancestors)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			return next(c)
		}
	}
}

// IsStaff reports whether the request is for the staff pages (the sign-in
// page included). The staff JSON API gets no-store from BearerAuth.
func IsStaff(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/staff")
}

// KeepFormWhenLimited lets a form page answer the rate limit's refusal by
// showing the form again, with everything typed and the refusal's message
// (show renders it with status 429; Retry-After stays), rather than a bare
// error page. The limit still refuses: nothing is stored. Mount it before
// the limit: e.POST(path, handler, web.KeepFormWhenLimited(show), limit).
func KeepFormWhenLimited(show func(c echo.Context, refusal *apperr.Error) error) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if ae := apperr.As(err); ae != nil && ae.Kind == apperr.RateLimited && !c.Response().Committed {
				return show(c, ae)
			}
			return err
		}
	}
}
