package booking_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/schedule"
)

// A listing reuses what it read only while the schedule is unchanged: hours
// changed and a slot booked through another instance on the same database
// (same clock tick, so no timestamp tells them apart), and changes written
// into the database by another process, show in the very next listing.
func TestSlotsSeeChangesMadeThroughAnotherInstance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	clock := e.clock.Now
	key := bytes.Repeat([]byte{7}, 32)
	other, err := booking.NewService(e.db, clock, intakeClients{e.intakes}, practice.NewService(e.db, clock),
		booking.Config{BaseURL: "https://book.example.org", FromName: "Riverbend Therapy", FromAddr: "appointments@example.org", LinkKey: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	from, to := e.at("00:00"), e.at("23:59")
	mayaStarts := func() []string {
		t.Helper()
		list, err := e.svc.Slots(ctx, "individual", from, to)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range list {
			if s.ClinicianID == e.maya.ID {
				out = append(out, s.Start.In(e.ny).Format("15:04"))
			}
		}
		return out
	}
	if got := mayaStarts(); len(got) != 3 || got[0] != "09:00" {
		t.Fatalf("Maya's slots on Wednesday: %v, want 09:00, 10:00, 11:00", got)
	}

	if _, err := other.SetAvailability(ctx, e.maya.ID, schedule.AvailabilityInput{TimeZone: "America/New_York", SlotMinutes: 50,
		BufferMinutes: 10, HorizonDays: 60, Weekly: []schedule.WeeklyWindowInput{{Weekday: "wednesday", Start: "13:00", End: "15:00"}}}); err != nil {
		t.Fatal(err)
	}
	if got := mayaStarts(); len(got) != 2 || got[0] != "13:00" || got[1] != "14:00" {
		t.Fatalf("after new hours set through another instance: %v, want 13:00, 14:00", got)
	}

	r, err := e.intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Ana", Email: "ana@example.org", Consent: true, TimeZone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Book(ctx, r.Token, booking.Request{ClinicianID: e.maya.ID, Start: e.at("13:00")}, nil); err != nil {
		t.Fatal(err)
	}
	if got := mayaStarts(); len(got) != 1 || got[0] != "14:00" {
		t.Fatalf("after 13:00 was booked through another instance: %v, want 14:00 only", got)
	}

	// Changes written by another process straight into the database.
	if err := e.db.Exec("UPDATE bookings SET status = 'cancelled' WHERE clinician_id = ?", e.maya.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got := mayaStarts(); len(got) != 2 {
		t.Fatalf("after the booking was cancelled in the database: %v, want 13:00, 14:00", got)
	}
	if err := e.db.Exec("UPDATE clinicians SET active = ? WHERE id = ?", false, e.maya.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got := mayaStarts(); len(got) != 0 {
		t.Fatalf("after Maya was deactivated in the database: %v, want none", got)
	}
}

// A listing computed a moment ago is reused only while the time has moved no
// slot past the minimum notice: one that has is gone from the next listing.
func TestSlotsFollowTheClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	from, to := e.at("00:00"), e.at("23:59")
	starts := func() []string {
		t.Helper()
		list, err := e.svc.Slots(ctx, "individual", from, to)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range list {
			if s.ClinicianID == e.maya.ID {
				out = append(out, s.Start.In(e.ny).Format("15:04"))
			}
		}
		return out
	}
	if got := starts(); len(got) != 3 {
		t.Fatalf("Maya's slots on Wednesday: %v, want 09:00, 10:00, 11:00", got)
	}
	if got := starts(); len(got) != 3 {
		t.Fatalf("the same listing again: %v", got)
	}
	e.clock.Set(e.at("09:00").Add(time.Second)) // no notice: 09:00 has begun
	if got := starts(); len(got) != 2 || got[0] != "10:00" {
		t.Fatalf("at 09:00:01: %v, want 10:00, 11:00", got)
	}
	e.clock.Set(e.at("11:00"))
	if got := starts(); len(got) != 1 || got[0] != "11:00" {
		t.Fatalf("at 11:00: %v, want 11:00", got)
	}
}
