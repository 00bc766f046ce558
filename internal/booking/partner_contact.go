package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// OnBehalfAllowPartner is the StaffChange.Kind of staff allowing a couple's
// partner, who did not know about the request, to be contacted.
const OnBehalfAllowPartner = "allow_partner"

// AllowPartnerContact is the client saying, from their manage page, that
// their partner may now be contacted (see Client.PartnerEmail).
func (s *Service) AllowPartnerContact(ctx context.Context, manageToken string) error {
	return s.allowPartner(ctx, func(tx *gorm.DB) (int64, error) {
		_, b, err := bookingByToken(tx, manageToken)
		return b.IntakeID, err
	}, false, nil)
}

// AllowPartnerContactByRequest is AllowPartnerContact from the client's
// request pages, before (or without) a booking.
func (s *Service) AllowPartnerContactByRequest(ctx context.Context, intakeToken string) error {
	return s.allowPartner(ctx, func(tx *gorm.DB) (int64, error) {
		cl, err := s.intakes.ClientByToken(tx, intakeToken)
		return cl.IntakeID, err
	}, false, nil)
}

// AllowPartnerContactForIntake is staff saying so after talking to the
// client; hooks (the audit entry) run inside the change's transaction.
func (s *Service) AllowPartnerContactForIntake(ctx context.Context, intakeID int64, hooks ...AuditHook) error {
	return s.allowPartner(ctx, func(*gorm.DB) (int64, error) { return intakeID, nil }, true, hooks)
}

// allowPartner records the permission and, when the request already has an
// upcoming consultation, gives the partner their own manage link and the
// invitation as it stands (REQUEST at the booking's current SEQUENCE): the
// others' invitations do not change. Allowing twice changes nothing.
func (s *Service) allowPartner(ctx context.Context, intakeOf func(*gorm.DB) (int64, error), byStaff bool, hooks []AuditHook) error {
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return err
	}
	sent := false
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		intakeID, err := intakeOf(tx)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		changed, err := s.intakes.AllowPartnerContact(tx, intakeID, byStaff, now)
		if err != nil || !changed {
			return err
		}
		cl, err := s.intakes.ClientByID(tx, intakeID)
		if err != nil {
			return err
		}
		b, found, err := upcomingBooking(tx, intakeID, now)
		if err != nil {
			return err
		}
		if found && cl.PartnerEmail != "" {
			if sent, err = s.invitePartner(tx, settings, b, cl, now); err != nil {
				return err
			}
		}
		if !found {
			b = bookingRow{IntakeID: intakeID}
		}
		return runHooks(tx, hooks, OnBehalfAllowPartner, b)
	})
	if err != nil {
		return err
	}
	if sent {
		s.notify()
	}
	return nil
}

// invitePartner issues the partner's manage link to booking b and queues
// their invitation, unless they already have a link.
func (s *Service) invitePartner(tx *gorm.DB, settings practice.Settings, b bookingRow, cl Client, now time.Time) (bool, error) {
	links, err := s.linksOf(tx, b.ID)
	if err != nil {
		return false, err
	}
	for _, l := range links {
		if l.email == cl.PartnerEmail {
			return false, nil
		}
	}
	partner, err := s.issueLink(tx, b.ID, cl.PartnerName, cl.PartnerEmail, now)
	if err != nil {
		return false, err
	}
	links = append(links, partner)
	clin, err := loadClinician(tx, b.ClinicianID)
	if err != nil {
		return false, err
	}
	l := s.letter(settings, b, clin, cl, links, kindNew, nil)
	l.only = &partner
	msgs, err := s.mails.compose(l)
	if err != nil {
		return false, err
	}
	return true, outbox.Enqueue(tx, now, msgs...)
}

// upcomingBooking returns the intake's active consultation that has not
// started yet, if any.
func upcomingBooking(tx *gorm.DB, intakeID int64, now time.Time) (bookingRow, bool, error) {
	var b bookingRow
	err := stillChangeable(tx, now).Where("intake_id = ?", intakeID).Order("start_at").Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return b, false, nil
	}
	if err != nil {
		return b, false, fmt.Errorf("find upcoming booking: %w", err)
	}
	return b, true, nil
}
