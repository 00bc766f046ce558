package booking_test

import (
	"context"
	"errors"
	"testing"

	"github.com/firststep/firststep/internal/booking"
	"gorm.io/gorm"
)

// A change made on a client's behalf and what its hook writes commit
// together: a hook that fails undoes the booking, the move or the
// cancellation, and the emails they would have sent.
func TestOnBehalfHooksCommitWithTheChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, in := e.couple("ann@example.org")
	boom := errors.New("audit log unavailable")
	failing := func(*gorm.DB, booking.StaffChange) error { return boom }
	var seen []booking.StaffChange
	recording := func(tx *gorm.DB, ch booking.StaffChange) error {
		seen = append(seen, ch)
		return tx.Exec("SELECT 1").Error
	}
	emails := func() int64 {
		var n int64
		e.db.Table("outbox_messages").Count(&n)
		return n
	}

	req := booking.Request{ClinicianID: e.maya.ID, Start: e.at("09:00")}
	if _, err := e.svc.BookForIntake(ctx, in.ID, req, failing); !errors.Is(err, boom) {
		t.Fatalf("book with a failing hook: %v", err)
	}
	if list, _ := e.svc.ForIntake(ctx, in.ID); len(list) != 0 || emails() != 0 {
		t.Fatalf("a failed hook left %d bookings and %d emails", len(list), emails())
	}

	conf, err := e.svc.BookForIntake(ctx, in.ID, req, recording)
	if err != nil {
		t.Fatal(err)
	}
	want := booking.StaffChange{Kind: booking.OnBehalfBook, BookingID: conf.ID, IntakeID: in.ID, ClinicianID: e.maya.ID,
		Start: e.at("09:00").UTC(), Sequence: 0}
	if len(seen) != 1 || seen[0] != want {
		t.Fatalf("hook saw %+v, want %+v", seen, want)
	}
	sent := emails()

	moved := booking.Request{ClinicianID: e.maya.ID, Start: e.at("10:00")}
	if _, err := e.svc.RescheduleByID(ctx, conf.ID, moved, failing); !errors.Is(err, boom) {
		t.Fatalf("reschedule with a failing hook: %v", err)
	}
	if b, _ := e.svc.ByID(ctx, conf.ID); b.Sequence != 0 || !b.Start.Equal(e.at("09:00")) || emails() != sent {
		t.Fatalf("a failed hook left the booking moved: %+v, %d new emails", b, emails()-sent)
	}
	if _, err := e.svc.RescheduleByID(ctx, conf.ID, moved, recording); err != nil {
		t.Fatal(err)
	}
	want = booking.StaffChange{Kind: booking.OnBehalfReschedule, BookingID: conf.ID, IntakeID: in.ID, ClinicianID: e.maya.ID,
		Start: e.at("10:00").UTC(), Sequence: 1}
	if len(seen) != 2 || seen[1] != want {
		t.Fatalf("hook saw %+v, want %+v", seen[1:], want)
	}
	sent = emails()

	if _, err := e.svc.CancelByID(ctx, conf.ID, failing); !errors.Is(err, boom) {
		t.Fatalf("cancel with a failing hook: %v", err)
	}
	if b, _ := e.svc.ByID(ctx, conf.ID); b.Status != booking.StatusActive || emails() != sent {
		t.Fatalf("a failed hook left the booking cancelled: %+v, %d new emails", b, emails()-sent)
	}
	if _, err := e.svc.CancelByID(ctx, conf.ID, recording); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[2].Kind != booking.OnBehalfCancel || seen[2].Sequence != 2 {
		t.Fatalf("hook saw %+v", seen[2:])
	}
	// Cancelling a cancelled booking changes nothing, so records nothing.
	if _, err := e.svc.CancelByID(ctx, conf.ID, recording); err != nil || len(seen) != 3 {
		t.Fatalf("second cancel: %v, hook called %d times", err, len(seen))
	}
}
