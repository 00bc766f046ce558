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

// Account returns one staff account.
func (s *Service) Account(ctx context.Context, id int64) (staff.Account, error) {
	return s.staff.AccountByID(ctx, id)
}

// AccountByEmail returns the staff account with that email (to filter the
// audit log by who acted).
func (s *Service) AccountByEmail(ctx context.Context, email string) (staff.Account, error) {
	return s.staff.ByEmail(ctx, email)
}

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

// AccountList is the staff accounts page: every account, with the names of
// the clinicians accounts are tied to.
type AccountList struct {
	Accounts       []staff.Account
	ClinicianNames map[int64]string
}

// AccountList reads the staff accounts page.
func (s *Service) AccountList(ctx context.Context) (AccountList, error) {
	accounts, err := s.staff.Accounts(ctx)
	if err != nil {
		return AccountList{}, err
	}
	clinicians, err := s.clinicians.Clinicians(ctx)
	if err != nil {
		return AccountList{}, err
	}
	names := make(map[int64]string, len(clinicians))
	for _, c := range clinicians {
		names[c.ID] = c.Name
	}
	return AccountList{Accounts: accounts, ClinicianNames: names}, nil
}

// TokenList is the API tokens page: every token, and the accounts a new
// one may be issued for (the active ones).
type TokenList struct {
	Tokens   []staff.Token
	Accounts []staff.Account
}

// TokenList reads the API tokens page.
func (s *Service) TokenList(ctx context.Context) (TokenList, error) {
	tokens, err := s.staff.Tokens(ctx)
	if err != nil {
		return TokenList{}, err
	}
	all, err := s.staff.Accounts(ctx)
	if err != nil {
		return TokenList{}, err
	}
	var active []staff.Account
	for _, a := range all {
		if a.Active {
			active = append(active, a)
		}
	}
	return TokenList{Tokens: tokens, Accounts: active}, nil
}
