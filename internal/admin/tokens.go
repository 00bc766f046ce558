package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

var tokenMessages = map[string]string{
	"revoked": "The token was revoked. Requests that use it are refused from now on.",
}

// TokenRow is one API token in the list.
type TokenRow struct {
	ID           int64
	Label        string
	AccountEmail string
	Created      string
	LastUsed     string
	Revoked      string
}

// TokenForm is the new-token form as typed.
type TokenForm struct {
	AccountID string
	Label     string
}

// TokensView lists the API tokens, with the form that creates one.
type TokensView struct {
	web.Layout
	Saved        string
	Rows         []TokenRow
	Accounts     []Option
	Form         TokenForm
	Errors       map[string]string
	ErrorMessage string
}

func (h *Handlers) tokens(c echo.Context) error {
	return h.renderTokens(c, http.StatusOK, &TokensView{Saved: tokenMessages[c.QueryParam("saved")]})
}

func (h *Handlers) renderTokens(c echo.Context, status int, v *TokensView) error {
	ctx := c.Request().Context()
	list, err := h.staff.Tokens(ctx)
	if err != nil {
		return err
	}
	accounts, err := h.staff.Accounts(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	for _, t := range list {
		v.Rows = append(v.Rows, TokenRow{ID: t.ID, Label: t.Label, AccountEmail: t.AccountEmail, Created: when(t.CreatedAt, loc),
			LastUsed: whenPtr(t.LastUsedAt, loc), Revoked: whenPtr(t.RevokedAt, loc)})
	}
	for _, a := range accounts {
		if a.Active {
			v.Accounts = append(v.Accounts, Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Email + " (" + roleLabel(a.Role) + ")"})
		}
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.Title = "API tokens"
	return h.r.Render(c, status, "staff_admin_tokens", v)
}

func tokenPurpose(tokenID, adminID int64) string {
	return fmt.Sprintf("api token %d, by %d", tokenID, adminID)
}

func (h *Handlers) createToken(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	form := TokenForm{AccountID: c.FormValue("account_id"), Label: strings.TrimSpace(c.FormValue("label"))}
	accountID, _ := strconv.ParseInt(strings.TrimSpace(form.AccountID), 10, 64)
	tok, secret, err := h.staff.IssueToken(c.Request().Context(), by.Account, by.IP, accountID, form.Label)
	if err == nil {
		h.reveal.put(c, tokenPurpose(tok.ID, by.Account.ID), secret)
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/admin/tokens/%d/secret", tok.ID))
	}
	status, fields, message, ok := formProblem(err)
	if !ok {
		return err
	}
	return h.renderTokens(c, status, &TokensView{Form: form, Errors: fields, ErrorMessage: message})
}

func (h *Handlers) tokenSecret(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	tok, err := h.staff.TokenByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := &SecretView{What: "API token", For: tok.AccountEmail, Label: tok.Label, Back: "/staff/admin/tokens", BackFor: "the API tokens"}
	v.Secret, _ = h.reveal.take(c, tokenPurpose(id, by.Account.ID))
	v.Title = "New API token"
	return h.r.Render(c, http.StatusOK, "staff_admin_secret", v)
}

func (h *Handlers) revokeToken(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	if err := h.staff.RevokeToken(c.Request().Context(), by.Account, by.IP, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, savedPath("/staff/admin/tokens", "revoked"))
}
