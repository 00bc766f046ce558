package admin

import (
	"context"
	"github.com/firststep/firststep/internal/web/auth"
	"net/http"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Config is what the admin pages are built from.
type Config struct {
	DB         *gorm.DB
	Now        func() time.Time
	Staff      *staff.Service
	Audit      *audit.Log
	Clinicians Clinicians
	Settings   Settings
	Emails     Emails
	Renderer   *web.Renderer
	// ServerKey seals the one-time secrets on their way to the page that
	// shows them; SecureCookies marks that cookie HTTPS-only.
	ServerKey     []byte
	SecureCookies bool
}

// Handlers serve the admin pages.
type Handlers struct {
	svc    *Service
	staff  *staff.Service
	audit  *audit.Log
	cl     Clinicians
	set    Settings
	emails Emails
	r      *web.Renderer
	reveal *sealer
}

// New returns the admin handlers.
func New(cfg Config) *Handlers {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Handlers{
		svc:   NewService(cfg.DB, now, cfg.Clinicians, cfg.Settings, cfg.Emails),
		staff: cfg.Staff, audit: cfg.Audit, cl: cfg.Clinicians, set: cfg.Settings, emails: cfg.Emails,
		r: cfg.Renderer, reveal: newSealer(cfg.ServerKey, cfg.SecureCookies, now),
	}
}

// Routes registers the admin pages on g, the staff pages (mounted at
// /staff behind auth.RequireSession). Each page asks for its permission.
func (h *Handlers) Routes(g *echo.Group) {
	g.GET("/admin", h.index, auth.RequireAny(sectionPermissions()...))

	accounts := auth.Require(staff.ManageAccounts)
	g.GET("/admin/accounts", h.accounts, accounts)
	g.GET("/admin/accounts/new", h.newAccount, accounts)
	g.POST("/admin/accounts", h.createAccount, accounts)
	g.GET("/admin/accounts/:id", h.account, accounts)
	g.GET("/admin/accounts/:id/password", h.accountPassword, accounts)
	g.POST("/admin/accounts/:id/role", h.setRole, accounts)
	g.POST("/admin/accounts/:id/deactivate", h.deactivate, accounts)
	g.POST("/admin/accounts/:id/reactivate", h.reactivate, accounts)
	g.POST("/admin/accounts/:id/reset-password", h.resetPassword, accounts)

	clinicians := auth.Require(staff.ManageClinicians)
	g.GET("/admin/clinicians", h.clinicians, clinicians)
	g.GET("/admin/clinicians/new", h.newClinician, clinicians)
	g.POST("/admin/clinicians", h.createClinician, clinicians)
	g.GET("/admin/clinicians/:id", h.clinician, clinicians)
	g.POST("/admin/clinicians/:id", h.updateClinician, clinicians)

	settings := auth.Require(staff.ManageSettings)
	g.GET("/admin/settings", h.settings, settings)
	g.POST("/admin/settings", h.saveSettings, settings)

	tokens := auth.Require(staff.ManageTokens)
	g.GET("/admin/tokens", h.tokens, tokens)
	g.POST("/admin/tokens", h.createToken, tokens)
	g.GET("/admin/tokens/:id/secret", h.tokenSecret, tokens)
	g.POST("/admin/tokens/:id/revoke", h.revokeToken, tokens)

	g.GET("/admin/emails", h.failedEmails, auth.Require(staff.RetryEmail))
	g.POST("/admin/emails/:id/retry", h.retryEmail, auth.Require(staff.RetryEmail))

	g.GET("/admin/audit", h.auditLog, auth.Require(staff.ViewAudit))
}

// Section is one part of the admin area, listed on its index page for
// those whose role allows it.
type Section struct {
	Title       string
	Href        string
	Description string
	Permission  staff.Permission
}

// Sections are the parts of the admin area, in the order shown.
var Sections = []Section{
	{"Staff accounts", "/staff/admin/accounts", "Invite colleagues, change roles, deactivate accounts.", staff.ManageAccounts},
	{"Clinicians", "/staff/admin/clinicians", "Who clients can book with, what they offer, where they meet.", staff.ManageClinicians},
	{"Practice settings", "/staff/admin/settings", "Name, time zone, address, video link, crisis lines and text, email sender.", staff.ManageSettings},
	{"API tokens", "/staff/admin/tokens", "Tokens for the JSON API: create and revoke.", staff.ManageTokens},
	{"Failed emails", "/staff/admin/emails", "Emails the mail server refused, with a button to send them again.", staff.RetryEmail},
	{"Audit log", "/staff/admin/audit", "Who did what, to which record, when and from where.", staff.ViewAudit},
}

func sectionPermissions() []staff.Permission {
	out := make([]staff.Permission, len(Sections))
	for i, s := range Sections {
		out[i] = s.Permission
	}
	return out
}

// SectionsFor returns the sections acc may open.
func SectionsFor(acc staff.Account) []Section {
	var out []Section
	for _, s := range Sections {
		if acc.Can(s.Permission) {
			out = append(out, s)
		}
	}
	return out
}

// IndexView is the admin area's start page.
type IndexView struct {
	web.Layout
	Sections []Section
}

func (h *Handlers) index(c echo.Context) error {
	acc, _ := auth.CurrentAccount(c)
	v := &IndexView{Sections: SectionsFor(acc)}
	v.Title = "Admin"
	return h.r.Render(c, http.StatusOK, "staff_admin", v)
}

// actorOf is the signed-in account making the request.
func actorOf(c echo.Context) (Actor, error) { return auth.ActorOf(c) }

var errNotFound = apperr.New(apperr.NotFound, "not_found", "We could not find that page.")

func idParam(c echo.Context) (int64, error) { return web.IDParam(c, errNotFound) }

// actorAndID reads who acts and on which record (:id) for an admin action.
func actorAndID(c echo.Context) (Actor, int64, error) {
	by, err := actorOf(c)
	if err != nil {
		return Actor{}, 0, err
	}
	id, err := idParam(c)
	return by, id, err
}

// zone is the practice's time zone, in which admins read times (UTC if
// it cannot be read).
func (h *Handlers) zone(ctx context.Context) *time.Location {
	st, _ := h.set.Get(ctx) // on error: the zero settings, read in UTC
	return st.Location()
}

const whenLayout = "Jan 2, 2006, 3:04 PM MST"

func when(t time.Time, loc *time.Location) string { return t.In(loc).Format(whenLayout) }

func whenPtr(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return when(*t, loc)
}

// formProblem sorts the error of a form post: a mistake the person can
// fix (invalid input, a conflict) is re-shown on the form with its status
// and messages; anything else goes to the error page.
func formProblem(err error) (status int, fields map[string]string, message string, ok bool) {
	ae := apperr.As(err)
	if ae == nil {
		return 0, nil, "", false
	}
	switch ae.Kind {
	case apperr.Invalid:
		status = http.StatusUnprocessableEntity
	case apperr.Conflict:
		status = http.StatusConflict
	default:
		return 0, nil, "", false
	}
	fields = map[string]string{}
	for k, v := range ae.Fields {
		fields[k] = v
	}
	return status, fields, ae.Message, true
}

// savedPath is path with a flash message key for the page after a change.
func savedPath(path, key string) string {
	return path + "?saved=" + key
}

// text is a text area's contents with the browser's CRLF line endings
// turned into LF, trimmed.
func text(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}
