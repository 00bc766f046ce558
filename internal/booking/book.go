package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/zone"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Status of a booking.
const (
	StatusActive    = "active"
	StatusCancelled = "cancelled"
)

var (
	// ErrSlotTaken: someone else booked the time first (409).
	ErrSlotTaken = apperr.New(apperr.Conflict, "slot_taken", "Someone else has just booked that time. Please choose another.")
	// errSlotNotOpen: the time is not offered by the clinician's rules (422).
	errSlotNotOpen = &apperr.Error{Kind: apperr.Invalid, Code: "slot_not_open", Message: "That time is not open for booking. Please choose one of the times offered.",
		Fields: map[string]string{"start": "This time is not open for booking."}}
	errBookingNotFound = apperr.New(apperr.NotFound, "booking_not_found", "We could not find that booking. The link may be incomplete.")
	errCancelled       = apperr.New(apperr.Conflict, "booking_cancelled", "This consultation was cancelled. You can request a new one from the start page.")
	errPast            = apperr.New(apperr.Conflict, "booking_past", "This consultation has already started or taken place, so it can no longer be changed.")
	errAlreadyBooked   = apperr.New(apperr.Conflict, "already_booked", "A consultation is already booked for this request. Use the link in your confirmation email to change it.")
	errIdemReused      = apperr.New(apperr.Invalid, "idempotency_key_reused", "This Idempotency-Key was already used with a different request.")
)

// Request asks for one consultation time.
type Request struct {
	ClinicianID    int64
	Start          time.Time
	ClientTimeZone string // for showing times to the client; optional
}

// Confirmation is what a client gets back for a booking: its id and their
// own manage token (partners get theirs by email).
type Confirmation struct {
	ID          int64  `json:"id"`
	ManageToken string `json:"manage_token"`
}

// Idempotency makes a retried request return the first response.
type Idempotency struct {
	Key         string
	RequestHash string
}

// HashRequest is the fingerprint stored with an Idempotency-Key.
func HashRequest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Book books req for the client of intakeToken. A slot someone else took
// first is ErrSlotTaken (also when two requests race: the database refuses
// the second); a time the rules do not offer is invalid.
func (s *Service) Book(ctx context.Context, intakeToken string, req Request, idem *Idempotency) (Confirmation, error) {
	return s.book(ctx, func(tx *gorm.DB) (Client, error) { return s.intakes.ClientByToken(tx, intakeToken) }, req, idem, nil)
}

// BookForIntake books on a client's behalf (front desk); hooks run inside
// the booking's transaction.
func (s *Service) BookForIntake(ctx context.Context, intakeID int64, req Request, hooks ...AuditHook) (Confirmation, error) {
	return s.book(ctx, func(tx *gorm.DB) (Client, error) { return s.intakes.ClientByID(tx, intakeID) }, req, nil, hooks)
}

func (s *Service) book(ctx context.Context, client func(*gorm.DB) (Client, error), req Request, idem *Idempotency, hooks []AuditHook) (Confirmation, error) {
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return Confirmation{}, err
	}
	var conf Confirmation
	err = store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if idem != nil {
			if prior, found, err := lookupIdempotent(tx, *idem, s.now()); err != nil || found {
				conf = prior
				return err
			}
		}
		cl, err := client(tx)
		if err != nil {
			if apperr.KindOf(err) == apperr.NotFound {
				return &apperr.Error{Kind: apperr.Invalid, Code: "intake_not_found", Message: "We could not find that consultation request.",
					Fields: map[string]string{"intake_token": "Unknown intake token."}}
			}
			return err
		}
		if booked, err := hasUpcoming(tx, cl.IntakeID, s.now()); err != nil || booked {
			if err == nil {
				err = errAlreadyBooked
			}
			return err
		}
		clin, rules, err := s.lockOpen(tx, cl.Kind, req, 0)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		uid, _ := secret.New()
		b := bookingRow{IntakeID: cl.IntakeID, ClinicianID: clin.ID, StartAt: req.Start.UTC(), EndAt: req.Start.Add(rules.Slot).UTC(),
			BlockEnd: req.Start.Add(rules.Slot + rules.Buffer).UTC(), Status: StatusActive, UID: "consult-" + uid[:24] + "@" + s.host,
			ClientTimezone: zone.First(req.ClientTimeZone, cl.TimeZone, settings.TimeZone), SessionFormat: cl.SessionFormat, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&b).Error; err != nil {
			if store.IsOverlap(err) {
				return ErrSlotTaken
			}
			return fmt.Errorf("insert booking: %w", err)
		}
		links, err := s.issueLinks(tx, b.ID, cl, now)
		if err != nil {
			return err
		}
		if err := s.intakes.MarkBooked(tx, cl.IntakeID, now); err != nil {
			return err
		}
		msgs, err := s.mails.compose(s.letter(settings, b, clin, cl, links, kindNew, nil))
		if err != nil {
			return err
		}
		if err := outbox.Enqueue(tx, now, msgs...); err != nil {
			return err
		}
		if err := runHooks(tx, hooks, OnBehalfBook, b); err != nil {
			return err
		}
		conf = Confirmation{ID: b.ID, ManageToken: links[0].token}
		if idem != nil {
			return saveIdempotent(tx, *idem, conf, now)
		}
		return nil
	})
	if err != nil && idem != nil && store.IsUniqueViolation(err) {
		// A concurrent request with the same key won; answer as it did.
		if prior, found, lerr := lookupIdempotent(s.db.WithContext(ctx), *idem, s.now()); lerr == nil && found {
			return prior, nil
		}
	}
	if err != nil {
		return Confirmation{}, err
	}
	s.notify()
	return conf, nil
}

