package app

import (
	"context"
	"github.com/firststep/firststep/internal/web/auth"
	"io/fs"
	"net/http"
	"net/url"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/web"
	webapi "github.com/firststep/firststep/internal/web/api"
	"github.com/firststep/firststep/internal/web/staffui"
	"github.com/firststep/firststep/templates"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes declares every route of Firststep in one place.
func (a *App) routes(r *web.Renderer) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The client's address and scheme are the connection's unless it comes
	// from a trusted proxy: a made-up X-Forwarded-For cannot dodge the rate
	// limit or the sign-in throttle, nor forge an audit entry's IP.
	proxies := web.Proxies(a.Config.TrustedProxies)
	e.IPExtractor = proxies.IPExtractor()
	e.SchemeExtractor = proxies.SchemeExtractor()
	e.HTTPErrorHandler = web.ErrorHandler(a.Logger, r)

	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			a.Logger.Error("panic", "path", c.Path(), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(web.RequestLog(a.Logger))
	e.Use(middleware.BodyLimit(web.MaxBody))
	e.Use(web.SecurityHeaders(a.Config.FrameAncestors))
	e.Use(web.SecureCookies(a.Config.Secure()))
	e.Use(web.NoStoreTokens)
	e.Use(web.SessionCSRF(staff.SessionCookie))
	e.Use(web.CSRF(a.Config.Secure()))

	static, _ := fs.Sub(templates.FS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", web.Static(static))))
	e.GET("/healthz", a.healthz)

	limit := web.RateLimit(a.Config.RateLimit)
	api := e.Group("/api/v1")
	api.GET("/openapi.json", webapi.OpenAPI())

	intakes := intake.NewHandlers(a.Intakes, r)
	intakes.NextPath = func(token string) string { return "/requests/" + url.PathEscape(token) }
	intakes.BaseURL = a.Config.BaseURL
	intakes.Routes(e, api, limit)
	// The partner of a couple adds their own answers through a private link
	// the first partner chooses whether to pass on (it is never emailed).
	intakes.PartnerRoutes(e, limit)

	bookingPages := booking.NewPageHandlers(a.Booking, r, a.clientByToken, a.practiceZone)
	bookingPages.PartnerLink = func(ctx context.Context, cl booking.Client) (string, error) {
		return intakes.PartnerLink(ctx, cl.IntakeID, intake.Kind(cl.Kind))
	}
	bookingPages.Routes(e, limit)
	bookingAPI := booking.NewAPIHandlers(a.Booking)
	bookingAPI.Audit = a.clinicianAudit
	bookingAPI.PublicRoutes(api, limit)

	// The staff API's token check is on each of its routes, not on a group:
	// Echo routes every unmatched path of a group with middleware through
	// it, which would answer 401 for a path that does not exist and for a
	// wrong method on a public one.
	bearer := auth.BearerAuth(a.Staff)
	staffIntakes := intake.NewStaffHandlers(a.Intakes, r, a.Practice)
	staffIntakes.APIRoutes(api, bearer)
	bookingAPI.StaffRoutes(api, bearer, a.canManageClinicians, a.canManageAvailability)

	// The staff area: sign-in is open, every other /staff page needs a session.
	// Signing out must clear the cookie even of a session that has already expired.
	signIn := staffui.NewSignInPages(a.Sessions, r)
	e.GET("/staff/signin", signIn.Form)
	e.POST("/staff/signin", signIn.SignIn)
	e.POST("/staff/signout", signIn.SignOut)
	// An account with a one-time password is sent to choose its own first.
	// A note sent after the session ended is kept and back in its form after sign-in.
	staffPages := e.Group("/staff", auth.RequireSession(a.Sessions, intake.NoteDraft), auth.PasswordFirst)
	staffIntakes.Routes(staffPages)
	// Every account may change its own password.
	password := staffui.NewPasswordPages(a.Staff, r)
	staffPages.GET("/password", password.Form)
	staffPages.POST("/password", password.Change)
	// The admin area: accounts, clinicians, settings, tokens, failed emails,
	// audit log. Each page asks for its permission.
	adminPages := staffui.NewAdminPages(a.Admin, r, a.key, a.Config.Secure(), a.Now)
	staffPages.GET("/admin", adminPages.Index, auth.RequireAny(staffui.AdminIndexPermissions()...))
	accounts := auth.Require(staff.ManageAccounts)
	staffPages.GET("/admin/accounts", adminPages.Accounts, accounts)
	staffPages.GET("/admin/accounts/new", adminPages.NewAccount, accounts)
	staffPages.POST("/admin/accounts", adminPages.CreateAccount, accounts)
	staffPages.GET("/admin/accounts/:id", adminPages.Account, accounts)
	staffPages.GET("/admin/accounts/:id/password", adminPages.AccountPassword, accounts)
	staffPages.POST("/admin/accounts/:id/role", adminPages.SetRole, accounts)
	staffPages.POST("/admin/accounts/:id/deactivate", adminPages.Deactivate, accounts)
	staffPages.POST("/admin/accounts/:id/reactivate", adminPages.Reactivate, accounts)
	staffPages.POST("/admin/accounts/:id/reset-password", adminPages.ResetPassword, accounts)
	clinicians := auth.Require(staff.ManageClinicians)
	staffPages.GET("/admin/clinicians", adminPages.Clinicians, clinicians)
	staffPages.GET("/admin/clinicians/new", adminPages.NewClinician, clinicians)
	staffPages.POST("/admin/clinicians", adminPages.CreateClinician, clinicians)
	staffPages.GET("/admin/clinicians/:id", adminPages.Clinician, clinicians)
	staffPages.POST("/admin/clinicians/:id", adminPages.UpdateClinician, clinicians)
	settings := auth.Require(staff.ManageSettings)
	staffPages.GET("/admin/settings", adminPages.Settings, settings)
	staffPages.POST("/admin/settings", adminPages.SaveSettings, settings)
	tokens := auth.Require(staff.ManageTokens)
	staffPages.GET("/admin/tokens", adminPages.Tokens, tokens)
	staffPages.POST("/admin/tokens", adminPages.CreateToken, tokens)
	staffPages.GET("/admin/tokens/:id/secret", adminPages.TokenSecret, tokens)
	staffPages.POST("/admin/tokens/:id/revoke", adminPages.RevokeToken, tokens)
	emails := auth.Require(staff.RetryEmail)
	staffPages.GET("/admin/emails", adminPages.FailedEmails, emails)
	staffPages.POST("/admin/emails/:id/retry", adminPages.RetryEmail, emails)
	staffPages.GET("/admin/audit", adminPages.AuditLog, auth.Require(staff.ViewAudit))
	// A clinician's consultation hours, week preview, upcoming consultations
	// and calendar feed: their own, or any clinician's for an admin.
	booking.NewStaffPages(a.Booking, r, a.hoursViewer, a.clinicianAudit).
		Routes(staffPages, auth.Require(staff.ManageOwnAvailability), a.canManageAvailability)
	// Consultations on the intake page, and booking, moving and cancelling
	// them on a client's behalf.
	staffIntakes.Bookings = intakeBookings{bookings: a.Booking, emails: a.Outbox}
	booking.NewOnBehalfPages(a.Booking, r, a.practiceZone, a.auditOnBehalf).Routes(staffPages, auth.Require(staff.ManageBookings))
	return e
}

func (a *App) healthz(c echo.Context) error {
	if err := store.Ping(c.Request().Context(), a.DB); err != nil {
		a.Logger.Error("health check", "err", err)
		return c.JSON(http.StatusServiceUnavailable, web.JSONError{Error: web.JSONErrorBody{Code: "database_unavailable", Message: "The database does not answer."}})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
