package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/zone"
	"gorm.io/gorm"
)

// Booking is a consultation as its manage page and staff see it.
type Booking struct {
	ID             int64
	IntakeID       int64
	Kind           consult.Kind
	ClinicianID    int64
	ClinicianName  string
	Start, End     time.Time
	Status         string
	Sequence       int
	ClientTimeZone string
	Place          Place  // where it happens, as the client asked (see Location)
	Location       string // Place on one line
	// HolderName is the person whose manage link was used.
	HolderName string
	// HolderIsClient: the link used is the client's own (issued first),
	// not their partner's.
	HolderIsClient bool
	// PartnerWaiting: the couple's partner may not be contacted yet, so
	// they have no invitation and no link of their own (see Client).
	PartnerWaiting bool
	// CanChange: it could still be rescheduled or cancelled when it was
	// read (see Changeable).
	CanChange bool
	// Unchanged is set by a reschedule to the time and clinician the
	// booking already had: nothing was changed and nobody was emailed.
	Unchanged bool
	// Policy is the practice's change policy when it was read;
	// ChangeWindowClosed: its client could no longer change it then
	// (ClientChangeable), though staff still can.
	Policy             ChangePolicy
	ChangeWindowClosed bool
}

// ByManageToken returns the booking a manage link belongs to.
func (s *Service) ByManageToken(ctx context.Context, token string) (Booking, error) {
	db := s.db.WithContext(ctx)
	link, b, err := bookingByToken(db, token)
	if err != nil {
		return Booking{}, err
	}
	v, err := s.view(ctx, db, b, link.Name)
	if err != nil {
		return Booking{}, err
	}
	var earlier int64
	if err := db.Model(&linkRow{}).Where("booking_id = ? AND id < ?", link.BookingID, link.ID).Count(&earlier).Error; err != nil {
		return Booking{}, fmt.Errorf("load manage links: %w", err)
	}
	v.HolderIsClient = earlier == 0
	return v, nil
}

// ForIntake returns the bookings of an intake, newest first (staff).
func (s *Service) ForIntake(ctx context.Context, intakeID int64) ([]Booking, error) {
	db := s.db.WithContext(ctx)
	var rows []bookingRow
	if err := db.Where("intake_id = ?", intakeID).Order("start_at DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	out := make([]Booking, 0, len(rows))
	for _, r := range rows {
		v, err := s.view(ctx, db, r, "")
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, db *gorm.DB, b bookingRow, holder string) (Booking, error) {
	clin, err := loadClinician(db, b.ClinicianID)
	if err != nil {
		return Booking{}, err
	}
	cl, err := s.intakes.ClientByID(db, b.IntakeID)
	if err != nil {
		return Booking{}, err
	}
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return Booking{}, err
	}
	place := Location(b.SessionFormat, settings, clin.clinician())
	now := s.now()
	policy := s.policyOf(settings)
	return Booking{Policy: policy, ChangeWindowClosed: b.changeable(now) == nil && policy.windowClosed(b.StartAt, now),
		ID: b.ID, IntakeID: b.IntakeID, Kind: cl.Kind, ClinicianID: clin.ID, ClinicianName: clin.Name,
		Start: b.StartAt.UTC(), End: b.EndAt.UTC(), Status: b.Status, Sequence: b.Sequence, ClientTimeZone: b.ClientTimezone,
		Place: place, Location: place.Text(), HolderName: holder, PartnerWaiting: cl.PartnerWaiting,
		CanChange: b.changeable(now) == nil}, nil
}

func bookingByToken(tx *gorm.DB, token string) (linkRow, bookingRow, error) {
	var link linkRow
	var b bookingRow
	if token == "" {
		return link, b, errBookingNotFound
	}
	err := tx.Where("token_hash = ?", secret.Hash(token)).Take(&link).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return link, b, errBookingNotFound
	}
	if err != nil {
		return link, b, fmt.Errorf("load manage link: %w", err)
	}
	if err := tx.Take(&b, link.BookingID).Error; err != nil {
		return link, b, fmt.Errorf("load booking: %w", err)
	}
	return link, b, nil
}

