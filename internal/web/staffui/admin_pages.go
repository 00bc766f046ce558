package staffui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/web/auth"

	"github.com/firststep/firststep/internal/admin"
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// AdminPages serve the admin area's pages. Each page's permission is
// checked by its route (internal/app/routes.go) and again by the service.
type AdminPages struct {
	svc    *admin.Service
	r      *web.Renderer
	reveal *adminSealer
}

// NewAdminPages returns the admin pages. serverKey seals the one-time
// secrets on their way to the page that shows them; secureCookies marks
// that cookie HTTPS-only.
func NewAdminPages(svc *admin.Service, r *web.Renderer, serverKey []byte, secureCookies bool, now func() time.Time) *AdminPages {
	if now == nil {
		now = time.Now
	}
	return &AdminPages{svc: svc, r: r, reveal: adminNewSealer(serverKey, secureCookies, now)}
}

// AdminSection is one part of the admin area, listed on its index page for
// those whose role allows it.
type AdminSection struct {
	Title       string
	Href        string
	Description string
	Permission  staff.Permission
}

// Sections are the parts of the admin area, in the order shown.
var adminSections = []AdminSection{
	{"Staff accounts", "/staff/admin/accounts", "Invite colleagues, change roles, deactivate accounts.", staff.ManageAccounts},
	{"Clinicians", "/staff/admin/clinicians", "Who clients can book with, what they offer, where they meet.", staff.ManageClinicians},
	{"Practice settings", "/staff/admin/settings", "Name, time zone, address, video link, crisis lines and text, email sender, reminders and the change policy.", staff.ManageSettings},
	{"API tokens", "/staff/admin/tokens", "Tokens for the JSON API: create and revoke.", staff.ManageTokens},
	{"Failed emails", "/staff/admin/emails", "Emails the mail server refused, with a button to send them again.", staff.RetryEmail},
	{"Audit log", "/staff/admin/audit", "Who did what, to which record, when and from where.", staff.ViewAudit},
}

// AdminIndexPermissions are the permissions of which any opens the
// admin area's start page.
func AdminIndexPermissions() []staff.Permission {
	out := make([]staff.Permission, len(adminSections))
	for i, s := range adminSections {
		out[i] = s.Permission
	}
	return out
}

// SectionsFor returns the sections acc may open.
func adminSectionsFor(acc staff.Account) []AdminSection {
	var out []AdminSection
	for _, s := range adminSections {
		if acc.Can(s.Permission) {
			out = append(out, s)
		}
	}
	return out
}

// AdminIndexView is the admin area's start page.
type AdminIndexView struct {
	web.Layout
	Sections []AdminSection
}

func (h *AdminPages) Index(c echo.Context) error {
	acc, _ := auth.CurrentAccount(c)
	v := &AdminIndexView{Sections: adminSectionsFor(acc)}
	v.Title = "Admin"
	return h.r.Render(c, http.StatusOK, "staff_admin", v)
}

// adminActorOf is the signed-in account making the request.
func adminActorOf(c echo.Context) (admin.Actor, error) { return auth.ActorOf(c) }

var adminErrNotFound = apperr.New(apperr.NotFound, "not_found", "We could not find that page.")

func adminIdParam(c echo.Context) (int64, error) { return web.IDParam(c, adminErrNotFound) }

// adminActorAndID reads who acts and on which record (:id) for an admin action.
func adminActorAndID(c echo.Context) (admin.Actor, int64, error) {
	by, err := adminActorOf(c)
	if err != nil {
		return admin.Actor{}, 0, err
	}
	id, err := adminIdParam(c)
	return by, id, err
}

// zone is the practice's time zone, in which admins read times (UTC if
// it cannot be read).
func (h *AdminPages) zone(ctx context.Context) *time.Location {
	st, _ := h.svc.Settings(ctx) // on error: the zero settings, read in UTC
	return st.Location()
}

const adminWhenLayout = "Jan 2, 2006, 3:04 PM MST"

func adminWhen(t time.Time, loc *time.Location) string { return t.In(loc).Format(adminWhenLayout) }

func adminWhenPtr(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return adminWhen(*t, loc)
}

// adminFormProblem sorts the error of a form post: a mistake the person can
// fix (invalid input, a conflict) is re-shown on the form with its status
// and messages; anything else goes to the error page.
func adminFormProblem(err error) (status int, fields map[string]string, message string, ok bool) {
	ae, status, ok := web.FormProblem(err, apperr.Invalid, apperr.Conflict)
	if !ok {
		return 0, nil, "", false
	}
	fields = map[string]string{}
	for k, v := range ae.Fields {
		fields[k] = v
	}
	return status, fields, ae.Message, true
}

// adminSavedPath is path with a flash message key for the page after a change.
func adminSavedPath(path, key string) string {
	return path + "?saved=" + key
}

// adminText is a text area's contents with the browser's CRLF line endings
// turned into LF, trimmed.
func adminText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// AdminOption is one choice of a select.
type AdminOption struct {
	Value string
	Label string
}
