package booking

import (
	"github.com/firststep/firststep/internal/consult"

	"fmt"
	"time"

	"gorm.io/gorm"
)

// CreateClinicianTx adds a clinician inside the caller's transaction, so
// that the admin area can record the change in the same commit.
func (s *Service) CreateClinicianTx(tx *gorm.DB, in ClinicianInput) (Clinician, error) {
	if err := in.Validate(); err != nil {
		return Clinician{}, err
	}
	now := s.now().UTC()
	r := clinicianRow{Active: true, CreatedAt: now}
	in.applyTo(&r, now)
	if err := tx.Create(&r).Error; err != nil {
		return Clinician{}, fmt.Errorf("create clinician: %w", err)
	}
	return r.clinician(), nil
}

// UpdateClinicianTx replaces clinician id's details and whether they take
// new consultations (active), inside the caller's transaction. It returns
// the names of the fields that changed (empty: nothing did). Existing
// bookings keep their time; when the clinician's address or video link
// changes the place of an upcoming one, everyone invited to it gets an
// updated invitation in the same transaction (the mail worker picks it up
// on its next look, as the caller commits).
func (s *Service) UpdateClinicianTx(tx *gorm.DB, id int64, in ClinicianInput, active bool) (Clinician, []string, error) {
	if err := in.Validate(); err != nil {
		return Clinician{}, nil, err
	}
	old, err := loadClinician(tx, id)
	if err != nil {
		return Clinician{}, nil, err
	}
	now := s.now().UTC()
	r := old
	r.Active = active
	in.applyTo(&r, now)
	changed := changedFields(old, r)
	if len(changed) == 0 {
		return old.clinician(), nil, nil
	}
	err = tx.Model(&clinicianRow{}).Where("id = ?", id).Updates(map[string]any{
		"name": r.Name, "email": r.Email, "timezone": r.Timezone, "offers_individual": r.OffersIndividual,
		"offers_couple": r.OffersCouple, "video_link": r.VideoLink, "address": r.Address, "active": r.Active, "updated_at": now,
	}).Error
	if err != nil {
		return Clinician{}, nil, fmt.Errorf("update clinician: %w", err)
	}
	if err := s.resendChangedPlaces(tx, old, r, now); err != nil {
		return Clinician{}, nil, err
	}
	return r.clinician(), changed, nil
}

// applyTo copies the validated input onto a row.
func (in ClinicianInput) applyTo(r *clinicianRow, now time.Time) {
	r.Name, r.Email, r.Timezone, r.VideoLink, r.Address = in.Name, in.Email, in.TimeZone, in.VideoLink, in.Address
	r.OffersIndividual, r.OffersCouple = false, false
	for _, o := range in.Offers {
		r.OffersIndividual = r.OffersIndividual || consult.Kind(o) == consult.Individual
		r.OffersCouple = r.OffersCouple || consult.Kind(o) == consult.Couple
	}
	r.UpdatedAt = now
}

// changedFields names the form fields whose values differ between a and b.
func changedFields(a, b clinicianRow) []string {
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"name", a.Name == b.Name},
		{"email", a.Email == b.Email},
		{"timezone", a.Timezone == b.Timezone},
		{"offers", a.OffersIndividual == b.OffersIndividual && a.OffersCouple == b.OffersCouple},
		{"video_link", a.VideoLink == b.VideoLink},
		{"address", a.Address == b.Address},
		{"active", a.Active == b.Active},
	} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	return out
}
