package booking

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/invite"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

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

// Feed returns the calendar of a feed token: the clinician's active
// consultations from a week ago on, with generic summaries only.
func (s *Service) Feed(ctx context.Context, token string) ([]byte, error) {
	if token == "" {
		return nil, errFeedNotFound
	}
	db := s.db.WithContext(ctx)
	var clin clinicianRow
	err := db.Where("feed_token_hash = ?", secret.Hash(token)).Take(&clin).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errFeedNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load feed: %w", err)
	}
	settings, err := s.practice.Get(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var rows []bookingRow
	if err := db.Where("clinician_id = ? AND status = ? AND end_at > ?", clin.ID, StatusActive, now.Add(-7*24*time.Hour)).
		Order("start_at").Limit(2000).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load feed bookings: %w", err)
	}
	events := make([]invite.FeedEvent, len(rows))
	for i, b := range rows {
		events[i] = invite.FeedEvent{UID: b.UID, Sequence: b.Sequence, Start: b.StartAt, End: b.EndAt,
			Summary: "Consultation — " + settings.Name, Location: Location(b.SessionFormat, settings, clin.clinician()).Text(),
			Description: fmt.Sprintf("Consultation request: %s/staff/intakes/%d", s.cfg.BaseURL, b.IntakeID)}
	}
	return invite.EncodeFeed("Consultations — "+clin.Name, now, events)
}

func (h *PageHandlers) feed(c echo.Context) error {
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok {
		return errFeedNotFound
	}
	cal, err := h.svc.Feed(c.Request().Context(), token)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", cal)
}
