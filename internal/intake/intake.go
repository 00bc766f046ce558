// Package intake is the consultation request a prospective client sends:
// the form and its validation, storage, and the review workflow staff move
// it through.
package intake

import (
	"time"

	"github.com/firststep/firststep/internal/consult"
)

// Kind is who the consultation is for; package consult defines the kinds.
type Kind = consult.Kind

const (
	Individual = consult.Individual
	Couple     = consult.Couple
)

// Status is where an intake stands in the front desk's workflow.
type Status string

const (
	StatusNew           Status = "new"
	StatusInReview      Status = "in_review"
	StatusConsultBooked Status = "consult_booked"
	StatusAccepted      Status = "accepted"
	StatusReferredOut   Status = "referred_out"
	StatusDeclined      Status = "declined"
	StatusClosed        Status = "closed"
)

// Option is one choice of a radio or checkbox group: the stored value and
// the label a person reads.
type Option struct{ Value, Label string }

// The fixed choices of the form. Values are stored; labels are shown.
var (
	Concerns = []Option{
		{"substance_use", "Substance use or addiction recovery"},
		{"trauma", "Trauma"},
		{"relationship_conflict", "Relationship conflict"},
		{"anxiety_depression", "Anxiety or depression"},
		{"grief", "Grief or loss"},
		{"other", "Something else"},
	}
	Approaches = []Option{
		{"rlt", "Relational Life Therapy"},
		{"sensorimotor", "Sensorimotor Psychotherapy"},
		{"eft", "Emotionally Focused Therapy (EFT)"},
		{"emdr", "EMDR"},
		{"not_sure", "Not sure yet"},
	}
	SessionFormats = []Option{
		{string(consult.Video), "Video"},
		{string(consult.InPerson), "In person"},
		{string(consult.Either), "Either is fine"},
	}
	ContactPreferences = []Option{
		{"email", "Email only, please don't call"},
		{"phone", "Phone"},
		{"either", "Email or phone"},
	}
	PartnerAwareness = []Option{
		{"yes", "Yes, we are reaching out together"},
		{"not_yet", "Not yet"},
	}
	Statuses = []Option{
		{string(StatusNew), "New"},
		{string(StatusInReview), "In review"},
		{string(StatusConsultBooked), "Consult booked"},
		{string(StatusAccepted), "Accepted"},
		{string(StatusReferredOut), "Referred out"},
		{string(StatusDeclined), "Declined"},
		{string(StatusClosed), "Closed"},
	}
)

// Label returns the label of value among opts, or value itself.
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

func valid(opts []Option, value string) bool {
	for _, o := range opts {
		if o.Value == value {
			return true
		}
	}
	return false
}

// Intake is a stored request as staff and the booking flow see it.
type Intake struct {
	ID                int64
	Kind              Kind
	Name              string
	Email             string
	Phone             string
	Pronouns          string
	ContactPreference string
	VoicemailOK       bool
	PartnerName       string
	PartnerEmail      string
	PartnerPronouns   string
	PartnerAware      string
	// PartnerContactAllowedAt is when a partner who did not know about the
	// request yet was allowed to be contacted, and PartnerContactAllowedBy
	// who said so ("client" or "staff"); nil while they may not be.
	PartnerContactAllowedAt *time.Time
	PartnerContactAllowedBy string
	Concerns                []string
	ConcernsOther           string
	Message                 string
	Approaches              []string
	SessionFormat           string
	ReferralSource          string
	TimeZone                string
	SafetyConcern           bool
	Urgent                  bool
	Status                  Status
	AssignedClinicianID     *int64
	// ConsultCancelled is set while the request's last consultation was
	// cancelled and none has been booked since.
	ConsultCancelled *Cancellation
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// Partner holds the partner's own answers. Only the staff reads
	// (GetForStaff) fill it in; the client's pages never see it.
	Partner *PartnerAnswers
}

// Receipt is what a client gets back for a stored intake: its id and the
// token that lets them continue (choose a time) without an account.
type Receipt struct {
	ID     int64
	Token  string
	Urgent bool
}
