package admin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// Roles are the roles an admin can give, with what each is called.
var Roles = []Option{
	{string(staff.Admin), "Admin"},
	{string(staff.Frontdesk), "Front desk"},
	{string(staff.Clinician), "Clinician"},
}

func roleLabel(r staff.Role) string {
	for _, o := range Roles {
		if o.Value == string(r) {
			return o.Label
		}
	}
	return string(r)
}

var accountMessages = map[string]string{
	"role":        "The role was saved.",
	"deactivated": "The account was deactivated. Its sessions ended and its API tokens were revoked.",
	"reactivated": "The account was reactivated. It can sign in again with its password.",
}

// AccountRow is one account in the list and on its own page.
type AccountRow struct {
	ID                 int64
	Email              string
	Name               string
	Role               string
	Clinician          string
	Active             bool
	MustChangePassword bool
	Created            string
}

// AccountsView is the list of staff accounts.
type AccountsView struct {
	web.Layout
	Saved string
	Rows  []AccountRow
}

func (h *Handlers) clinicianNames(ctx context.Context) (map[int64]string, []booking.Clinician, error) {
	list, err := h.cl.Clinicians(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(list))
	for _, c := range list {
		names[c.ID] = c.Name
	}
	return names, list, nil
}

func accountRow(a staff.Account, names map[int64]string) AccountRow {
	row := AccountRow{ID: a.ID, Email: a.Email, Name: a.Name, Role: roleLabel(a.Role), Active: a.Active, MustChangePassword: a.MustChangePassword}
	if a.ClinicianID != nil {
		row.Clinician = names[*a.ClinicianID]
		if row.Clinician == "" {
			row.Clinician = fmt.Sprintf("Clinician %d", *a.ClinicianID)
		}
	}
	return row
}

func (h *Handlers) accounts(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := h.staff.Accounts(ctx)
	if err != nil {
		return err
	}
	names, _, err := h.clinicianNames(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	v := &AccountsView{Saved: accountMessages[c.QueryParam("saved")]}
	v.Title = "Staff accounts"
	for _, a := range list {
		row := accountRow(a, names)
		row.Created = when(a.CreatedAt, loc)
		v.Rows = append(v.Rows, row)
	}
	return h.r.Render(c, http.StatusOK, "staff_admin_accounts", v)
}

// AccountForm is the invitation form as typed.
type AccountForm struct {
	Email       string
	Name        string
	Role        string
	ClinicianID string
}

// AccountNewView is the page that opens an account for a colleague.
type AccountNewView struct {
	web.Layout
	Form         AccountForm
	Errors       map[string]string
	ErrorMessage string
	Roles        []Option
	Clinicians   []Option
}

// clinicianOptions lists the clinicians for an account's select; an
// inactive one is listed only when it is the current choice.
func clinicianOptions(list []booking.Clinician, current string) []Option {
	var out []Option
	for _, c := range list {
		id := strconv.FormatInt(c.ID, 10)
		if !c.Active && id != current {
			continue
		}
		label := c.Name
		if !c.Active {
			label += " (inactive)"
		}
		out = append(out, Option{Value: id, Label: label})
	}
	return out
}

// parseClinicianID reads the clinician select: "" is none.
func parseClinicianID(s string) (*int64, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, "Choose a clinician from the list."
	}
	return &id, ""
}

func (h *Handlers) newAccount(c echo.Context) error {
	return h.renderNewAccount(c, http.StatusOK, &AccountNewView{Form: AccountForm{Role: string(staff.Frontdesk)}})
}

func (h *Handlers) renderNewAccount(c echo.Context, status int, v *AccountNewView) error {
	_, list, err := h.clinicianNames(c.Request().Context())
	if err != nil {
		return err
	}
	v.Title = "Invite a colleague"
	v.Roles, v.Clinicians = Roles, clinicianOptions(list, v.Form.ClinicianID)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.r.Render(c, status, "staff_admin_account_new", v)
}

func (h *Handlers) createAccount(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	form := AccountForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")),
		Role: c.FormValue("role"), ClinicianID: c.FormValue("clinician_id")}
	in := staff.Invite{Email: form.Email, Name: form.Name, Role: staff.Role(form.Role)}
	clinicianID, msg := parseClinicianID(form.ClinicianID)
	if msg != "" {
		err = apperr.Validation(map[string]string{"clinician_id": msg})
	} else {
		in.ClinicianID = clinicianID
		if in.Role != staff.Clinician {
			in.ClinicianID = nil // a clinician chosen before switching the role away
		}
		var (
			acc      staff.Account
			password string
		)
		acc, password, err = h.staff.Invite(c.Request().Context(), by.Account, by.IP, in)
		if err == nil {
			h.reveal.put(c, accountPurpose(acc.ID, by.Account.ID), password)
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/admin/accounts/%d/password", acc.ID))
		}
	}
	status, fields, message, ok := formProblem(err)
	if !ok {
		return err
	}
	return h.renderNewAccount(c, status, &AccountNewView{Form: form, Errors: fields, ErrorMessage: message})
}

