package staffui

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
var adminRoles = []AdminOption{
	{string(staff.Admin), "Admin"},
	{string(staff.Frontdesk), "Front desk"},
	{string(staff.Clinician), "Clinician"},
}

func adminRoleLabel(r staff.Role) string {
	for _, o := range adminRoles {
		if o.Value == string(r) {
			return o.Label
		}
	}
	return string(r)
}

var adminAccountMessages = map[string]string{
	"role":        "The role was saved.",
	"deactivated": "The account was deactivated. Its sessions ended and its API tokens were revoked.",
	"reactivated": "The account was reactivated. It can sign in again with its password.",
}

// AdminAccountRow is one account in the list and on its own page.
type AdminAccountRow struct {
	ID                 int64
	Email              string
	Name               string
	Role               string
	Clinician          string
	Active             bool
	MustChangePassword bool
	Created            string
}

// AdminAccountsView is the list of staff accounts.
type AdminAccountsView struct {
	web.Layout
	Saved string
	Rows  []AdminAccountRow
}

func (h *AdminPages) clinicianNames(ctx context.Context) (map[int64]string, []booking.Clinician, error) {
	list, err := h.svc.Clinicians(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(list))
	for _, c := range list {
		names[c.ID] = c.Name
	}
	return names, list, nil
}

func adminAccountRow(a staff.Account, names map[int64]string) AdminAccountRow {
	row := AdminAccountRow{ID: a.ID, Email: a.Email, Name: a.Name, Role: adminRoleLabel(a.Role), Active: a.Active, MustChangePassword: a.MustChangePassword}
	if a.ClinicianID != nil {
		row.Clinician = names[*a.ClinicianID]
		if row.Clinician == "" {
			row.Clinician = fmt.Sprintf("Clinician %d", *a.ClinicianID)
		}
	}
	return row
}

func (h *AdminPages) Accounts(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := h.svc.AccountList(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	v := &AdminAccountsView{Saved: adminAccountMessages[c.QueryParam("saved")]}
	v.Title = "Staff accounts"
	for _, a := range list.Accounts {
		row := adminAccountRow(a, list.ClinicianNames)
		row.Created = adminWhen(a.CreatedAt, loc)
		v.Rows = append(v.Rows, row)
	}
	return h.r.Render(c, http.StatusOK, "staff_admin_accounts", v)
}

// AdminAccountForm is the invitation form as typed.
type AdminAccountForm struct {
	Email       string
	Name        string
	Role        string
	ClinicianID string
}

// AdminAccountNewView is the page that opens an account for a colleague.
type AdminAccountNewView struct {
	web.Layout
	Form         AdminAccountForm
	Errors       map[string]string
	ErrorMessage string
	Roles        []AdminOption
	Clinicians   []AdminOption
}

// adminClinicianOptions lists the clinicians for an account's select; an
// inactive one is listed only when it is the current choice.
func adminClinicianOptions(list []booking.Clinician, current string) []AdminOption {
	var out []AdminOption
	for _, c := range list {
		id := strconv.FormatInt(c.ID, 10)
		if !c.Active && id != current {
			continue
		}
		label := c.Name
		if !c.Active {
			label += " (inactive)"
		}
		out = append(out, AdminOption{Value: id, Label: label})
	}
	return out
}

// adminParseClinicianID reads the clinician select: "" is none.
func adminParseClinicianID(s string) (*int64, string) {
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

func (h *AdminPages) NewAccount(c echo.Context) error {
	return h.renderNewAccount(c, http.StatusOK, &AdminAccountNewView{Form: AdminAccountForm{Role: string(staff.Frontdesk)}})
}

func (h *AdminPages) renderNewAccount(c echo.Context, status int, v *AdminAccountNewView) error {
	_, list, err := h.clinicianNames(c.Request().Context())
	if err != nil {
		return err
	}
	v.Title = "Invite a colleague"
	v.Roles, v.Clinicians = adminRoles, adminClinicianOptions(list, v.Form.ClinicianID)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return h.r.Render(c, status, "staff_admin_account_new", v)
}

func (h *AdminPages) CreateAccount(c echo.Context) error {
	by, err := adminActorOf(c)
	if err != nil {
		return err
	}
	form := AdminAccountForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")),
		Role: c.FormValue("role"), ClinicianID: c.FormValue("clinician_id")}
	in := staff.Invite{Email: form.Email, Name: form.Name, Role: staff.Role(form.Role)}
	clinicianID, msg := adminParseClinicianID(form.ClinicianID)
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
		acc, password, err = h.svc.Invite(c.Request().Context(), by, in)
		if err == nil {
			h.reveal.put(c, adminAccountPurpose(acc.ID, by.Account.ID), password)
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/admin/accounts/%d/password", acc.ID))
		}
	}
	status, fields, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	return h.renderNewAccount(c, status, &AdminAccountNewView{Form: form, Errors: fields, ErrorMessage: message})
}

