package admin

import (
	"context"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
)

// What the admin pages read. The pages themselves check the permission of
// each section (internal/web/auth.Require) before they ask.

// Accounts lists every staff account.
func (s *Service) Accounts(ctx context.Context) ([]staff.Account, error) {
	return s.staff.Accounts(ctx)
}

// Account returns one staff account.
func (s *Service) Account(ctx context.Context, id int64) (staff.Account, error) {
	return s.staff.AccountByID(ctx, id)
}

// AccountByEmail returns the staff account with that email (to filter the
// audit log by who acted).
func (s *Service) AccountByEmail(ctx context.Context, email string) (staff.Account, error) {
	return s.staff.ByEmail(ctx, email)
}

// Tokens lists the API tokens.
func (s *Service) Tokens(ctx context.Context) ([]staff.Token, error) { return s.staff.Tokens(ctx) }

// Token returns one API token.
func (s *Service) Token(ctx context.Context, id int64) (staff.Token, error) {
	return s.staff.TokenByID(ctx, id)
}

// Clinicians lists the practice's clinicians.
func (s *Service) Clinicians(ctx context.Context) ([]booking.Clinician, error) {
	return s.clinicians.Clinicians(ctx)
}

// Clinician returns one clinician.
func (s *Service) Clinician(ctx context.Context, id int64) (booking.Clinician, error) {
	return s.clinicians.Clinician(ctx, id)
}

// Settings returns the practice's settings.
func (s *Service) Settings(ctx context.Context) (practice.Settings, error) {
	return s.settings.Get(ctx)
}

// FailedEmails lists the emails the mail server refused.
func (s *Service) FailedEmails(ctx context.Context) ([]outbox.Status, error) {
	return s.emails.Failed(ctx)
}

// AuditLog returns the audit entries matching f, newest first.
func (s *Service) AuditLog(ctx context.Context, f audit.Filter) ([]audit.Item, error) {
	return s.log.List(ctx, f)
}
