package booking

import (
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/outbox"
	"gorm.io/gorm"
)

// kindPlace tells everyone invited that a consultation's place changed
// (the clinician's address or video link did); its time is the same.
const kindPlace letterKind = "place"

// resendChangedPlaces sends an updated invitation (same UID, next SEQUENCE)
// to everyone invited to each of the clinician's upcoming consultations
// whose place (see Location) changed from old to cur, inside tx: nobody is
// left with an address or video link that no longer holds.
func (s *Service) resendChangedPlaces(tx *gorm.DB, old, cur clinicianRow, now time.Time) error {
	if old.Address == cur.Address && old.VideoLink == cur.VideoLink {
		return nil
	}
	settings, err := s.practice.Get(tx.Statement.Context)
	if err != nil {
		return err
	}
	var rows []bookingRow
	if err := stillChangeable(tx, now).Where("clinician_id = ?", cur.ID).
		Order("start_at, id").Find(&rows).Error; err != nil {
		return fmt.Errorf("list upcoming consultations: %w", err)
	}
	for _, b := range rows {
		if Location(b.SessionFormat, settings, old.clinician()) == Location(b.SessionFormat, settings, cur.clinician()) {
			continue
		}
		b.Sequence++
		b.UpdatedAt = now
		if err := tx.Model(&bookingRow{}).Where("id = ?", b.ID).
			Updates(map[string]any{"sequence": b.Sequence, "updated_at": now}).Error; err != nil {
			return fmt.Errorf("raise sequence: %w", err)
		}
		cl, err := s.intakes.ClientByID(tx, b.IntakeID)
		if err != nil {
			return err
		}
		links, err := s.linksOf(tx, b.ID)
		if err != nil {
			return err
		}
		msgs, err := s.mails.compose(s.letter(settings, b, cur, cl, links, kindPlace, nil))
		if err != nil {
			return err
		}
		if err := outbox.Enqueue(tx, now, msgs...); err != nil {
			return err
		}
	}
	return nil
}
