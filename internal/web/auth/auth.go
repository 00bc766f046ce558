// Package auth is the staff area's guards on top of internal/staff: who is
// signed in (a session cookie for the pages, a Bearer token for the JSON
// API), whether their role allows the page, and the staff member read from
// the request for the services to record in the audit log.
package auth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

const accountKey = "staff.account"

// CurrentAccount returns the signed-in account of the request, if any.
func CurrentAccount(c echo.Context) (staff.Account, bool) {
	a, ok := c.Get(accountKey).(staff.Account)
	return a, ok
}

// noStore keeps responses about staff and clients out of every cache,
// whatever path the route has.
func noStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

// BearerAuth requires a valid API token on every request it guards.
func BearerAuth(svc *staff.Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			noStore(c)
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") { // the scheme is case-insensitive (RFC 9110)
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="firststep"`)
				return staff.ErrBadToken
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

// RequireSession guards the staff pages: a request without a live session
// is sent to the sign-in page, which brings the person back afterwards.
// The text of a form of forms sent after the session ended is kept and
// put back into the form after sign-in (see DraftForm).
func RequireSession(s *staff.Sessions, forms ...DraftForm) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			noStore(c)
			ck, err := c.Cookie(staff.SessionCookie)
			if err == nil && ck.Value != "" {
				acc, err := s.Authenticate(c.Request().Context(), ck.Value)
				if err == nil {
					c.Set(accountKey, acc)
					if err := restoreDraft(c, s, acc); err != nil {
						return err
					}
					return next(c)
				}
				if apperr.KindOf(err) != apperr.Unauthorized {
					return err
				}
				back, kept, err := keepDraft(c, s, forms)
				if err != nil {
					return err
				}
				c.SetCookie(s.ClearCookie())
				if kept {
					return c.Redirect(http.StatusSeeOther, "/staff/signin?next="+url.QueryEscape(back))
				}
			}
			return redirectToSignIn(c)
		}
	}
}

// Require lets the request through only when the signed-in account has p:
// 403 otherwise. Without an account it answers 401 on the JSON API and
// sends a person to the sign-in page.
func Require(p staff.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			acc, ok := CurrentAccount(c)
			if !ok {
				if web.IsAPI(c) {
					return staff.ErrBadToken
				}
				return redirectToSignIn(c)
			}
			if !acc.Can(p) {
				return staff.ErrForbidden
			}
			return next(c)
		}
	}
}

// redirectToSignIn sends the browser to the sign-in page. A page that was
// being read (GET) is where the person returns; a form post is not
// repeated, so it brings them to the start of the staff area instead.
func redirectToSignIn(c echo.Context) error {
	target := "/staff/signin"
	req := c.Request()
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		if next := LocalPath(req.URL.RequestURI()); next != "" && next != "/staff" {
			target += "?next=" + url.QueryEscape(next)
		}
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// LocalPath returns p when it is a path on this site ("/staff/intakes/3?x=1")
// and "" otherwise: never another host ("//evil.example", "https://…",
// "/\evil.example"), so a sign-in link cannot send anyone elsewhere.
func LocalPath(p string) string {
	if p == "" || p[0] != '/' || len(p) > 2000 {
		return ""
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return ""
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}

// Nav describes the signed-in account for the staff header; the renderer
// calls it for every page. Can holds every permission by name.
func Nav(c echo.Context) *web.StaffNav {
	acc, ok := CurrentAccount(c)
	if !ok {
		return nil
	}
	perms := staff.Permissions()
	can := make(map[string]bool, len(perms))
	for _, p := range perms {
		can[string(p)] = acc.Can(p)
	}
	return &web.StaffNav{Email: acc.Email, Role: string(acc.Role), Can: can}
}

// SessionToken is the session cookie's value, or "".
func SessionToken(c echo.Context) string {
	if ck, err := c.Cookie(staff.SessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// RequireAny lets a request through when the account has any of perms.
func RequireAny(perms ...staff.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			acc, ok := CurrentAccount(c)
			if !ok {
				return Require(perms[0])(next)(c) // sends the visitor to sign in
			}
			for _, p := range perms {
				if acc.Can(p) {
					return next(c)
				}
			}
			return staff.ErrForbidden
		}
	}
}
