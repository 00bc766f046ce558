package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

const accountKey = "staff.account"

// CurrentAccount returns the signed-in account of the request, if any.
func CurrentAccount(c echo.Context) (Account, bool) {
	a, ok := c.Get(accountKey).(Account)
	return a, ok
}

var errForbidden = apperr.New(apperr.Forbidden, "forbidden", "Your role does not allow this. Ask an administrator if you need it.")

// noStore keeps responses about staff and clients out of every cache,
// whatever path the route has.
func noStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

// BearerAuth requires a valid API token on every request it guards.
func BearerAuth(svc *Service) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			noStore(c)
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") { // the scheme is case-insensitive (RFC 9110)
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

// RequireSession guards the staff pages: a request without a live session
// is sent to the sign-in page, which brings the person back afterwards.
// The text of a form of forms sent after the session ended is kept and
// put back into the form after sign-in (see DraftForm).
func RequireSession(s *Sessions, forms ...DraftForm) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			noStore(c)
			ck, err := c.Cookie(SessionCookie)
			if err == nil && ck.Value != "" {
				acc, err := s.Authenticate(c.Request().Context(), ck.Value)
				if err == nil {
					c.Set(accountKey, acc)
					if err := s.restoreDraft(c, acc); err != nil {
						return err
					}
					return next(c)
				}
				if apperr.KindOf(err) != apperr.Unauthorized {
					return err
				}
				back, kept, err := s.keepDraft(c, forms)
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
func Require(p Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			acc, ok := CurrentAccount(c)
			if !ok {
				if web.IsAPI(c) {
					return errBadToken
				}
				return redirectToSignIn(c)
			}
			if !acc.Can(p) {
				return errForbidden
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
	can := make(map[string]bool, len(matrix))
	for _, p := range Permissions() {
		can[string(p)] = acc.Can(p)
	}
	return &web.StaffNav{Email: acc.Email, Role: string(acc.Role), Can: can}
}