func adminAccountPurpose(accountID, adminID int64) string {
	return fmt.Sprintf("account %d password, by %d", accountID, adminID)
}

// AdminSecretView shows a new one-time password or API token, once.
type AdminSecretView struct {
	web.Layout
	What    string // "one-time password" or "API token"
	For     string // the account's email
	Label   string // the token's label
	Secret  string // empty when it was shown already
	Back    string
	BackFor string
}

func (h *AdminPages) AccountPassword(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	acc, err := h.svc.Account(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := &AdminSecretView{What: "one-time password", For: acc.Email, Back: fmt.Sprintf("/staff/admin/accounts/%d", id), BackFor: "the account"}
	v.Secret, _ = h.reveal.take(c, adminAccountPurpose(id, by.Account.ID))
	v.Title = "One-time password"
	return h.r.Render(c, http.StatusOK, "staff_admin_secret", v)
}

// AdminAccountView is one account's page: its details, its role, and the
// buttons that deactivate, reactivate or reset it.
type AdminAccountView struct {
	web.Layout
	Account      AdminAccountRow
	Self         bool
	Saved        string
	Errors       map[string]string
	ErrorMessage string
	Form         AdminAccountForm // the role form as typed (or as stored)
	Roles        []AdminOption
	Clinicians   []AdminOption
}

func (h *AdminPages) Account(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK, &AdminAccountView{Saved: adminAccountMessages[c.QueryParam("saved")]}, false)
}

// renderAccount shows account :id; keepForm leaves the role form as the
// person typed it.
func (h *AdminPages) renderAccount(c echo.Context, status int, v *AdminAccountView, keepForm bool) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	acc, err := h.svc.Account(ctx, id)
	if err != nil {
		return err
	}
	names, list, err := h.clinicianNames(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	v.Account = adminAccountRow(acc, names)
	v.Account.Created = adminWhen(acc.CreatedAt, loc)
	v.Self = acc.ID == by.Account.ID
	if !keepForm {
		v.Form = AdminAccountForm{Role: string(acc.Role)}
		if acc.ClinicianID != nil {
			v.Form.ClinicianID = strconv.FormatInt(*acc.ClinicianID, 10)
		}
	}
	v.Roles, v.Clinicians = adminRoles, adminClinicianOptions(list, v.Form.ClinicianID)
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	v.Title = "Account " + acc.Email
	return h.r.Render(c, status, "staff_admin_account", v)
}

// afterAccountChange redirects to the account's page on success and shows
// it again with the reason otherwise.
func (h *AdminPages) afterAccountChange(c echo.Context, id int64, saved string, err error, keep func(*AdminAccountView)) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, adminSavedPath(fmt.Sprintf("/staff/admin/accounts/%d", id), saved))
	}
	status, fields, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	v := &AdminAccountView{Errors: fields, ErrorMessage: message}
	if keep != nil {
		keep(v)
	}
	return h.renderAccount(c, status, v, keep != nil)
}

func (h *AdminPages) SetRole(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	role, clinician := c.FormValue("role"), c.FormValue("clinician_id")
	keep := func(v *AdminAccountView) { v.Form = AdminAccountForm{Role: role, ClinicianID: clinician} }
	clinicianID, msg := adminParseClinicianID(clinician)
	if msg != "" {
		return h.afterAccountChange(c, id, "", apperr.Validation(map[string]string{"clinician_id": msg}), keep)
	}
	err = h.svc.SetRole(c.Request().Context(), by, id, staff.Role(role), clinicianID)
	return h.afterAccountChange(c, id, "role", err, keep)
}

func (h *AdminPages) Deactivate(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	err = h.svc.Deactivate(c.Request().Context(), by, id)
	return h.afterAccountChange(c, id, "deactivated", err, nil)
}

func (h *AdminPages) Reactivate(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	err = h.svc.Reactivate(c.Request().Context(), by, id)
	return h.afterAccountChange(c, id, "reactivated", err, nil)
}

func (h *AdminPages) ResetPassword(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	password, err := h.svc.ResetPassword(c.Request().Context(), by, id)
	if err != nil {
		return h.afterAccountChange(c, id, "", err, nil)
	}
	h.reveal.put(c, adminAccountPurpose(id, by.Account.ID), password)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/admin/accounts/%d/password", id))
}
