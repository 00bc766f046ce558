// Package app wires Firststep together: it opens the database, applies
// migrations, builds every service by constructor and declares the routes.
// cmd/firststep and the end-to-end tests both start the server through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/firststep/firststep/internal/admin"
	"github.com/firststep/firststep/internal/web/auth"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/web"
	"github.com/firststep/firststep/templates"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// App is a running Firststep: its configuration, database, services and
// HTTP handler.
type App struct {
	Config config.Config
	DB     *gorm.DB
	Logger *slog.Logger
	Now    func() time.Time
	Echo   *echo.Echo

	Practice *practice.Service
	Intakes  *intake.Service
	Staff    *staff.Service
	Admin    *admin.Service
	Sessions *staff.Sessions
	Audit    *audit.Log
	Booking  *booking.Service
	Outbox   *outbox.Service
	Mail     *outbox.Worker

	key []byte // the server key (secret.LoadKey)
}

// Options are the seams tests use; the zero value is production.
type Options struct {
	Now    func() time.Time // clock; time.Now when nil
	Outbox outbox.Options   // mail worker timings; defaults when zero
	// PasswordCost is the bcrypt cost for new staff passwords; 0 means the
	// production default. Tests lower it.
	PasswordCost int
}

// New opens the database, applies pending migrations and builds the app.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opt Options) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n, err := store.Migrate(ctx, db)
	if err != nil {
		store.Close(db)
		return nil, err
	}
	if n > 0 {
		logger.Info("applied migrations", "count", n)
	}
	a, err := Build(cfg, db, logger, opt)
	if err != nil {
		store.Close(db)
		return nil, err
	}
	return a, nil
}

// Build wires the services and routes over an open, migrated database.
func Build(cfg config.Config, db *gorm.DB, logger *slog.Logger, opt Options) (*App, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	a := &App{Config: cfg, DB: db, Logger: logger, Now: now}
	key, err := secret.LoadKey(cfg.DataDir, cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	a.key = key
	a.Practice = practice.NewService(db, now, practice.DefaultName(cfg.MailFromAddress().Name))
	a.Staff = staff.NewService(db, now, staffClinicians{})
	if opt.PasswordCost > 0 {
		a.Staff.SetPasswordCost(opt.PasswordCost)
	}
	a.Intakes = intake.NewService(db, now, key, intakeClinicians{}, a.Staff)
	a.Sessions = staff.NewSessions(db, now, staff.SessionConfig{Idle: cfg.SessionIdle, Absolute: cfg.SessionAbsolute, Secure: cfg.Secure(), PasswordCost: opt.PasswordCost})
	a.Audit = audit.NewLog(db)
	transport, err := outbox.NewTransport(cfg.SMTPURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a.Mail = outbox.NewWorker(db, transport, now, logger, opt.Outbox)
	a.Outbox = outbox.NewService(db, now, a.Mail.Notify)
	from := cfg.MailFromAddress()
	if err := a.Intakes.SendReceived(a.Practice, intake.MailConfig{BaseURL: cfg.BaseURL, FromName: from.Name, FromAddr: from.Address}, a.Mail.Notify); err != nil {
		return nil, err
	}
	a.Booking, err = booking.NewService(db, now, intakeClients{a.Intakes}, a.Practice,
		booking.Config{BaseURL: cfg.BaseURL, FromName: from.Name, FromAddr: from.Address, LinkKey: key}, a.Mail.Notify)
	if err != nil {
		return nil, err
	}
	a.Admin = admin.NewService(admin.Config{DB: db, Now: now, Staff: a.Staff, Audit: a.Audit, Clinicians: a.Booking,
		Settings: a.Practice, Emails: a.Outbox})

	pages, err := fs.Sub(templates.FS, ".")
	if err != nil {
		return nil, err
	}
	renderer, err := web.NewRenderer(pages, a.Practice.Site, auth.Nav)
	if err != nil {
		return nil, err
	}
	renderer.Crisis = a.crisisLines
	a.Echo = a.routes(renderer)
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return store.Close(a.DB) }

// Serve answers HTTP on ln until ctx is cancelled, then lets in-flight
// requests finish (up to 20 seconds) before returning.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	mailCtx, stopMail := context.WithCancel(context.Background())
	mailDone := make(chan struct{})
	go func() { defer close(mailDone); a.Mail.Run(mailCtx) }()
	defer func() { stopMail(); <-mailDone }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Logger.Info("listening", "addr", ln.Addr().String(), "base_url", a.Config.BaseURL)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
