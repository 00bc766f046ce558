package booking_test

import (
	"context"
	"slices"
	"testing"

	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"gorm.io/gorm"
)

// newIntakes is the real intake service as internal/app builds it: its
// clinicians answered by booking, its note authors by staff.
func newIntakes(db *gorm.DB, now func() time.Time, key []byte) *intake.Service {
	return intake.NewService(db, now, key, intakeScope{}, staff.NewService(db, now, staffScope{}))
}

// intakeScope is intake.Clinicians answered by package booking, as
// internal/app wires it.
type intakeScope struct{}

var _ intake.Clinicians = intakeScope{}

func (intakeScope) ActiveClinician(tx *gorm.DB, id int64) (bool, error) {
	return booking.ActiveClinician(tx, id)
}

func (intakeScope) CliniciansBookedFor(tx *gorm.DB, intakeID int64) ([]int64, error) {
	return booking.CliniciansBookedFor(tx, intakeID)
}

func (intakeScope) IntakesBookedWith(tx *gorm.DB, clinicianID int64) ([]int64, error) {
	return booking.IntakesBookedWith(tx, clinicianID)
}

// The intake queue's scoping asks booking which clinicians a request is
// booked with and which requests a clinician has: only active bookings
// count.
func TestIntakeScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	submit := func(email string) intake.Receipt {
		r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Cy", Email: email, Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	booked, cancelled, none := submit("a@example.org"), submit("b@example.org"), submit("c@example.org")
	if _, err := e.svc.Book(ctx, booked.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}, nil); err != nil {
		t.Fatal(err)
	}
	conf, err := e.svc.Book(ctx, cancelled.Token, booking.Request{ClinicianID: e.sam.ID, Start: e.at("10:00")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, conf.ManageToken); err != nil {
		t.Fatal(err)
	}
	db := e.db.WithContext(ctx)
	for _, c := range []struct {
		name   string
		intake int64
		want   []int64
	}{{"booked", booked.ID, []int64{e.maya.ID}}, {"cancelled", cancelled.ID, nil}, {"never booked", none.ID, nil}} {
		got, err := booking.CliniciansBookedFor(db, c.intake)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: clinicians booked %v (%v), want %v", c.name, got, err, c.want)
		}
	}
	if got, err := booking.IntakesBookedWith(db, e.maya.ID); err != nil || !slices.Equal(got, []int64{booked.ID}) {
		t.Errorf("intakes booked with Maya: %v (%v)", got, err)
	}
	if got, err := booking.IntakesBookedWith(db, e.sam.ID); err != nil || len(got) != 0 {
		t.Errorf("intakes booked with Sam after the cancellation: %v (%v)", got, err)
	}
	if ok, err := booking.ActiveClinician(db, e.sam.ID); err != nil || !ok {
		t.Errorf("Sam active: %v (%v)", ok, err)
	}
	if err := db.Exec("UPDATE clinicians SET active = ? WHERE id = ?", false, e.sam.ID).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{e.sam.ID, 999999} {
		if ok, err := booking.ActiveClinician(db, id); err != nil || ok {
			t.Errorf("clinician %d active: %v (%v)", id, ok, err)
		}
	}
}

// staffScope is staff.Clinicians answered by package booking, as
// internal/app wires it.
type staffScope struct{}

func (staffScope) ClinicianExistsTx(tx *gorm.DB, id int64) (bool, error) {
	return booking.ClinicianExists(tx, id)
}
