package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// Service applies the intake rules. The HTML form and the JSON API both
// submit through it, so they validate alike.
type Service struct {
	db         *gorm.DB
	now        func() time.Time
	key        []byte // the server key, from which partner links are derived
	clinicians Clinicians
	authors    Authors
	received   *received // the "We received your request" email; nil sends none
}

// NewService returns an intake service; now is the clock (UTC is stored),
// key the server key (secret.LoadKey) that partner links derive from,
// clinicians tells which clinicians can be assigned and which requests are
// booked with whom, and authors names the staff who write notes.
func NewService(db *gorm.DB, now func() time.Time, key []byte, clinicians Clinicians, authors Authors) *Service {
	return &Service{db: db, now: now, key: key, clinicians: clinicians, authors: authors}
}

// ErrNotFound is the answer for a request that does not exist (or a token
// or id that names none).
var ErrNotFound = apperr.New(apperr.NotFound, "intake_not_found", "We could not find that request.")

// Submit validates and stores a new intake. A "yes" to the safety question
// flags it urgent. A couple intake gets its partner link (only the hash is
// stored; the first partner's pages derive the link again). When Submit
// returns without error the intake is committed, and with it the email
// that tells the client it was received (received.go), when SendReceived
// was called.
func (s *Service) Submit(ctx context.Context, in Input) (Receipt, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Receipt{}, err
	}
	token, hash := secret.New()
	r := rowFrom(in, hash, s.now().UTC())
	if Kind(in.Kind) == Couple && len(s.key) == 0 {
		return Receipt{}, errNoKey
	}
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if s.received != nil && r.Email != "" {
			if err := s.received.queue(tx, r, token, r.CreatedAt); err != nil {
				return err
			}
		}
		if Kind(r.Kind) != Couple {
			return nil
		}
		partner, err := s.partnerToken(r.ID)
		if err != nil {
			return err
		}
		return tx.Model(&row{}).Where("id = ?", r.ID).UpdateColumn("partner_token_hash", secret.Hash(partner)).Error
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("store intake: %w", err)
	}
	if s.received != nil && s.received.notify != nil && r.Email != "" {
		s.received.notify()
	}
	return Receipt{ID: r.ID, Token: token, Urgent: r.Urgent}, nil
}

// ByToken finds the intake a client's continuation token belongs to.
func (s *Service) ByToken(ctx context.Context, token string) (Intake, error) {
	if token == "" {
		return Intake{}, ErrNotFound
	}
	return s.first(ctx, "token_hash = ?", secret.Hash(token))
}

// Get returns one intake by id.
func (s *Service) Get(ctx context.Context, id int64) (Intake, error) {
	return s.first(ctx, "id = ?", id)
}

func (s *Service) first(ctx context.Context, where string, arg any) (Intake, error) {
	var r row
	err := s.db.WithContext(ctx).Where(where, arg).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Intake{}, ErrNotFound
	}
	if err != nil {
		return Intake{}, fmt.Errorf("load intake: %w", err)
	}
	return r.intake(), nil
}

// Filter narrows the intake queue. Zero values mean "any".
type Filter struct {
	Status      Status
	Kind        Kind
	ClinicianID int64     // assigned to this clinician
	From, To    time.Time // created in [From, To)
	Limit       int
}

// List returns the queue: urgent first, then newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Intake, error) {
	q := s.db.WithContext(ctx).Model(&row{})
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.ClinicianID != 0 {
		q = q.Where("assigned_clinician_id = ?", f.ClinicianID)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	var rows []row
	if err := q.Order("urgent DESC, created_at DESC, id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list intakes: %w", err)
	}
	out := make([]Intake, len(rows))
	for i, r := range rows {
		out[i] = r.intake()
	}
	return out, nil
}
