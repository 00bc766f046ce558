package staffui

import (
	"net/http"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/internal/web/auth"
	"github.com/labstack/echo/v4"
)

// PasswordPages serve the password page, where every signed-in account
// changes its own password.
type PasswordPages struct {
	svc *staff.Service
	r   *web.Renderer
}

// NewPasswordPages returns the password page handlers.
func NewPasswordPages(svc *staff.Service, r *web.Renderer) *PasswordPages {
	return &PasswordPages{svc: svc, r: r}
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

// Form shows the password page.
func (h *PasswordPages) Form(c echo.Context) error {
	acc, ok := auth.CurrentAccount(c)
	if !ok {
		return staff.ErrNoSession
	}
	v := &PasswordView{Forced: acc.MustChangePassword, Saved: c.QueryParam("saved") == "1" && !acc.MustChangePassword}
	return h.render(c, http.StatusOK, v)
}

func (h *PasswordPages) render(c echo.Context, status int, v *PasswordView) error {
	v.Title = "Change your password"
	if v.Forced {
		v.Title = "Choose your own password"
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.r.Render(c, status, "staff_password", v)
}

// Change sets a new password.
func (h *PasswordPages) Change(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	in := staff.PasswordChange{Current: c.FormValue("current_password"), New: c.FormValue("new_password"), Confirm: c.FormValue("confirm_password")}
	err = h.svc.ChangePassword(c.Request().Context(), by, auth.SessionToken(c), in)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, auth.PasswordPath+"?saved=1")
	}
	ae, status, ok := web.FormProblem(err, apperr.Invalid)
	if !ok {
		return err
	}
	v := &PasswordView{Forced: by.Account.MustChangePassword, Errors: ae.Fields, ErrorMessage: ae.Message}
	return h.render(c, status, v)
}
