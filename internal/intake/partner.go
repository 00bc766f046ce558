package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/mailbox"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The partner of a couple intake may add their own answers through a
// private link that the first partner chooses whether to pass on. The
// link is never emailed: the partner may not know about the request yet.
// Neither partner's pages ever show the other's answers; only staff read
// both.

// PartnerInput is one submission of the partner's form.
type PartnerInput struct {
	Name              string
	Pronouns          string
	Email             string
	Phone             string
	ContactPreference string
	VoicemailOK       bool
	Concerns          []string
	ConcernsOther     string
	Hopes             string
	Approaches        []string
	SafetyConcern     bool
	Consent           bool
}

// PartnerFieldOrder is the order of fields on the partner's form, for the
// error summary.
var PartnerFieldOrder = []string{"name", "pronouns", "email", "contact_preference", "phone",
	"concerns", "concerns_other", "hopes", "approaches", "consent"}

// Normalize cleans what the partner typed, as Input.Normalize does.
func (in *PartnerInput) Normalize() {
	for _, p := range []*string{&in.Name, &in.Pronouns, &in.Email, &in.Phone, &in.ContactPreference, &in.ConcernsOther} {
		*p = strings.TrimSpace(clean(*p, false))
	}
	in.Hopes = strings.TrimSpace(clean(in.Hopes, true))
	in.Name = mailbox.NormalName(in.Name)
	in.Email = strings.ToLower(in.Email)
	if in.ContactPreference == "" {
		in.ContactPreference = "email"
	}
	in.Concerns = dedupe(in.Concerns)
	in.Approaches = dedupe(in.Approaches)
	if !contains(in.Concerns, "other") && in.ConcernsOther != "" {
		in.Concerns = append(in.Concerns, "other")
	}
}

// Validate checks a normalized PartnerInput with the intake form's rules
// and lengths. Only the name and the agreement are required; the email is
// optional because the practice can reach the couple through the request.
func (in PartnerInput) Validate() error {
	f := map[string]string{}
	switch {
	case in.Name == "":
		f["name"] = "Enter your name. A first name is fine."
	case tooLong(in.Name, maxName):
		f["name"] = fmt.Sprintf("Your name can be at most %d characters.", maxName)
	case !mailbox.NameOK(in.Name):
		f["name"] = nameOnOneLine
	}
	if msg := emailProblem(in.Email); msg != "" {
		f["email"] = msg
	}
	if tooLong(in.Pronouns, maxPronouns) {
		f["pronouns"] = fmt.Sprintf("Pronouns can be at most %d characters.", maxPronouns)
	}
	checkContact(f, in.ContactPreference, in.Phone)
	checkAbout(f, in.Concerns, in.ConcernsOther, "hopes", in.Hopes, in.Approaches)
	if !in.Consent {
		f["consent"] = "Please agree to the privacy notice and to being contacted about this request, so we can reply to you."
	}
	return apperr.Validation(f)
}

