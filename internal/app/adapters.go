package app

import (
	"context"
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web/staffui"
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

// intakeClinicians lets intake ask which clinicians can be assigned a
// request and which requests are booked with whom, without reading
// booking's tables.
type intakeClinicians struct{}

var _ intake.Clinicians = intakeClinicians{}

func (intakeClinicians) ActiveClinician(tx *gorm.DB, id int64) (bool, error) {
	return booking.ActiveClinician(tx, id)
}

func (intakeClinicians) CliniciansBookedFor(tx *gorm.DB, intakeID int64) ([]int64, error) {
	return booking.CliniciansBookedFor(tx, intakeID)
}

func (intakeClinicians) IntakesBookedWith(tx *gorm.DB, clinicianID int64) ([]int64, error) {
	return booking.IntakesBookedWith(tx, clinicianID)
}

// intakeClinicianList gives the staff intake pages the practice's
// clinicians (for assigning and for the queue's filter).
type intakeClinicianList struct{ bookings *booking.Service }

var _ staffui.IntakeClinicians = intakeClinicianList{}

func (a intakeClinicianList) Clinicians(ctx context.Context) ([]staffui.IntakeClinician, error) {
	list, err := a.bookings.Clinicians(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]staffui.IntakeClinician, len(list))
	for i, c := range list {
		out[i] = staffui.IntakeClinician{ID: c.ID, Name: c.Name, Active: c.Active}
	}
	return out, nil
}

func (a *App) clientByToken(ctx context.Context, token string) (booking.Client, error) {
	in, err := a.Intakes.ByToken(ctx, token)
	return clientOf(in), err
}

func (a *App) practiceZone(ctx context.Context) string {
	s, _ := a.Practice.Get(ctx) // on error: the zero settings, read in UTC
	return zone.First(s.TimeZone)
}

// Staff ties accounts to clinicians without reading booking's table.

// staffClinicians lets staff check the clinician an account is tied to
// without reading booking's tables.
type staffClinicians struct{}

var _ staff.Clinicians = staffClinicians{}

func (staffClinicians) ClinicianExistsTx(tx *gorm.DB, id int64) (bool, error) {
	return booking.ClinicianExists(tx, id)
}
