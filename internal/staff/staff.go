// Package staff holds the practice's staff accounts and what each role may
// do: admins, front desk and clinicians. It signs them in (sessions for the
// web pages, Bearer tokens for the JSON API).
package staff

import (
	"time"
)

// Role is what an account is for.
type Role string

const (
	Admin     Role = "admin"
	Frontdesk Role = "frontdesk"
	Clinician Role = "clinician"
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r == Admin || r == Frontdesk || r == Clinician }

// Account is a staff member as the rest of the application sees it.
type Account struct {
	ID                 int64
	Email              string
	Name               string
	Role               Role
	ClinicianID        *int64 // for role clinician: the clinician they are
	Active             bool
	MustChangePassword bool
	CreatedAt          time.Time
}

type accountRow struct {
	ID                 int64 `gorm:"primaryKey"`
	Email              string
	Name               string
	PasswordHash       string
	Role               string
	ClinicianID        *int64
	Active             bool
	MustChangePassword bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (accountRow) TableName() string { return "staff_accounts" }

func (r accountRow) account() Account {
	return Account{ID: r.ID, Email: r.Email, Name: r.Name, Role: Role(r.Role), ClinicianID: r.ClinicianID,
		Active: r.Active, MustChangePassword: r.MustChangePassword, CreatedAt: r.CreatedAt.UTC()}
}

type tokenRow struct {
	ID         int64 `gorm:"primaryKey"`
	AccountID  int64
	TokenHash  string
	Label      string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (tokenRow) TableName() string { return "api_tokens" }
