package staff

import (
	"net/http"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// SignInHandlers serve the sign-in page and sign-out.
type SignInHandlers struct {
	sessions *Sessions
	r        *web.Renderer
}

// NewSignInHandlers returns the sign-in handlers.
func NewSignInHandlers(s *Sessions, r *web.Renderer) *SignInHandlers {
	return &SignInHandlers{sessions: s, r: r}
}

// Routes registers the sign-in page and sign-out on e. They sit outside
// RequireSession: one is for people without a session, and signing out
// must clear the cookie even of a session that has already expired.
func (h *SignInHandlers) Routes(e *echo.Echo) {
	e.GET("/staff/signin", h.form)
	e.POST("/staff/signin", h.signIn)
	e.POST("/staff/signout", h.signOut)
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

func sessionToken(c echo.Context) string {
	if ck, err := c.Cookie(SessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

func (h *SignInHandlers) form(c echo.Context) error {
	next := LocalPath(c.QueryParam("next"))
	if tok := sessionToken(c); tok != "" {
		if _, err := h.sessions.Authenticate(c.Request().Context(), tok); err == nil {
			return c.Redirect(http.StatusSeeOther, orStaff(next))
		}
	}
	v := &SignInView{Next: next, SignedOut: c.QueryParam("signed_out") == "1", DraftKept: hasDraft(c)}
	v.Title = "Staff sign-in"
	return h.r.Render(c, http.StatusOK, "staff_signin", v)
}

func (h *SignInHandlers) signIn(c echo.Context) error {
	email, password := c.FormValue("email"), c.FormValue("password")
	next := LocalPath(c.FormValue("next"))
	_, token, err := h.sessions.SignIn(c.Request().Context(), Credentials{Email: email, Password: password}, c.RealIP(), sessionToken(c))
	if err != nil {
		ae := apperr.As(err)
		if ae == nil || ae.Kind != apperr.Unauthorized {
			return err
		}
		v := &SignInView{Email: email, Next: next, Error: ae.Message, DraftKept: hasDraft(c)}
		v.Title = "Staff sign-in"
		return h.r.Render(c, http.StatusUnauthorized, "staff_signin", v)
	}
	c.SetCookie(h.sessions.Cookie(token))
	// A CSRF token from before sign-in (one someone else may have planted)
	// is not carried into the session: the next page issues a fresh one.
	c.SetCookie(&http.Cookie{Name: "_csrf", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusSeeOther, orStaff(next))
}

func (h *SignInHandlers) signOut(c echo.Context) error {
	if err := h.sessions.SignOut(c.Request().Context(), sessionToken(c), c.RealIP()); err != nil {
		return err
	}
	c.SetCookie(h.sessions.ClearCookie())
	return c.Redirect(http.StatusSeeOther, "/staff/signin?signed_out=1")
}

func hasDraft(c echo.Context) bool {
	ck, err := c.Cookie(DraftCookie)
	return err == nil && ck.Value != ""
}

func orStaff(next string) string {
	if next == "" {
		return "/staff"
	}
	return next
}
