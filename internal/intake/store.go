package intake

import (
	"strings"
	"time"
)

// row is the intakes table. It never leaves this package.
type row struct {
	ID                int64 `gorm:"primaryKey"`
	TokenHash         string
	Kind              string
	Name              string
	Email             string
	Phone             string
	Pronouns          string
	ContactPreference string
	VoicemailOK       bool `gorm:"column:voicemail_ok"`
	PartnerName       string
	PartnerEmail      string
	PartnerPronouns   string
	PartnerAware      string
	PartnerTokenHash  *string
	// When and by whom ("client" or "staff") a partner who did not know
	// yet was allowed to be contacted; see Intake.PartnerMayBeContacted.
	PartnerContactAllowedAt *time.Time
	PartnerContactAllowedBy string
	Concerns                string
	ConcernsOther           string
	Message                 string
	Approaches              string
	SessionFormat           string
	ReferralSource          string
	TimeZone                string
	SafetyConcern           bool
	Urgent                  bool
	Consent                 bool
	Status                  string
	AssignedClinicianID     *int64
	ConsultCancelledAt      *time.Time
	ConsultCancelledBy      string
	CreatedAt               time.Time
	UpdatedAt               time.Time
}

func (row) TableName() string { return "intakes" }

func rowFrom(in Input, tokenHash string, now time.Time) row {
	return row{
		TokenHash: tokenHash, Kind: in.Kind, Name: in.Name, Email: in.Email, Phone: in.Phone, Pronouns: in.Pronouns,
		ContactPreference: in.ContactPreference, VoicemailOK: in.VoicemailOK,
		PartnerName: in.PartnerName, PartnerEmail: in.PartnerEmail, PartnerPronouns: in.PartnerPronouns, PartnerAware: in.PartnerAware,
		Concerns: strings.Join(in.Concerns, ","), ConcernsOther: in.ConcernsOther, Message: in.Message,
		Approaches: strings.Join(in.Approaches, ","), SessionFormat: in.SessionFormat, ReferralSource: in.ReferralSource,
		TimeZone: in.TimeZone, SafetyConcern: in.SafetyConcern, Urgent: in.SafetyConcern, Consent: in.Consent,
		Status: string(StatusNew), CreatedAt: now, UpdatedAt: now,
	}
}

func (r row) intake() Intake {
	in := Intake{
		ID: r.ID, Kind: Kind(r.Kind), Name: r.Name, Email: r.Email, Phone: r.Phone, Pronouns: r.Pronouns,
		ContactPreference: r.ContactPreference, VoicemailOK: r.VoicemailOK,
		PartnerName: r.PartnerName, PartnerEmail: r.PartnerEmail, PartnerPronouns: r.PartnerPronouns, PartnerAware: r.PartnerAware,
		Concerns: split(r.Concerns), ConcernsOther: r.ConcernsOther, Message: r.Message, Approaches: split(r.Approaches),
		SessionFormat: r.SessionFormat, ReferralSource: r.ReferralSource, TimeZone: r.TimeZone,
		SafetyConcern: r.SafetyConcern, Urgent: r.Urgent, Status: Status(r.Status), AssignedClinicianID: r.AssignedClinicianID,
		PartnerContactAllowedAt: utcPtr(r.PartnerContactAllowedAt), PartnerContactAllowedBy: r.PartnerContactAllowedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.ConsultCancelledAt != nil {
		at := r.ConsultCancelledAt.UTC()
		in.ConsultCancelled = &Cancellation{At: at, By: CancelledBy(r.ConsultCancelledBy)}
	}
	return in
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
