package staffui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

var adminTokenMessages = map[string]string{
	"revoked": "The token was revoked. Requests that use it are refused from now on.",
}

// AdminTokenRow is one API token in the list.
type AdminTokenRow struct {
	ID           int64
	Label        string
	AccountEmail string
	Created      string
	LastUsed     string
	Revoked      string
}

// AdminTokenForm is the new-token form as typed.
type AdminTokenForm struct {
	AccountID string
	Label     string
}

// AdminTokensView lists the API tokens, with the form that creates one.
type AdminTokensView struct {
	web.Layout
	Saved        string
	Rows         []AdminTokenRow
	Accounts     []AdminOption
	Form         AdminTokenForm
	Errors       map[string]string
	ErrorMessage string
}

func (h *AdminPages) Tokens(c echo.Context) error {
	return h.renderTokens(c, http.StatusOK, &AdminTokensView{Saved: adminTokenMessages[c.QueryParam("saved")]})
}

func (h *AdminPages) renderTokens(c echo.Context, status int, v *AdminTokensView) error {
	ctx := c.Request().Context()
	list, err := h.svc.TokenList(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	for _, t := range list.Tokens {
		v.Rows = append(v.Rows, AdminTokenRow{ID: t.ID, Label: t.Label, AccountEmail: t.AccountEmail, Created: adminWhen(t.CreatedAt, loc),
			LastUsed: adminWhenPtr(t.LastUsedAt, loc), Revoked: adminWhenPtr(t.RevokedAt, loc)})
	}
	for _, a := range list.Accounts {
		v.Accounts = append(v.Accounts, AdminOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Email + " (" + adminRoleLabel(a.Role) + ")"})
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.Title = "API tokens"
	return h.r.Render(c, status, "staff_admin_tokens", v)
}

func adminTokenPurpose(tokenID, adminID int64) string {
	return fmt.Sprintf("api token %d, by %d", tokenID, adminID)
}

func (h *AdminPages) CreateToken(c echo.Context) error {
	by, err := adminActorOf(c)
	if err != nil {
		return err
	}
	form := AdminTokenForm{AccountID: c.FormValue("account_id"), Label: strings.TrimSpace(c.FormValue("label"))}
	accountID, _ := strconv.ParseInt(strings.TrimSpace(form.AccountID), 10, 64)
	tok, secret, err := h.svc.IssueToken(c.Request().Context(), by, accountID, form.Label)
	if err == nil {
		h.reveal.put(c, adminTokenPurpose(tok.ID, by.Account.ID), secret)
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/admin/tokens/%d/secret", tok.ID))
	}
	status, fields, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	return h.renderTokens(c, status, &AdminTokensView{Form: form, Errors: fields, ErrorMessage: message})
}

func (h *AdminPages) TokenSecret(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	tok, err := h.svc.Token(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := &AdminSecretView{What: "API token", For: tok.AccountEmail, Label: tok.Label, Back: "/staff/admin/tokens", BackFor: "the API tokens"}
	v.Secret, _ = h.reveal.take(c, adminTokenPurpose(id, by.Account.ID))
	v.Title = "New API token"
	return h.r.Render(c, http.StatusOK, "staff_admin_secret", v)
}

func (h *AdminPages) RevokeToken(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	if err := h.svc.RevokeToken(c.Request().Context(), by, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, adminSavedPath("/staff/admin/tokens", "revoked"))
}
