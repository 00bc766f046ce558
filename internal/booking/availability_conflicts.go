package booking

import (
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/schedule"
	"gorm.io/gorm"
)

// AffectedConsultation is an upcoming consultation that new hours would
// leave outside the clinician's hours.
type AffectedConsultation struct {
	BookingID int64     `json:"booking_id"`
	IntakeID  int64     `json:"intake_id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
}

// HoursConflict is why new hours were not saved: they close a day or remove
// hours that hold these consultations. It is the cause (Err) of the
// apperr.Error that SetAvailability returns.
type HoursConflict struct {
	Consultations []AffectedConsultation
}

func (h *HoursConflict) Error() string {
	return fmt.Sprintf("new hours leave %d upcoming consultations outside them", len(h.Consultations))
}

// errHoursHoldConsultations refuses new hours that would silently leave
// booked clients outside the clinician's hours (422): the consultations are
// listed so that each can be moved or cancelled first, or kept on purpose.
func errHoursHoldConsultations(list []AffectedConsultation, loc *time.Location) error {
	n := len(list)
	msg := fmt.Sprintf("These hours close a day or remove hours that hold %d upcoming consultations. Nothing was saved. Move or cancel each one first, or save again with keep_bookings to keep them booked (only new bookings stop).", n)
	if n == 1 {
		msg = "These hours close a day or remove hours that hold an upcoming consultation. Nothing was saved. Move or cancel it first, or save again with keep_bookings to keep it booked (only new bookings stop)."
	}
	shown := make([]AffectedConsultation, n)
	for i, c := range list {
		c.Start, c.End = c.Start.In(loc), c.End.In(loc)
		shown[i] = c
	}
	return &apperr.Error{Kind: apperr.Invalid, Code: "hours_hold_consultations", Message: msg,
		Details: map[string]any{"consultations": shown}, Err: &HoursConflict{Consultations: list}}
}

// affectedBy lists the clinician's active consultations that have not
// started and that the saved rules held but next does not. A consultation
// already outside the saved hours (kept on purpose before) is not listed
// again.
func affectedBy(tx *gorm.DB, clinicianID int64, next schedule.Availability, now time.Time) ([]AffectedConsultation, error) {
	saved, err := loadAvailability(tx, clinicianID)
	if apperr.As(err) != nil && apperr.As(err).Code == errNoAvailability.Code {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows []bookingRow
	if err := stillChangeable(tx, now).Where("clinician_id = ?", clinicianID).
		Order("start_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list upcoming consultations: %w", err)
	}
	var out []AffectedConsultation
	for _, b := range rows {
		start, end := b.StartAt.UTC(), b.EndAt.UTC()
		if saved.Holds(start, end) && !next.Holds(start, end) {
			out = append(out, AffectedConsultation{BookingID: b.ID, IntakeID: b.IntakeID, Start: start, End: end})
		}
	}
	return out, nil
}
