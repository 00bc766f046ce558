package app

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/web"
	webapi "github.com/firststep/firststep/internal/web/api"
	"github.com/firststep/firststep/internal/web/auth"
	"github.com/firststep/firststep/internal/web/public"
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
	// The staff API's token check is on each of its routes, not on a group:
	// Echo routes every unmatched path of a group with middleware through
	// it, which would answer 401 for a path that does not exist and for a
	// wrong method on a public one.
	bearer := auth.BearerAuth(a.Staff)
	// The staff area: sign-in is open, every other /staff page needs a session.
	// An account with a one-time password is sent to choose its own first.
	// A note sent after the session ended is kept and back in its form after sign-in.
	staffPages := e.Group("/staff", auth.RequireSession(a.Sessions, staffui.IntakeNoteDraft), auth.PasswordFirst)

	// The intake: the client's request (landing page, forms, crisis page,
	// the pages after sending), a couple's partner's own answers through a
	// private link the first partner chooses whether to pass on (it is never
	// emailed), the staff's queue and intake pages, and the intake API.
	intakes := public.NewIntakePages(a.Intakes, r,
		func(token string) string { return "/requests/" + url.PathEscape(token) }, a.Config.BaseURL)
	e.GET("/", intakes.Landing)
	e.GET("/crisis", intakes.Crisis)
	e.GET("/privacy", intakes.Privacy)
	e.GET("/thanks", intakes.Thanks)
	e.GET("/request/:kind", intakes.Form)
	e.POST("/request/:kind", intakes.Submit, web.KeepFormWhenLimited(intakes.LimitedForm), limit)
	e.GET("/requests/:token/support", intakes.Support)
	e.GET("/requests/:token/received", intakes.Confirmation)
	e.GET("/partner/:token", intakes.PartnerForm)
	e.POST("/partner/:token", intakes.PartnerSubmit, web.KeepFormWhenLimited(intakes.LimitedPartnerForm), limit)
	e.GET("/partner/:token/support", intakes.PartnerSupport)
	e.GET("/partner/:token/thanks", intakes.PartnerThanks)
	intakeAPI := webapi.NewIntakeHandlers(a.Intakes, a.Practice)
	api.POST("/intakes", intakeAPI.Create, limit)
	api.GET("/intakes", intakeAPI.List, bearer, auth.Require(staff.ViewOwnIntakes))
	api.GET("/intakes/:id", intakeAPI.Get, bearer, auth.Require(staff.ViewOwnIntakes))
	staffIntakes := staffui.NewIntakePages(a.Intakes, r, a.Practice, intakeClinicianList{a.Booking},
		intakeBookings{bookings: a.Booking, emails: a.Outbox}, a.Now)
	staffPages.GET("", staffIntakes.Queue, auth.Require(staff.ViewOwnIntakes))
	staffPages.GET("/intakes/:id", staffIntakes.Show, auth.Require(staff.ViewOwnIntakes))
	staffPages.POST("/intakes/:id/notes", staffIntakes.AddNote, auth.Require(staff.EditIntake))
	staffPages.POST("/intakes/:id/assign", staffIntakes.Assign, auth.Require(staff.AssignIntake))
	staffPages.POST("/intakes/:id/status", staffIntakes.SetStatus, auth.Require(staff.EditIntake))

	// The staff area: sign-in is open, every other /staff page needs a session.
	// Signing out must clear the cookie even of a session that has already expired.
	signIn := staffui.NewSignInPages(a.Sessions, r)
	e.GET("/staff/signin", signIn.Form)
	e.POST("/staff/signin", signIn.SignIn)
	e.POST("/staff/signout", signIn.SignOut)
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

	// Booking. The client's slot picker, manage pages and calendar feeds;
	// limit guards every change.
	bookingPages := public.NewBookingPages(a.Booking, r, a.clientByToken, a.practiceZone,
		func(ctx context.Context, cl booking.Client) (string, error) {
			return intakes.PartnerLink(ctx, cl.IntakeID, intake.Kind(cl.Kind))
		})
	e.GET("/requests/:token", bookingPages.Picker)
	e.POST("/requests/:token/book", bookingPages.Book, limit)
	e.POST("/requests/:token/partner", bookingPages.AllowPartnerByRequest, limit)
	e.GET("/bookings/:token", bookingPages.Manage)
	e.GET("/bookings/:token/reschedule", bookingPages.ReschedulePicker)
	e.POST("/bookings/:token/reschedule", bookingPages.Reschedule, limit)
	e.GET("/bookings/:token/cancel", bookingPages.CancelConfirm)
	e.POST("/bookings/:token/cancel", bookingPages.Cancel, limit)
	e.POST("/bookings/:token/partner", bookingPages.AllowPartner, limit)
	e.GET("/feeds/:file", bookingPages.Feed)
	e.HEAD("/feeds/:file", bookingPages.Feed)
	// The booking API: open slots and a client's booking (public), clinicians
	// and their hours (bearer token; an admin any clinician's hours, a
	// clinician only their own).
	bookingAPI := webapi.NewBookingHandlers(a.Booking, a.clinicianAudit)
	api.GET("/slots", bookingAPI.Slots)
	api.POST("/bookings", bookingAPI.Book, limit)
	api.GET("/bookings/:token", bookingAPI.Get)
	api.PATCH("/bookings/:token", bookingAPI.Reschedule, limit)
	api.DELETE("/bookings/:token", bookingAPI.Cancel, limit)
	api.GET("/clinicians", bookingAPI.Clinicians, bearer)
	api.POST("/clinicians", bookingAPI.CreateClinician, bearer, a.canManageClinicians)
	api.GET("/clinicians/:id/availability", bookingAPI.Availability, bearer, a.canManageAvailability)
	api.PUT("/clinicians/:id/availability", bookingAPI.SetAvailability, bearer, a.canManageAvailability)
	// The practice's settings and policy (admin).
	settingsAPI := webapi.NewSettingsHandlers(a.Admin)
	api.GET("/settings", settingsAPI.Get, bearer, auth.Require(staff.ManageSettings))
	api.PATCH("/settings", settingsAPI.Patch, bearer, auth.Require(staff.ManageSettings))
	// A clinician's consultation hours, week preview, upcoming consultations
	// and calendar feed: their own, or any clinician's for an admin.
	hours := staffui.NewBookingHours(a.Booking, r, a.hoursViewer, a.clinicianAudit)
	ownHours := auth.Require(staff.ManageOwnAvailability)
	staffPages.GET("/availability", hours.OwnPage, ownHours)
	staffPages.POST("/availability", hours.OwnSave, ownHours)
	staffPages.POST("/availability/feed/rotate", hours.OwnRotate, ownHours)
	staffPages.GET("/clinicians/:id/availability", hours.ClinicianPage, a.canManageAvailability)
	staffPages.POST("/clinicians/:id/availability", hours.ClinicianSave, a.canManageAvailability)
	staffPages.POST("/clinicians/:id/availability/feed/rotate", hours.ClinicianRotate, a.canManageAvailability)
	// Booking, moving and cancelling consultations on a client's behalf.
	onBehalf := staffui.NewBookingOnBehalf(a.Booking, r, a.practiceZone, a.auditOnBehalf)
	manageBookings := auth.Require(staff.ManageBookings)
	staffPages.GET("/intakes/:id/book", onBehalf.BookPicker, manageBookings)
	staffPages.POST("/intakes/:id/book", onBehalf.Book, manageBookings)
	staffPages.POST("/intakes/:id/partner-contact", onBehalf.AllowPartner, manageBookings)
	staffPages.GET("/bookings/:id/reschedule", onBehalf.ReschedulePicker, manageBookings)
	staffPages.POST("/bookings/:id/reschedule", onBehalf.Reschedule, manageBookings)
	staffPages.GET("/bookings/:id/cancel", onBehalf.CancelConfirm, manageBookings)
	staffPages.POST("/bookings/:id/cancel", onBehalf.Cancel, manageBookings)
	return e
}

func (a *App) healthz(c echo.Context) error {
	if err := store.Ping(c.Request().Context(), a.DB); err != nil {
		a.Logger.Error("health check", "err", err)
		return c.JSON(http.StatusServiceUnavailable, web.JSONError{Error: web.JSONErrorBody{Code: "database_unavailable", Message: "The database does not answer."}})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