func accountPurpose(accountID, adminID int64) string {
	return fmt.Sprintf("account %d password, by %d", accountID, adminID)
}

// SecretView shows a new one-time password or API token, once.
type SecretView struct {
	web.Layout
	What    string // "one-time password" or "API token"
	For     string // the account's email
	Label   string // the token's label
	Secret  string // empty when it was shown already
	Back    string
	BackFor string
}

func (h *Handlers) accountPassword(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	acc, err := h.staff.AccountByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := &SecretView{What: "one-time password", For: acc.Email, Back: fmt.Sprintf("/staff/admin/accounts/%d", id), BackFor: "the account"}
	v.Secret, _ = h.reveal.take(c, accountPurpose(id, by.Account.ID))
	v.Title = "One-time password"
	return h.r.Render(c, http.StatusOK, "staff_admin_secret", v)
}

// AccountView is one account's page: its details, its role, and the
// buttons that deactivate, reactivate or reset it.
type AccountView struct {
	web.Layout
	Account      AccountRow
	Self         bool
	Saved        string
	Errors       map[string]string
	ErrorMessage string
	Form         AccountForm // the role form as typed (or as stored)
	Roles        []Option
	Clinicians   []Option
}

func (h *Handlers) account(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK, &AccountView{Saved: accountMessages[c.QueryParam("saved")]}, false)
}

// renderAccount shows account :id; keepForm leaves the role form as the
// person typed it.
func (h *Handlers) renderAccount(c echo.Context, status int, v *AccountView, keepForm bool) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := h.staff.AccountByID(ctx, id)
	if err != nil {
		return err
	}
	names, list, err := h.clinicianNames(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	v.Account = accountRow(acc, names)
	v.Account.Created = when(acc.CreatedAt, loc)
	v.Self = acc.ID == by.Account.ID
	if !keepForm {
		v.Form = AccountForm{Role: string(acc.Role)}
		if acc.ClinicianID != nil {
			v.Form.ClinicianID = strconv.FormatInt(*acc.ClinicianID, 10)
		}
	}
	v.Roles, v.Clinicians = Roles, clinicianOptions(list, v.Form.ClinicianID)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.Title = "Account " + acc.Email
	return h.r.Render(c, status, "staff_admin_account", v)
}

// afterAccountChange redirects to the account's page on success and shows
// it again with the reason otherwise.
func (h *Handlers) afterAccountChange(c echo.Context, id int64, saved string, err error, keep func(*AccountView)) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, savedPath(fmt.Sprintf("/staff/admin/accounts/%d", id), saved))
	}
	status, fields, message, ok := formProblem(err)
	if !ok {
		return err
	}
	v := &AccountView{Errors: fields, ErrorMessage: message}
	if keep != nil {
		keep(v)
	}
	return h.renderAccount(c, status, v, keep != nil)
}

func (h *Handlers) setRole(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	role, clinician := c.FormValue("role"), c.FormValue("clinician_id")
	keep := func(v *AccountView) { v.Form = AccountForm{Role: role, ClinicianID: clinician} }
	clinicianID, msg := parseClinicianID(clinician)
	if msg != "" {
		return h.afterAccountChange(c, id, "", apperr.Validation(map[string]string{"clinician_id": msg}), keep)
	}
	err = h.staff.SetRole(c.Request().Context(), by.Account, by.IP, id, staff.Role(role), clinicianID)
	return h.afterAccountChange(c, id, "role", err, keep)
}

func (h *Handlers) deactivate(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	err = h.staff.Deactivate(c.Request().Context(), by.Account, by.IP, id)
	return h.afterAccountChange(c, id, "deactivated", err, nil)
}

func (h *Handlers) reactivate(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	err = h.staff.Reactivate(c.Request().Context(), by.Account, by.IP, id)
	return h.afterAccountChange(c, id, "reactivated", err, nil)
}

func (h *Handlers) resetPassword(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	password, err := h.staff.ResetPassword(c.Request().Context(), by.Account, by.IP, id)
	if err != nil {
		return h.afterAccountChange(c, id, "", err, nil)
	}
	h.reveal.put(c, accountPurpose(id, by.Account.ID), password)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/admin/accounts/%d/password", id))
}
