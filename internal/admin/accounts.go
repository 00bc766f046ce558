package admin

import (
	"context"

	"github.com/firststep/firststep/internal/staff"
)

// Changes to staff accounts and API tokens: staff applies each with its
// audit entry in one transaction.

// Invite creates an account with a one-time password, returned once.
func (s *Service) Invite(ctx context.Context, by Actor, in staff.Invite) (staff.Account, string, error) {
	return s.staff.Invite(ctx, by, in)
}

// SetRole changes an account's role (and, for a clinician, who they are).
func (s *Service) SetRole(ctx context.Context, by Actor, id int64, role staff.Role, clinicianID *int64) error {
	return s.staff.SetRole(ctx, by, id, role, clinicianID)
}

// Deactivate ends an account's sessions and tokens and refuses its sign-in.
func (s *Service) Deactivate(ctx context.Context, by Actor, id int64) error {
	return s.staff.Deactivate(ctx, by, id)
}

// Reactivate lets a deactivated account sign in again.
func (s *Service) Reactivate(ctx context.Context, by Actor, id int64) error {
	return s.staff.Reactivate(ctx, by, id)
}

// ResetPassword gives an account a new one-time password, returned once.
func (s *Service) ResetPassword(ctx context.Context, by Actor, id int64) (string, error) {
	return s.staff.ResetPassword(ctx, by, id)
}

// IssueToken creates an API token for an account; the secret is returned once.
func (s *Service) IssueToken(ctx context.Context, by Actor, accountID int64, label string) (staff.Token, string, error) {
	return s.staff.IssueToken(ctx, by, accountID, label)
}

// RevokeToken revokes an API token.
func (s *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	return s.staff.RevokeToken(ctx, by, id)
}
