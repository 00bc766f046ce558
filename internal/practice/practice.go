// Package practice holds the practice's own settings: its name, time zone,
// address, default video link, the crisis text shown to clients and the
// sender name on emails. There is one row; until an admin saves it the
// defaults below apply.
package practice

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/mailbox"
	"github.com/firststep/firststep/internal/zone"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DefaultCrisisText is shown, beside the crisis resources, until the
// practice writes its own. The numbers are in DefaultCrisisResources.
const DefaultCrisisText = "If you are in danger now, go to the nearest emergency room.\n" +
	"Outside the US, call your local emergency number."

// Settings are the practice's details.
type Settings struct {
	Name       string
	TimeZone   string
	Address    string
	VideoLink  string
	CrisisText string
	// SenderName is the display name an admin chose for the practice's
	// emails; empty means not chosen, and the operator's
	// (FIRSTSTEP_MAIL_FROM's) stands. See EmailSender.
	SenderName string
	// Saved reports that these settings were saved (by an admin, or the
	// demo) rather than being the Defaults, whose Name is a placeholder.
	// It is set by the service's reads; Save ignores it.
	Saved bool
	// CrisisResources are the practice's crisis lines (crisis.go); none
	// leaves CrisisText alone to say where to turn.
	CrisisResources []CrisisResource

	// The policy (policy.go). ReminderLeads are longest first.
	ReminderLeads       []time.Duration
	ChangeCutoffHours   int
	WaitlistHoldMinutes int
	// RetentionDays is how long requests are kept; nil keeps them.
	RetentionDays *int
}

// Defaults are the settings of a practice that has not saved any. There is
// no default sender name: until an admin sets one, emails keep the name the
// operator gave in FIRSTSTEP_MAIL_FROM.
func Defaults() Settings {
	return Settings{Name: "Firststep Practice", TimeZone: "America/New_York", CrisisText: DefaultCrisisText,
		CrisisResources: DefaultCrisisResources(), ReminderLeads: DefaultReminderLeads(),
		ChangeCutoffHours: DefaultChangeCutoffHours, WaitlistHoldMinutes: DefaultWaitlistHoldMinutes}
}

// EmailSender is the display name of the practice's emails (From) and of
// the invitation's ORGANIZER: the sender name an admin set; else the
// operator's, the display name of FIRSTSTEP_MAIL_FROM; else, once saved,
// the practice's name. The placeholder name of unsaved settings never
// replaces what the operator configured.
func (s Settings) EmailSender(operatorName string) string {
	switch {
	case s.SenderName != "":
		return s.SenderName
	case operatorName != "" || !s.Saved:
		return operatorName
	default:
		return s.Name
	}
}

// EmailName is the practice's name as emails and invitations write it
// (the SUMMARY "Consultation — name", the signature): the name an admin
// saved; until then the operator's sender name, when there is one, rather
// than the placeholder.
func (s Settings) EmailName(operatorName string) string {
	if !s.Saved && operatorName != "" {
		return operatorName
	}
	return s.Name
}

// Location is the practice's time zone, in which staff read times; UTC
// when it is unset or unknown.
func (s Settings) Location() *time.Location {
	return zone.OrUTC(s.TimeZone)
}

// Validate checks settings an admin is about to save.
func (s Settings) Validate() error {
	f := map[string]string{}
	if strings.TrimSpace(s.Name) == "" {
		f["name"] = "Enter the practice's name."
	} else if len(s.Name) > 200 {
		f["name"] = "The name can be at most 200 characters."
	} else if !mailbox.NameOK(mailbox.NormalName(s.Name)) {
		f["name"] = "Enter the practice's name on one line, in plain letters."
	}
	if !zone.Valid(s.TimeZone) {
		f["timezone"] = "Choose a time zone such as America/New_York."
	}
	if strings.TrimSpace(s.CrisisText) == "" {
		f["crisis_text"] = "Crisis resources must always be shown; enter the text clients should see."
	}
	validateCrisis(f, s.CrisisResources)
	validatePolicy(f, s)
	if s.VideoLink != "" && !strings.HasPrefix(s.VideoLink, "https://") {
		f["video_link"] = "The video link must start with https://."
	}
	if strings.ContainsAny(s.SenderName, "\r\n<>\"") || len(s.SenderName) > 100 || !mailbox.NameOK(mailbox.NormalName(s.SenderName)) {
		f["sender_name"] = "The sender name can be at most 100 characters, on one line, without quotes or angle brackets."
	}
	return apperr.Validation(f)
}

