// Package booking is consultation scheduling: clinicians and their
// availability rules, open-slot computation, bookings that never overlap,
// manage links, and the calendar invitations each change sends.
package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Client is who a consultation is for, as booking needs to know them: the
// intake's people and their emails, never their answers.
type Client struct {
	IntakeID    int64
	Kind        consult.Kind
	Name        string
	Email       string
	PartnerName string
	// PartnerEmail is empty while the partner may not be contacted: a
	// partner who does not know about the request yet gets no email, no
	// invitation and no manage link until the client (or staff, after
	// talking to the client) says they may. The intake package decides.
	PartnerEmail string
	// PartnerWaiting: the partner has an email address but may not be
	// contacted yet; the client's pages offer to allow it.
	PartnerWaiting bool
	TimeZone       string
	SessionFormat  consult.Format // or "" (not answered)
}

// Intakes is what booking needs of the intake package.
type Intakes interface {
	ClientByToken(tx *gorm.DB, token string) (Client, error)
	ClientByID(tx *gorm.DB, intakeID int64) (Client, error)
	// Kinds returns the kind of each request that exists among intakeIDs.
	Kinds(tx *gorm.DB, intakeIDs []int64) (map[int64]consult.Kind, error)
	MarkBooked(tx *gorm.DB, intakeID int64, now time.Time) error
	// MarkCancelled tells the request that its consultation was cancelled
	// by by and that none is left booked.
	MarkCancelled(tx *gorm.DB, intakeID int64, by Canceller, now time.Time) error
	// AllowPartnerContact records that the couple's partner, who did not
	// know about the request, may now be contacted (byStaff: staff said so
	// after talking to the client). It reports whether anything changed.
	AllowPartnerContact(tx *gorm.DB, intakeID int64, byStaff bool, now time.Time) (bool, error)
}

// Practice supplies the practice's settings (name, default video link…).
type Practice interface {
	Get(ctx context.Context) (practice.Settings, error)
}

// Config is what booking needs of the server's configuration.
type Config struct {
	BaseURL  string // absolute; links in emails start with it
	FromName string // sender name when the practice has not set one
	FromAddr string // bare sending address: From, envelope sender and ORGANIZER
	LinkKey  []byte // server key from which manage-link tokens are derived
}

// Service applies the booking rules.
type Service struct {
	db        *gorm.DB
	now       func() time.Time
	intakes   Intakes
	practice  Practice
	cfg       Config
	mails     *mailer
	notify    func() // wakes the mail worker after a commit
	host      string // of BaseURL, for UIDs and Message-IDs
	feeds     feedVersions
	rules     rulesCache
	schedules scheduleCache
}

// NewService returns the booking service. notify is called after every
// commit that queued email; it may be nil.
func NewService(db *gorm.DB, now func() time.Time, intakes Intakes, pr Practice, cfg Config, notify func()) (*Service, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("booking: base URL %q has no host", cfg.BaseURL)
	}
	m, err := newMailer()
	if err != nil {
		return nil, err
	}
	if len(cfg.LinkKey) < 32 {
		return nil, fmt.Errorf("booking: link key must be at least 32 bytes")
	}
	if notify == nil {
		notify = func() {}
	}
	return &Service{db: db, now: now, intakes: intakes, practice: pr, cfg: cfg, mails: m, notify: notify, host: u.Hostname()}, nil
}

var (
	errClinicianNotFound = apperr.New(apperr.NotFound, "clinician_not_found", "There is no such clinician.")
	errNoAvailability    = apperr.New(apperr.NotFound, "availability_not_set", "This clinician has not set consultation hours yet.")
)

// CreateClinician adds a clinician; hooks run in the same transaction
// (the staff API records who added them).
func (s *Service) CreateClinician(ctx context.Context, in ClinicianInput, hooks ...ClinicianHook) (Clinician, error) {
	var c Clinician
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if c, err = s.CreateClinicianTx(tx, in); err != nil {
			return err
		}
		return runClinicianHooks(tx, hooks, ClinicianChange{Kind: ChangeCreated, ClinicianID: c.ID})
	})
	return c, err
}

// Clinician returns one clinician.
func (s *Service) Clinician(ctx context.Context, id int64) (Clinician, error) {
	r, err := loadClinician(s.db.WithContext(ctx), id)
	return r.clinician(), err
}

// Clinicians returns every clinician, by name.
func (s *Service) Clinicians(ctx context.Context) ([]Clinician, error) {
	var rows []clinicianRow
	if err := s.db.WithContext(ctx).Order("name, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list clinicians: %w", err)
	}
	out := make([]Clinician, len(rows))
	for i, r := range rows {
		out[i] = r.clinician()
	}
	return out, nil
}

func loadClinician(tx *gorm.DB, id int64) (clinicianRow, error) {
	var r clinicianRow
	err := tx.First(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, errClinicianNotFound
	}
	if err != nil {
		return r, fmt.Errorf("load clinician: %w", err)
	}
	return r, nil
}

// SetAvailability validates and stores a clinician's rules as a whole.
// hooks run inside the change's transaction (the audit entry of a staff
// member's change).
func (s *Service) SetAvailability(ctx context.Context, clinicianID int64, in schedule.AvailabilityInput, hooks ...ClinicianHook) (schedule.Availability, error) {
	a, err := in.Parse()
	if err != nil {
		return schedule.Availability{}, err
	}
	doc, err := json.Marshal(a.Input())
	if err != nil {
		return schedule.Availability{}, err
	}
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		// Locked on Postgres (as a booking locks it, see lockOpen) so that
		// no consultation is booked between the check below and the save.
		if _, err := loadClinician(lockForUpdate(tx), clinicianID); err != nil {
			return err
		}
		if !in.KeepBookings {
			affected, err := affectedBy(tx, clinicianID, a, s.now())
			if err != nil {
				return err
			}
			if len(affected) > 0 {
				return errHoursHoldConsultations(affected, a.Loc())
			}
		}
		r := availabilityRow{ClinicianID: clinicianID, Rules: string(doc), UpdatedAt: s.now().UTC()}
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		return runClinicianHooks(tx, hooks, ClinicianChange{Kind: ChangeAvailability, ClinicianID: clinicianID})
	})
	if err != nil {
		return schedule.Availability{}, fmt.Errorf("set availability: %w", err)
	}
	return a, nil
}

// Availability returns a clinician's rules; errNoAvailability when unset.
func (s *Service) Availability(ctx context.Context, clinicianID int64) (schedule.Availability, error) {
	return loadAvailability(s.db.WithContext(ctx), clinicianID)
}

func loadAvailability(tx *gorm.DB, clinicianID int64) (schedule.Availability, error) {
	var r availabilityRow
	err := tx.First(&r, "clinician_id = ?", clinicianID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return schedule.Availability{}, errNoAvailability
	}
	if err != nil {
		return schedule.Availability{}, fmt.Errorf("load availability: %w", err)
	}
	return parseRules(r.Rules)
}

func parseRules(doc string) (schedule.Availability, error) {
	var in schedule.AvailabilityInput
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		return schedule.Availability{}, fmt.Errorf("stored availability: %w", err)
	}
	a, err := in.Parse()
	if err != nil {
		return schedule.Availability{}, fmt.Errorf("stored availability: %w", err)
	}
	return a, nil
}