// PartnerAnswers are the partner's own answers as staff read them.
type PartnerAnswers struct {
	Name              string
	Pronouns          string
	Email             string
	Phone             string
	ContactPreference string
	VoicemailOK       bool
	Concerns          []string
	ConcernsOther     string
	Hopes             string
	Approaches        []string
	SafetyConcern     bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// PartnerRequest is what the partner's form may know of the intake: whose
// link it is and the name the first partner gave for them — nothing the
// first partner wrote about themselves or the relationship.
type PartnerRequest struct {
	IntakeID    int64
	PartnerName string
	// Answered: answers were already sent with this link (they stand).
	Answered bool
}

// partnerRow is the partner_answers table. It never leaves this package.
type partnerRow struct {
	ID                int64 `gorm:"primaryKey"`
	IntakeID          int64
	Name              string
	Pronouns          string
	Email             string
	Phone             string
	ContactPreference string
	VoicemailOK       bool `gorm:"column:voicemail_ok"`
	Concerns          string
	ConcernsOther     string
	Hopes             string
	Approaches        string
	SafetyConcern     bool
	Consent           bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (partnerRow) TableName() string { return "partner_answers" }

func (r partnerRow) answers() PartnerAnswers {
	return PartnerAnswers{Name: r.Name, Pronouns: r.Pronouns, Email: r.Email, Phone: r.Phone,
		ContactPreference: r.ContactPreference, VoicemailOK: r.VoicemailOK, Concerns: split(r.Concerns),
		ConcernsOther: r.ConcernsOther, Hopes: r.Hopes, Approaches: split(r.Approaches), SafetyConcern: r.SafetyConcern,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

var errNoKey = errors.New("intake: no server key for partner links")

// partnerToken is the partner link's token of intake id, derived from the
// server key so that the first partner's page can show it again while only
// its hash is stored.
func (s *Service) partnerToken(id int64) (string, error) {
	if len(s.key) == 0 {
		return "", errNoKey
	}
	return secret.Keyed(s.key, fmt.Sprintf("partner-link:%d", id)), nil
}

// PartnerToken returns the partner link's token of intake id when it is a
// couple intake (kind), and "" for an individual one. A couple intake
// stored before partner links existed gets its link's hash recorded now.
func (s *Service) PartnerToken(ctx context.Context, id int64, kind Kind) (string, error) {
	if kind != Couple || id == 0 {
		return "", nil
	}
	token, err := s.partnerToken(id)
	if err != nil {
		return "", err
	}
	err = s.db.WithContext(ctx).Model(&row{}).Where("id = ? AND kind = ? AND partner_token_hash IS NULL", id, string(Couple)).
		UpdateColumn("partner_token_hash", secret.Hash(token)).Error
	if err != nil {
		return "", fmt.Errorf("record partner link: %w", err)
	}
	return token, nil
}

// ByPartnerToken finds the couple intake a partner link belongs to.
func (s *Service) ByPartnerToken(ctx context.Context, token string) (PartnerRequest, error) {
	if token == "" {
		return PartnerRequest{}, ErrNotFound
	}
	var r row
	err := s.db.WithContext(ctx).Where("partner_token_hash = ? AND kind = ?", secret.Hash(token), string(Couple)).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return PartnerRequest{}, ErrNotFound
	}
	if err != nil {
		return PartnerRequest{}, fmt.Errorf("load intake: %w", err)
	}
	var answered int64
	if err := s.db.WithContext(ctx).Model(&partnerRow{}).Where("intake_id = ?", r.ID).Count(&answered).Error; err != nil {
		return PartnerRequest{}, fmt.Errorf("load partner answers: %w", err)
	}
	return PartnerRequest{IntakeID: r.ID, PartnerName: r.PartnerName, Answered: answered > 0}, nil
}

// ErrPartnerAnswered is SubmitPartner's answer when answers for this
// request were already sent: the partner's page says so (errors.Is).
var ErrPartnerAnswered = apperr.New(apperr.Conflict, "partner_answers_sent",
	"Answers were already sent with this link, and they stay as they were sent. If you would like to add or change something, you can tell the clinician at the consultation.")

// SubmitPartner validates and stores the partner's answers for the intake
// of token. The first answers sent stand (ErrPartnerAnswered afterwards),
// except that a later "yes" to the safety question is recorded too. A
// "yes" flags the intake urgent. The answers and the flag commit together;
// the result says whether the partner should see crisis resources first.
func (s *Service) SubmitPartner(ctx context.Context, token string, in PartnerInput) (urgent bool, err error) {
	req, err := s.ByPartnerToken(ctx, token)
	if err != nil {
		return false, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return false, err
	}
	now := s.now().UTC()
	r := partnerRow{IntakeID: req.IntakeID, Name: in.Name, Pronouns: in.Pronouns, Email: in.Email, Phone: in.Phone,
		ContactPreference: in.ContactPreference, VoicemailOK: in.VoicemailOK, Concerns: strings.Join(in.Concerns, ","),
		ConcernsOther: in.ConcernsOther, Hopes: in.Hopes, Approaches: strings.Join(in.Approaches, ","),
		SafetyConcern: in.SafetyConcern, Consent: in.Consent, CreatedAt: now, UpdatedAt: now}
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		// One set of answers per intake, and the first one stands: both
		// partners can open this link, so a later sending must never
		// overwrite what the partner wrote. A later "yes" to the safety
		// question still counts: it is recorded and flags the request.
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "intake_id"}}, DoNothing: true}).Create(&r)
		if res.Error != nil {
			return fmt.Errorf("store partner answers: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			if !in.SafetyConcern {
				return ErrPartnerAnswered
			}
			err := tx.Model(&partnerRow{}).Where("intake_id = ?", req.IntakeID).
				Updates(map[string]any{"safety_concern": true, "updated_at": now}).Error
			if err != nil {
				return fmt.Errorf("record partner safety answer: %w", err)
			}
		}
		if !in.SafetyConcern {
			return nil
		}
		err = tx.Model(&row{}).Where("id = ?", req.IntakeID).Updates(map[string]any{"urgent": true, "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("flag intake urgent: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return in.SafetyConcern, nil
}

// partnerAnswers loads the partner's answers of intake id, nil when there
// are none.
func partnerAnswers(tx *gorm.DB, id int64) (*PartnerAnswers, error) {
	var rows []partnerRow
	if err := tx.Where("intake_id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load partner answers: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	a := rows[0].answers()
	return &a, nil
}