type row struct {
	ID         int64 `gorm:"primaryKey;autoIncrement:false"`
	Name       string
	Timezone   string
	Address    string
	VideoLink  string
	CrisisText string
	SenderName string
	// CrisisResources is the JSON list; "" until the practice saves one.
	CrisisResources string
	// ReminderLeads is the JSON list of durations, longest first.
	ReminderLeads       string
	ChangeCutoffHours   int
	WaitlistHoldMinutes int
	RetentionDays       *int
	UpdatedAt           time.Time `gorm:"autoUpdateTime:false"` // set from the service's clock
}

func (row) TableName() string { return "practice_settings" }

// settings are the stored row as the rest of Firststep reads it.
func (r row) settings() Settings {
	st := Settings{Name: r.Name, TimeZone: r.Timezone, Address: r.Address, VideoLink: r.VideoLink, CrisisText: r.CrisisText, SenderName: r.SenderName, Saved: true}
	st.CrisisResources, st.CrisisText = decodeCrisis(r.CrisisResources, r.CrisisText)
	st.ReminderLeads = decodeLeads(r.ReminderLeads)
	st.ChangeCutoffHours, st.WaitlistHoldMinutes, st.RetentionDays = r.ChangeCutoffHours, r.WaitlistHoldMinutes, r.RetentionDays
	return st
}

// Service reads and saves the settings. Reads are cached briefly: every
// public page shows the practice's name and crisis text.
type Service struct {
	db  *gorm.DB
	now func() time.Time // the clock for updated_at
	// ttl bounds how stale a cached read may be; it runs on the process's
	// own clock, not the injected one, since it is about this process.
	ttl time.Duration
	// defaultName names a practice that has saved no settings (DefaultName).
	defaultName string

	mu      sync.Mutex
	cached  Settings
	expires time.Time
}

// NewService returns a settings service over db; now is the clock.
func NewService(db *gorm.DB, now func() time.Time, opts ...Option) *Service {
	s := &Service{db: db, now: now, ttl: 5 * time.Second}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Option adjusts a new Service.
type Option func(*Service)

// DefaultName is the practice's name until an admin saves one: the display
// name the operator gave in FIRSTSTEP_MAIL_FROM. Without it the settings
// form would offer the placeholder "Firststep Practice", and the first
// save of any setting would make that placeholder the name every email and
// invitation carries.
func DefaultName(name string) Option {
	return func(s *Service) { s.defaultName = strings.TrimSpace(name) }
}

// defaults are the settings of a practice that has saved none, named as the
// operator named it.
func (s *Service) defaults() Settings {
	d := Defaults()
	if s.defaultName != "" {
		d.Name = s.defaultName
	}
	return d
}

// Get returns the current settings (the defaults when none were saved).
func (s *Service) Get(ctx context.Context) (Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.expires) {
		return s.cached, nil
	}
	var r row
	err := s.db.WithContext(ctx).First(&r, 1).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		s.cached = s.defaults()
	case err != nil:
		return Settings{}, fmt.Errorf("load practice settings: %w", err)
	default:
		s.cached = r.settings()
	}
	s.expires = time.Now().Add(s.ttl)
	return s.cached, nil
}

// Save validates and stores the settings in tx.
func (s *Service) Save(tx *gorm.DB, in Settings) error {
	in.CrisisResources = normalizeCrisis(in.CrisisResources)
	if err := in.Validate(); err != nil {
		return err
	}
	r := row{ID: 1, Name: mailbox.NormalName(in.Name), Timezone: in.TimeZone, Address: strings.TrimSpace(in.Address),
		VideoLink: strings.TrimSpace(in.VideoLink), CrisisText: strings.TrimSpace(in.CrisisText), SenderName: mailbox.NormalName(in.SenderName),
		CrisisResources: encodeCrisis(in.CrisisResources), ReminderLeads: encodeLeads(in.ReminderLeads),
		ChangeCutoffHours: in.ChangeCutoffHours, WaitlistHoldMinutes: in.WaitlistHoldMinutes, RetentionDays: in.RetentionDays,
		UpdatedAt: s.now().UTC()}
	if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error; err != nil {
		return fmt.Errorf("save practice settings: %w", err)
	}
	s.mu.Lock()
	s.expires = time.Time{}
	s.mu.Unlock()
	return nil
}

// Site returns the name and crisis text for page layouts; on a database
// error it falls back to the defaults so crisis resources always show.
func (s *Service) Site(ctx context.Context) (string, string) {
	st, err := s.Get(ctx)
	if err != nil {
		st = s.defaults()
	}
	return st.Name, st.CrisisText
}