// lockOpen checks that req is open for a client of kind, excluding booking
// except from the busy times, and returns the clinician and rules. On
// Postgres it locks the clinician's row so that bookings of one clinician
// take turns (the exclusion constraint is the final word either way); on
// SQLite the write transaction is already exclusive.
func (s *Service) lockOpen(tx *gorm.DB, kind consult.Kind, req Request, except int64) (clinicianRow, schedule.Availability, error) {
	clin, err := loadClinician(lockForUpdate(tx), req.ClinicianID)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return clin, schedule.Availability{}, &apperr.Error{Kind: apperr.Invalid, Code: "clinician_not_found", Message: "There is no such clinician.",
				Fields: map[string]string{"clinician_id": "There is no such clinician."}}
		}
		return clin, schedule.Availability{}, err
	}
	if !clin.Active || !clin.clinician().Offers(kind) {
		return clin, schedule.Availability{}, errSlotNotOpen
	}
	rules, err := loadAvailability(tx, clin.ID)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return clin, rules, errSlotNotOpen
		}
		return clin, rules, err
	}
	now := s.now()
	sched := schedule.Schedule{ClinicianID: clin.ID, Rules: rules}
	if _, ok := sched.OpenAt(req.Start, now); !ok {
		return clin, rules, errSlotNotOpen
	}
	busy, err := busyIntervals(tx, []int64{clin.ID}, req.Start.Add(-rules.Slot-rules.Buffer-24*time.Hour), req.Start.Add(rules.Slot+rules.Buffer+24*time.Hour), except)
	if err != nil {
		return clin, rules, err
	}
	sched.Busy = busy[clin.ID]
	if _, ok := sched.OpenAt(req.Start, now); !ok {
		return clin, rules, ErrSlotTaken
	}
	return clin, rules, nil
}

// lockForUpdate makes the next read lock the clinician's row on Postgres:
// bookings of one clinician and changes to their hours take turns. SQLite's
// write transactions are exclusive already.
func lockForUpdate(tx *gorm.DB) *gorm.DB {
	if store.DialectOf(tx) == store.Postgres {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}

type issuedLink struct {
	token       string
	name, email string
}

// issueLinks gives the client and, when they gave an email, their partner
// each a manage link of their own. The client's comes first.
func (s *Service) issueLinks(tx *gorm.DB, bookingID int64, cl Client, now time.Time) ([]issuedLink, error) {
	people := []issuedLink{{name: cl.Name, email: cl.Email}}
	// A partner who may not be contacted yet has no PartnerEmail, so no
	// link, no invitation and no email (see Client).
	if cl.PartnerEmail != "" {
		people = append(people, issuedLink{name: cl.PartnerName, email: cl.PartnerEmail})
	}
	for i := range people {
		var err error
		if people[i], err = s.issueLink(tx, bookingID, people[i].name, people[i].email, now); err != nil {
			return nil, err
		}
	}
	return people, nil
}

// issueLink gives one person a manage link of their own to a booking.
func (s *Service) issueLink(tx *gorm.DB, bookingID int64, name, email string, now time.Time) (issuedLink, error) {
	_, placeholder := secret.New()
	r := linkRow{BookingID: bookingID, TokenHash: placeholder, Name: name, Email: email, CreatedAt: now}
	if err := tx.Create(&r).Error; err != nil {
		return issuedLink{}, fmt.Errorf("issue manage link: %w", err)
	}
	l := issuedLink{token: s.linkToken(r.ID), name: name, email: email}
	if err := tx.Model(&r).Update("token_hash", secret.Hash(l.token)).Error; err != nil {
		return issuedLink{}, fmt.Errorf("issue manage link: %w", err)
	}
	return l, nil
}

// linkToken is the manage token of link id: derived from the server key, so
// every later email can carry the same link while only its hash is stored.
func (s *Service) linkToken(id int64) string {
	return secret.Keyed(s.cfg.LinkKey, fmt.Sprintf("manage-link:%d", id))
}

// idempotentTTL is how long a stored response answers a repeated key.
const idempotentTTL = 24 * time.Hour

func lookupIdempotent(tx *gorm.DB, idem Idempotency, now time.Time) (Confirmation, bool, error) {
	var r idempotencyRow
	err := tx.Where("key = ? AND created_at > ?", idem.Key, now.UTC().Add(-idempotentTTL)).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Confirmation{}, false, nil
	}
	if err != nil {
		return Confirmation{}, false, fmt.Errorf("idempotency lookup: %w", err)
	}
	if r.RequestHash != idem.RequestHash {
		return Confirmation{}, false, errIdemReused
	}
	var c Confirmation
	if err := json.Unmarshal([]byte(r.Body), &c); err != nil {
		return Confirmation{}, false, fmt.Errorf("idempotency body: %w", err)
	}
	return c, true, nil
}

func saveIdempotent(tx *gorm.DB, idem Idempotency, c Confirmation, now time.Time) error {
	body, _ := json.Marshal(c)
	// An expired key may be reused: replace its row.
	if err := tx.Where("key = ? AND created_at <= ?", idem.Key, now.Add(-idempotentTTL)).Delete(&idempotencyRow{}).Error; err != nil {
		return err
	}
	return tx.Create(&idempotencyRow{Key: idem.Key, RequestHash: idem.RequestHash, StatusCode: 201, Body: string(body), CreatedAt: now}).Error
}
