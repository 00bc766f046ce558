package booking

import (
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/mailbox"
	"github.com/firststep/firststep/internal/zone"
)

// Clinician is a person clients can book a consultation with.
type Clinician struct {
	ID               int64
	Name             string
	Email            string
	TimeZone         string
	OffersIndividual bool
	OffersCouple     bool
	VideoLink        string // where video consultations happen; empty: the practice's default
	Address          string // where in-person consultations happen
	Active           bool
}

// Offers reports whether the clinician offers consultations of kind.
func (c Clinician) Offers(kind consult.Kind) bool {
	return kind == consult.Individual && c.OffersIndividual || kind == consult.Couple && c.OffersCouple
}

// ClinicianInput is the body of POST /api/v1/clinicians and the admin form.
type ClinicianInput struct {
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	Offers    []string `json:"offers"`
	TimeZone  string   `json:"timezone"`
	VideoLink string   `json:"video_link"`
	Address   string   `json:"address"`
}

// Validate normalizes and checks a clinician's details.
func (in *ClinicianInput) Validate() error {
	in.Name = mailbox.NormalName(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	in.VideoLink = strings.TrimSpace(in.VideoLink)
	in.Address = strings.TrimSpace(in.Address)
	f := map[string]string{}
	if in.Name == "" || len(in.Name) > 200 || strings.ContainsAny(in.Name, "\"") || !mailbox.NameOK(in.Name) {
		f["name"] = "Enter the clinician's name (at most 200 characters, on one line, no quotes)."
	}
	if !mailbox.AddressOK(in.Email) {
		f["email"] = "Enter an email address like name@example.com; invitations go there."
	}
	if len(in.Offers) == 0 {
		f["offers"] = "Choose at least one kind of consultation: individual, couple."
	}
	for _, o := range in.Offers {
		if !consult.Kind(o).Valid() {
			f["offers"] = "Offers can only be \"individual\" and \"couple\"."
		}
	}
	if !zone.Valid(in.TimeZone) {
		f["timezone"] = "Choose an IANA time zone such as America/New_York."
	}
	if in.VideoLink != "" && !strings.HasPrefix(in.VideoLink, "https://") {
		f["video_link"] = "The video link must start with https://."
	}
	if len(in.Address) > 500 {
		f["address"] = "The address can be at most 500 characters."
	}
	return apperr.Validation(f)
}

type clinicianRow struct {
	ID               int64 `gorm:"primaryKey"`
	Name             string
	Email            string
	Timezone         string
	OffersIndividual bool
	OffersCouple     bool
	VideoLink        string
	Address          string
	FeedTokenHash    string
	FeedNonce        string // with the server key, gives the feed token (see feedToken)
	Active           bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (clinicianRow) TableName() string { return "clinicians" }

func (r clinicianRow) clinician() Clinician {
	return Clinician{ID: r.ID, Name: r.Name, Email: r.Email, TimeZone: r.Timezone, OffersIndividual: r.OffersIndividual,
		OffersCouple: r.OffersCouple, VideoLink: r.VideoLink, Address: r.Address, Active: r.Active}
}

type availabilityRow struct {
	ClinicianID int64 `gorm:"primaryKey;autoIncrement:false"`
	Rules       string
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"` // set from the service's clock
}

func (availabilityRow) TableName() string { return "availabilities" }

// bookingRow is one consultation. BlockEnd is EndAt plus the clinician's
// buffer when it was booked; the database refuses overlapping blocks.
type bookingRow struct {
	ID             int64 `gorm:"primaryKey"`
	IntakeID       int64
	ClinicianID    int64
	StartAt        time.Time
	EndAt          time.Time
	BlockEnd       time.Time
	Status         string
	UID            string `gorm:"column:uid"`
	Sequence       int
	ClientTimezone string
	SessionFormat  consult.Format // the client's choice when booked; see Location
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CancelledAt    *time.Time
}

func (bookingRow) TableName() string { return "bookings" }

type linkRow struct {
	ID        int64 `gorm:"primaryKey"`
	BookingID int64
	TokenHash string
	Name      string
	Email     string
	CreatedAt time.Time
}

func (linkRow) TableName() string { return "booking_links" }

type idempotencyRow struct {
	Key         string `gorm:"primaryKey"`
	RequestHash string
	StatusCode  int
	Body        string
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }
