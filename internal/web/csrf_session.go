package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/labstack/echo/v4"
)

// boundKey marks a request whose CSRF token SessionCSRF checked, so that
// the cookie-based CSRF middleware leaves it alone.
const boundKey = "csrf_bound"

// SessionCSRFToken is the CSRF token of the staff session whose secret is
// session: an HMAC of the session's own secret, so it is the same on every
// page of that session, useless in any other, and reveals nothing of the
// secret (which stays in an HttpOnly cookie).
func SessionCSRFToken(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("firststep csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SessionCSRF binds the CSRF token of the staff pages to the session the
// browser presents (the cookie named sessionCookie): a token taken from
// another session, or planted beside a cookie of the attacker's choosing,
// is refused. Requests without a session (the public pages, the sign-in
// page before signing in) keep the double-submit cookie of CSRF. Mount it
// before CSRF.
func SessionCSRF(sessionCookie string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !IsStaff(c) {
				return next(c)
			}
			ck, err := c.Cookie(sessionCookie)
			if err != nil || ck.Value == "" {
				return next(c)
			}
			token := SessionCSRFToken(ck.Value)
			switch c.Request().Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			default:
				sent := c.FormValue("_csrf")
				if subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
					return errCSRF
				}
			}
			c.Set(boundKey, true)
			c.Set(csrfKey, token)
			return next(c)
		}
	}
}

var errCSRF = apperr.New(apperr.Forbidden, "csrf", "This form has expired or did not come from this site. Please reload the page and send it again.")

func boundToSession(c echo.Context) bool { return c.Get(boundKey) != nil }