// Reschedule moves the booking of a manage link to req. Everyone gets an
// updated invitation (same UID, higher SEQUENCE); when the clinician
// changes, the previous one gets a cancellation.
func (s *Service) Reschedule(ctx context.Context, manageToken string, req Request) (Booking, error) {
	return s.reschedule(ctx, func(tx *gorm.DB) (bookingRow, error) {
		_, b, err := bookingByToken(tx, manageToken)
		return b, err
	}, req, true, nil)
}

// RescheduleByID is Reschedule on a client's behalf (front desk); hooks run
// inside the change's transaction.
func (s *Service) RescheduleByID(ctx context.Context, bookingID int64, req Request, hooks ...AuditHook) (Booking, error) {
	return s.reschedule(ctx, func(tx *gorm.DB) (bookingRow, error) { return bookingByID(tx, bookingID) }, req, false, hooks)
}

func bookingByID(tx *gorm.DB, id int64) (bookingRow, error) {
	var b bookingRow
	err := tx.Take(&b, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return b, errBookingNotFound
	}
	return b, err
}

// reschedule moves the booking find finds; byClient: through its manage
// link, under the change policy.
func (s *Service) reschedule(ctx context.Context, find func(*gorm.DB) (bookingRow, error), req Request, byClient bool, hooks []AuditHook) (Booking, error) {
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return Booking{}, err
	}
	var out bookingRow
	unchanged := false
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		b, err := find(tx)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if err := b.mayChange(now, s.policyOf(settings), byClient); err != nil {
			return err
		}
		if req.ClinicianID == 0 {
			req.ClinicianID = b.ClinicianID
		}
		if sameSlot(b, req) {
			// Nothing to change: no new SEQUENCE, no emails, no audit entry.
			out, unchanged = b, true
			return nil
		}
		cl, err := s.intakes.ClientByID(tx, b.IntakeID)
		if err != nil {
			return err
		}
		clin, rules, err := s.lockOpen(tx, cl.Kind, req, b.ID)
		if err != nil {
			return err
		}
		var previous *previousBooking
		if clin.ID != b.ClinicianID {
			p, err := loadClinician(tx, b.ClinicianID)
			if err != nil {
				return err
			}
			previous = &previousBooking{clinician: p, booking: b}
		}
		b.ClinicianID, b.StartAt = clin.ID, req.Start.UTC()
		b.EndAt, b.BlockEnd = req.Start.Add(rules.Slot).UTC(), req.Start.Add(rules.Slot+rules.Buffer).UTC()
		b.Sequence++
		b.UpdatedAt = now
		if req.ClientTimeZone != "" {
			b.ClientTimezone = zone.First(req.ClientTimeZone, b.ClientTimezone)
		}
		res := tx.Model(&bookingRow{}).Where("id = ? AND status = ?", b.ID, StatusActive).Updates(map[string]any{
			"clinician_id": b.ClinicianID, "start_at": b.StartAt, "end_at": b.EndAt, "block_end": b.BlockEnd,
			"sequence": b.Sequence, "updated_at": now, "client_timezone": b.ClientTimezone})
		if res.Error != nil {
			if store.IsOverlap(res.Error) {
				return ErrSlotTaken
			}
			return fmt.Errorf("reschedule: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return errCancelled
		}
		links, err := s.linksOf(tx, b.ID)
		if err != nil {
			return err
		}
		msgs, err := s.mails.compose(s.letter(settings, b, clin, cl, links, kindUpdate, previous))
		if err != nil {
			return err
		}
		out = b
		if err := outbox.Enqueue(tx, now, msgs...); err != nil {
			return err
		}
		return runHooks(tx, hooks, OnBehalfReschedule, b)
	})
	if err != nil {
		return Booking{}, err
	}
	if !unchanged {
		s.notify()
	}
	v, err := s.view(ctx, s.db.WithContext(ctx), out, "")
	v.Unchanged = unchanged
	return v, err
}

