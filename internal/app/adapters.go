package app

import (
	"context"
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/zone"
	"gorm.io/gorm"
)

// intakeClients lets booking read the people of an intake and mark it
// booked, without either package importing the other.
type intakeClients struct{ svc *intake.Service }

var _ booking.Intakes = intakeClients{}

func clientOf(in intake.Intake) booking.Client {
	return booking.Client{IntakeID: in.ID, Kind: in.Kind, Name: in.Name, Email: in.Email,
		PartnerName: in.PartnerName, PartnerEmail: in.PartnerContactEmail(), PartnerWaiting: in.PartnerWaiting(),
		TimeZone: in.TimeZone, SessionFormat: consult.Format(in.SessionFormat)}
}

func (a intakeClients) ClientByToken(tx *gorm.DB, token string) (booking.Client, error) {
	in, err := a.svc.ByTokenTx(tx, token)
	return clientOf(in), err
}

func (a intakeClients) ClientByID(tx *gorm.DB, id int64) (booking.Client, error) {
	in, err := a.svc.GetTx(tx, id)
	return clientOf(in), err
}

func (a intakeClients) Kinds(tx *gorm.DB, ids []int64) (map[int64]consult.Kind, error) {
	return a.svc.KindsTx(tx, ids)
}

func (a intakeClients) MarkBooked(tx *gorm.DB, id int64, now time.Time) error {
	return a.svc.MarkBooked(tx, id, now)
}

func (a intakeClients) MarkCancelled(tx *gorm.DB, id int64, by booking.Canceller, now time.Time) error {
	return a.svc.MarkCancelled(tx, id, intake.CancelledBy(by), now)
}

func (a intakeClients) AllowPartnerContact(tx *gorm.DB, id int64, byStaff bool, now time.Time) (bool, error) {
	by := intake.AllowedByClient
	if byStaff {
		by = intake.AllowedByStaff
	}
	return a.svc.AllowPartnerContactTx(tx, id, by, now)
}

func (a *App) clientByToken(ctx context.Context, token string) (booking.Client, error) {
	in, err := a.Intakes.ByToken(ctx, token)
	return clientOf(in), err
}

func (a *App) practiceZone(ctx context.Context) string {
	s, _ := a.Practice.Get(ctx) // on error: the zero settings, read in UTC
	return zone.First(s.TimeZone)
}
