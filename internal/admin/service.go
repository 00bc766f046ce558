// Package admin is what the practice's admin area does: staff accounts and
// roles, clinicians, practice settings, API tokens, failed emails and the
// audit log. It owns no table of its own: it calls the services of the
// packages that do, and makes sure every change an admin makes is recorded
// in the audit log in the same transaction as the change. Its pages are in
// internal/web/staffui (admin_*.go).
package admin

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Clinicians is what the admin area needs of booking.
type Clinicians interface {
	Clinicians(ctx context.Context) ([]booking.Clinician, error)
	Clinician(ctx context.Context, id int64) (booking.Clinician, error)
	CreateClinicianTx(tx *gorm.DB, in booking.ClinicianInput) (booking.Clinician, error)
	UpdateClinicianTx(tx *gorm.DB, id int64, in booking.ClinicianInput, active bool) (booking.Clinician, []string, error)
}

// Settings is what the admin area needs of practice.
type Settings interface {
	Get(ctx context.Context) (practice.Settings, error)
	GetTx(tx *gorm.DB) (practice.Settings, error)
	Save(tx *gorm.DB, in practice.Settings) error
}

// Emails is what the admin area needs of the outbox.
type Emails interface {
	Failed(ctx context.Context) ([]outbox.Status, error)
	RetryTx(tx *gorm.DB, id int64) error
	Wake()
}

var (
	_ Clinicians = (*booking.Service)(nil)
	_ Settings   = (*practice.Service)(nil)
	_ Emails     = (*outbox.Service)(nil)
)

// Service applies the admin changes that belong to other packages'
// records, each in one transaction with its audit entry. (Staff accounts
// and tokens are changed through staff.Service, which records its own.)
type Service struct {
	db         *gorm.DB
	now        func() time.Time
	staff      *staff.Service
	log        *audit.Log
	clinicians Clinicians
	settings   Settings
	emails     Emails
}

// Config is what the admin service is built from.
type Config struct {
	DB         *gorm.DB
	Now        func() time.Time // time.Now when nil
	Staff      *staff.Service
	Audit      *audit.Log
	Clinicians Clinicians
	Settings   Settings
	Emails     Emails
}

// NewService returns the admin service.
func NewService(cfg Config) *Service {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{db: cfg.DB, now: now, staff: cfg.Staff, log: cfg.Audit, clinicians: cfg.Clinicians,
		settings: cfg.Settings, emails: cfg.Emails}
}

// Actor is who makes a change, and from where.
type Actor = staff.Actor

// CreateClinician adds a clinician.
func (s *Service) CreateClinician(ctx context.Context, by Actor, in booking.ClinicianInput) (booking.Clinician, error) {
	if !by.Account.Can(staff.ManageClinicians) {
		return booking.Clinician{}, staff.ErrForbidden
	}
	var c booking.Clinician
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if c, err = s.clinicians.CreateClinicianTx(tx, in); err != nil {
			return err
		}
		return audit.For(tx, s.now(), by.Audit()).Record(audit.ClinicianCreate, audit.TypeClinician, strconv.FormatInt(c.ID, 10), "")
	})
	return c, err
}

// UpdateClinician changes a clinician's details. The audit entry names
// the fields that changed; a save that changes nothing records nothing.
func (s *Service) UpdateClinician(ctx context.Context, by Actor, id int64, in booking.ClinicianInput, active bool) error {
	if !by.Account.Can(staff.ManageClinicians) {
		return staff.ErrForbidden
	}
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		_, changed, err := s.clinicians.UpdateClinicianTx(tx, id, in, active)
		if err != nil || len(changed) == 0 {
			return err
		}
		return audit.For(tx, s.now(), by.Audit()).Record(audit.ClinicianUpdate, audit.TypeClinician, strconv.FormatInt(id, 10),
			"changed "+strings.Join(changed, ", "))
	})
}

// SaveSettings stores the practice's settings. The audit entry names the
// settings that changed, never their text (the crisis text, an address).
func (s *Service) SaveSettings(ctx context.Context, by Actor, in practice.Settings) error {
	if !by.Account.Can(staff.ManageSettings) {
		return staff.ErrForbidden
	}
	return store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		old, err := s.settings.GetTx(tx)
		if err != nil {
			return err
		}
		if err := s.settings.Save(tx, in); err != nil {
			return err
		}
		saved, err := s.settings.GetTx(tx)
		if err != nil {
			return err
		}
		changed := ChangedSettings(old, saved)
		if len(changed) == 0 {
			return nil
		}
		return audit.For(tx, s.now(), by.Audit()).Record(audit.SettingsUpdate, audit.TypeSettings, "1", "changed "+strings.Join(changed, ", "))
	})
}

// UpdateSettings changes the settings p names and leaves the others as they
// are (the settings API's PATCH, and the admin page, which sends the
// fields it shows); it returns the settings as saved. Like SaveSettings it
// records which settings changed, in the same transaction.
func (s *Service) UpdateSettings(ctx context.Context, by Actor, p practice.Patch) (practice.Settings, error) {
	if !by.Account.Can(staff.ManageSettings) {
		return practice.Settings{}, staff.ErrForbidden
	}
	var saved practice.Settings
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		old, err := s.settings.GetTx(tx)
		if err != nil {
			return err
		}
		next, err := p.Apply(old)
		if err != nil {
			return err
		}
		if err := s.settings.Save(tx, next); err != nil {
			return err
		}
		if saved, err = s.settings.GetTx(tx); err != nil {
			return err
		}
		changed := ChangedSettings(old, saved)
		if len(changed) == 0 {
			return nil
		}
		return audit.For(tx, s.now(), by.Audit()).Record(audit.SettingsUpdate, audit.TypeSettings, "1", "changed "+strings.Join(changed, ", "))
	})
	return saved, err
}

// ChangedSettings names the settings (by form field) that differ.
func ChangedSettings(a, b practice.Settings) []string {
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"name", a.Name == b.Name},
		{"timezone", a.TimeZone == b.TimeZone},
		{"address", a.Address == b.Address},
		{"video_link", a.VideoLink == b.VideoLink},
		{"crisis_text", a.CrisisText == b.CrisisText},
		{"sender_name", a.SenderName == b.SenderName},
		{"crisis_resources", slices.Equal(a.CrisisResources, b.CrisisResources)},
		{"reminder_leads", slices.Equal(a.ReminderLeads, b.ReminderLeads)},
		{"change_cutoff_hours", a.ChangeCutoffHours == b.ChangeCutoffHours},
		{"waitlist_hold_minutes", a.WaitlistHoldMinutes == b.WaitlistHoldMinutes},
		{"retention_days", (a.RetentionDays == nil) == (b.RetentionDays == nil) &&
			(a.RetentionDays == nil || *a.RetentionDays == *b.RetentionDays)},
	} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}

// RetryEmail sends a failed email again.
func (s *Service) RetryEmail(ctx context.Context, by Actor, id int64) error {
	if !by.Account.Can(staff.RetryEmail) {
		return staff.ErrForbidden
	}
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.emails.RetryTx(tx, id); err != nil {
			return err
		}
		return audit.For(tx, s.now(), by.Audit()).Record(audit.EmailRetry, audit.TypeEmail, strconv.FormatInt(id, 10), "")
	})
	if err != nil {
		return err
	}
	s.emails.Wake()
	return nil
}