// sameSlot reports whether req asks for the time and clinician b already
// has: such a "change" changes nothing and tells nobody anything.
func sameSlot(b bookingRow, req Request) bool {
	return req.ClinicianID == b.ClinicianID && req.Start.Equal(b.StartAt)
}

// Cancel cancels the booking of a manage link; everyone gets a CANCEL.
// Cancelling a cancelled booking changes nothing and sends nothing.
func (s *Service) Cancel(ctx context.Context, manageToken string) (Booking, error) {
	return s.cancel(ctx, func(tx *gorm.DB) (bookingRow, error) {
		_, b, err := bookingByToken(tx, manageToken)
		return b, err
	}, CancelledByClient, nil)
}

// CancelByID is Cancel on a client's behalf (front desk); hooks run inside
// the change's transaction.
func (s *Service) CancelByID(ctx context.Context, bookingID int64, hooks ...AuditHook) (Booking, error) {
	return s.cancel(ctx, func(tx *gorm.DB) (bookingRow, error) { return bookingByID(tx, bookingID) }, CancelledByStaff, hooks)
}

func (s *Service) cancel(ctx context.Context, find func(*gorm.DB) (bookingRow, error), by Canceller, hooks []AuditHook) (Booking, error) {
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return Booking{}, err
	}
	var out bookingRow
	sent := false
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		b, err := find(tx)
		if err != nil {
			return err
		}
		out = b
		if b.Status == StatusCancelled {
			return nil // cancelling twice changes nothing
		}
		now := s.now().UTC()
		if err := b.mayChange(now, s.policyOf(settings), by == CancelledByClient); err != nil {
			return err
		}
		b.Sequence++
		b.Status = StatusCancelled
		b.CancelledAt = &now
		res := tx.Model(&bookingRow{}).Where("id = ? AND status = ?", b.ID, StatusActive).
			Updates(map[string]any{"status": StatusCancelled, "sequence": b.Sequence, "cancelled_at": now, "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("cancel: %w", res.Error)
		}
		if res.RowsAffected != 1 {
			return nil
		}
		cl, err := s.intakes.ClientByID(tx, b.IntakeID)
		if err != nil {
			return err
		}
		clin, err := loadClinician(tx, b.ClinicianID)
		if err != nil {
			return err
		}
		links, err := s.linksOf(tx, b.ID)
		if err != nil {
			return err
		}
		msgs, err := s.mails.compose(s.letter(settings, b, clin, cl, links, kindCancel, nil))
		if err != nil {
			return err
		}
		out, sent = b, true
		if err := outbox.Enqueue(tx, now, msgs...); err != nil {
			return err
		}
		if err := s.requestAfterCancel(tx, b.IntakeID, by, now); err != nil {
			return err
		}
		return runHooks(tx, hooks, OnBehalfCancel, b)
	})
	if err != nil {
		return Booking{}, err
	}
	if sent {
		s.notify()
	}
	return s.view(ctx, s.db.WithContext(ctx), out, "")
}

// linksOf returns the people of a booking's manage links, client first,
// with their (unchanged) tokens.
func (s *Service) linksOf(tx *gorm.DB, bookingID int64) ([]issuedLink, error) {
	var rows []linkRow
	if err := tx.Where("booking_id = ?", bookingID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load manage links: %w", err)
	}
	out := make([]issuedLink, len(rows))
	for i, r := range rows {
		out[i] = issuedLink{token: s.linkToken(r.ID), name: r.Name, email: r.Email}
	}
	return out, nil
}

// HasUpcoming reports whether an intake has an active consultation that has
// not ended.
func (s *Service) HasUpcoming(ctx context.Context, intakeID int64) (bool, error) {
	return hasUpcoming(s.db.WithContext(ctx), intakeID, s.now())
}

func hasUpcoming(tx *gorm.DB, intakeID int64, now time.Time) (bool, error) {
	var n int64
	err := tx.Model(&bookingRow{}).Where("intake_id = ? AND status = ? AND end_at > ?", intakeID, StatusActive, now.UTC()).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("find upcoming booking: %w", err)
	}
	return n > 0, nil
}
