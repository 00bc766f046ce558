// Package staffui is the staff area's pages: the intake queue and intake
// page, consultation hours, booking on a client's behalf, the admin area,
// sign-in and the password page. Each handler parses the request, calls
// one service method and renders.
package staffui

import (
	"net/http"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/web/auth"
	"github.com/labstack/echo/v4"
)

// SignInPages serve the sign-in page and sign-out. They sit outside
// auth.RequireSession: one is for people without a session, and signing
// out must clear the cookie even of a session that has already expired.
type SignInPages struct {
	sessions *staff.Sessions
	r        *web.Renderer
}

// NewSignInPages returns the sign-in handlers.
func NewSignInPages(s *staff.Sessions, r *web.Renderer) *SignInPages {
	return &SignInPages{sessions: s, r: r}
}

// SignInView is the sign-in page.
type SignInView struct {
	web.Layout
	Email     string
	Next      string
	Error     string
	SignedOut bool // just signed out
	DraftKept bool // a form's text is kept for after sign-in
}

// Form shows the sign-in page, or sends a signed-in person on.
func (h *SignInPages) Form(c echo.Context) error {
	next := auth.LocalPath(c.QueryParam("next"))
	if tok := auth.SessionToken(c); tok != "" {
		if _, err := h.sessions.Authenticate(c.Request().Context(), tok); err == nil {
			return c.Redirect(http.StatusSeeOther, signInOrStaff(next))
		}
	}
	v := &SignInView{Next: next, SignedOut: c.QueryParam("signed_out") == "1", DraftKept: auth.HasDraft(c)}
	v.Title = "Staff sign-in"
	return h.r.Render(c, http.StatusOK, "staff_signin", v)
}

// SignIn checks the email and password and starts a session.
func (h *SignInPages) SignIn(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	next := auth.LocalPath(c.FormValue("next"))
	_, token, err := h.sessions.SignIn(c.Request().Context(), staff.Credentials{Email: email, Password: password}, c.RealIP(), auth.SessionToken(c))
	if err != nil {
		ae, status, ok := web.FormProblem(err, apperr.Unauthorized)
		if !ok {
			return err
		}
		v := &SignInView{Email: email, Next: next, Error: ae.Message, DraftKept: auth.HasDraft(c)}
		v.Title = "Staff sign-in"
		return h.r.Render(c, status, "staff_signin", v)
	}
	c.SetCookie(h.sessions.Cookie(token))
	// A CSRF token from before sign-in (one someone else may have planted)
	// is not carried into the session: the next page issues a fresh one.
	c.SetCookie(&http.Cookie{Name: "_csrf", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, signInOrStaff(next))
}

// SignOut ends the session.
func (h *SignInPages) SignOut(c echo.Context) error {
	if err := h.sessions.SignOut(c.Request().Context(), auth.SessionToken(c), c.RealIP()); err != nil {
		return err
	}
	c.SetCookie(h.sessions.ClearCookie())
	return c.Redirect(http.StatusSeeOther, "/staff/signin?signed_out=1")
}

func signInOrStaff(next string) string {
	if next == "" {
		return "/staff"
	}
	return next
}
