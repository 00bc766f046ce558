package staff

import (
	"net/http"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// PasswordPath is the page where a signed-in account changes its password.
const PasswordPath = "/staff/password"

// PasswordFirst sends an account that must change its password (one an
// admin created or reset with a one-time password) to the password page
// from every other staff page, until it has chosen its own. Mount it on the
// staff pages after RequireSession.
func PasswordFirst(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if acc, ok := CurrentAccount(c); ok && acc.MustChangePassword && c.Request().URL.Path != PasswordPath {
			return c.Redirect(http.StatusSeeOther, PasswordPath)
		}
		return next(c)
	}
}

// PasswordHandlers serve the password page.
type PasswordHandlers struct {
	svc *Service
	r   *web.Renderer
}

// NewPasswordHandlers returns the password page handlers.
func NewPasswordHandlers(svc *Service, r *web.Renderer) *PasswordHandlers {
	return &PasswordHandlers{svc: svc, r: r}
}

// Routes registers the password page on g, the staff pages (mounted at
// /staff behind RequireSession). Every account may use it.
func (h *PasswordHandlers) Routes(g *echo.Group) {
	g.GET("/password", h.form)
	g.POST("/password", h.change)
}

// PasswordView is the password page. Passwords typed into it are never
// written back into the page, not even after a mistake.
type PasswordView struct {
	web.Layout
	Forced       bool // the account must choose its own password first
	Saved        bool
	Errors       map[string]string
	ErrorMessage string
}

func (h *PasswordHandlers) form(c echo.Context) error {
	acc, ok := CurrentAccount(c)
	if !ok {
		return errNoSession
	}
	v := &PasswordView{Forced: acc.MustChangePassword, Saved: c.QueryParam("saved") == "1" && !acc.MustChangePassword}
	return h.render(c, http.StatusOK, v)
}

func (h *PasswordHandlers) render(c echo.Context, status int, v *PasswordView) error {
	v.Title = "Change your password"
	if v.Forced {
		v.Title = "Choose your own password"
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.r.Render(c, status, "staff_password", v)
}

func (h *PasswordHandlers) change(c echo.Context) error {
	acc, ok := CurrentAccount(c)
	if !ok {
		return errNoSession
	}
	in := PasswordChange{Current: c.FormValue("current_password"), New: c.FormValue("new_password"), Confirm: c.FormValue("confirm_password")}
	err := h.svc.ChangePassword(c.Request().Context(), acc, c.RealIP(), sessionToken(c), in)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, PasswordPath+"?saved=1")
	}
	ae := apperr.As(err)
	if ae == nil || ae.Kind != apperr.Invalid {
		return err
	}
	v := &PasswordView{Forced: acc.MustChangePassword, Errors: ae.Fields, ErrorMessage: ae.Message}
	return h.render(c, http.StatusUnprocessableEntity, v)
}
