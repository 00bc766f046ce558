package booking

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/invite"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// ErrFeedNotFound: no calendar feed has that address.
var ErrFeedNotFound = errFeedNotFound

var errFeedNotFound = apperr.New(apperr.NotFound, "feed_not_found", "There is no calendar at this address. The link may have been replaced.")

// RotateFeedToken gives a clinician a new secret calendar-feed address; the
// old address stops working. It returns the new token. hooks run inside the
// change's transaction (the audit entry of a staff member's change).
func (s *Service) RotateFeedToken(ctx context.Context, clinicianID int64, hooks ...ClinicianHook) (string, error) {
	nonce, _ := secret.New()
	token := s.feedToken(clinicianID, nonce)
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&clinicianRow{}).Where("id = ?", clinicianID).
			Updates(map[string]any{"feed_nonce": nonce, "feed_token_hash": secret.Hash(token), "updated_at": s.now().UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errClinicianNotFound
		}
		return runClinicianHooks(tx, hooks, ClinicianChange{Kind: ChangeCalendarFeed, ClinicianID: clinicianID})
	})
	if err != nil {
		return "", fmt.Errorf("rotate feed token: %w", err)
	}
	return token, nil
}

// feedToken derives a clinician's feed token from the server key and the
// clinician's current nonce: the address can be shown again on the staff
// page, while the database holds only the nonce and the token's hash, which
// open nothing without the key.
func (s *Service) feedToken(clinicianID int64, nonce string) string {
	return secret.Keyed(s.cfg.LinkKey, fmt.Sprintf("calendar-feed:%d:%s", clinicianID, nonce))
}

// FeedURL returns the address of a clinician's calendar feed, or "" when
// the clinician has none that can be shown (never created, or made before
// addresses were derived; rotating makes one).
func (s *Service) FeedURL(ctx context.Context, clinicianID int64) (string, error) {
	r, err := loadClinician(s.db.WithContext(ctx), clinicianID)
	if err != nil {
		return "", err
	}
	if r.FeedNonce == "" {
		return "", nil
	}
	token := s.feedToken(r.ID, r.FeedNonce)
	if secret.Hash(token) != r.FeedTokenHash {
		return "", nil // the server key changed: the stored address cannot be rebuilt
	}
	return s.cfg.BaseURL + "/feeds/" + token + ".ics", nil
}

// FeedCalendar is a clinician's calendar feed as served: its bytes, a
// strong ETag of them, and when they last changed, for conditional GETs.
type FeedCalendar struct {
	Body     []byte
	ETag     string
	Modified time.Time
}

// Feed returns the calendar of a feed token: the clinician's active
// consultations from a week ago on, with generic summaries only.
func (s *Service) Feed(ctx context.Context, token string) (FeedCalendar, error) {
	if token == "" {
		return FeedCalendar{}, errFeedNotFound
	}
	db := s.db.WithContext(ctx)
	var clin clinicianRow
	err := db.Where("feed_token_hash = ?", secret.Hash(token)).Take(&clin).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return FeedCalendar{}, errFeedNotFound
	}
	if err != nil {
		return FeedCalendar{}, fmt.Errorf("load feed: %w", err)
	}
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return FeedCalendar{}, err
	}
	now := s.now().UTC()
	var rows []bookingRow
	if err := db.Where("clinician_id = ? AND status = ? AND end_at > ?", clin.ID, StatusActive, now.Add(-7*24*time.Hour)).
		Order("start_at").Limit(2000).Find(&rows).Error; err != nil {
		return FeedCalendar{}, fmt.Errorf("load feed bookings: %w", err)
	}
	events := make([]invite.FeedEvent, len(rows))
	for i, b := range rows {
		staffURL := fmt.Sprintf("%s/staff/intakes/%d", s.cfg.BaseURL, b.IntakeID)
		place := Location(b.SessionFormat, settings, clin.clinician())
		events[i] = invite.FeedEvent{UID: b.UID, Sequence: b.Sequence, Revised: b.UpdatedAt, Start: b.StartAt, End: b.EndAt,
			Summary: "Consultation — " + settings.EmailName(s.cfg.FromName), Location: place.Text(),
			Description: "Consultation request: " + staffURL, URL: staffURL, Conference: place.VideoLink}
	}
	body, err := invite.EncodeFeed("Consultations — "+clin.Name, clin.CreatedAt, events)
	if err != nil {
		return FeedCalendar{}, err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return FeedCalendar{Body: body, ETag: etag, Modified: s.feeds.modified(clin.ID, etag, now)}, nil
}

// feedVersions remembers, per clinician, the ETag last served and since
// when, which is the feed's Last-Modified. No column holds that time: a
// feed also changes when a consultation is cancelled, moves to a
// colleague or falls out of the window, none of which leaves a row behind
// to date it. The map holds one entry per clinician. After a restart, or on
// another instance, the time is later than it was, never earlier: a client
// then fetches the feed once more than needed, never misses a change.
type feedVersions struct {
	mu   sync.Mutex
	seen map[int64]feedVersion
}

type feedVersion struct {
	etag  string
	since time.Time
}

// modified returns the Last-Modified of a clinician's feed whose current
// ETag is etag. HTTP dates have whole seconds, so a change within the
// second of the previous one is dated a second later: an If-Modified-Since
// of the earlier version must not match the new one.
func (f *feedVersions) modified(clinicianID int64, etag string, now time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil {
		f.seen = map[int64]feedVersion{}
	}
	v, ok := f.seen[clinicianID]
	if ok && v.etag == etag {
		return v.since
	}
	since := now.Truncate(time.Second)
	if ok && !since.After(v.since) {
		since = v.since.Add(time.Second)
	}
	f.seen[clinicianID] = feedVersion{etag: etag, since: since}
	return since
}
