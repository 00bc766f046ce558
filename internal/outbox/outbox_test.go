package outbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/smtptest"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

func TestEnqueueRollback(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	clock := newClock()
	boom := errors.New("booking failed")
	err := store.Transact(ctxFor(t), db, func(tx *gorm.DB) error {
		if err := Enqueue(tx, clock.Now(), newMessage("rollback-1@firststep.test")); err != nil {
			return err
		}
		if n := countRows(t, tx, ""); n != 1 {
			t.Errorf("inside the transaction: %d rows, want 1", n)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Transact = %v, want %v", err, boom)
	}
	if n := countRows(t, db, ""); n != 0 {
		t.Errorf("after rollback: %d rows, want 0", n)
	}
}

func TestEnqueueCommit(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	clock := newClock()
	enqueue(t, db, clock.Now().In(time.FixedZone("EST", -5*3600)),
		newMessage("commit-1@firststep.test"), newMessage("commit-2@firststep.test"))
	row := rowOf(t, db, "<commit-1@firststep.test>")
	if row.Status != StatusPending || row.Attempts != 0 || !row.NextAttemptAt.Equal(clock.Now()) ||
		!row.CreatedAt.Equal(clock.Now()) || row.Recipients != `["client@example.test"]` {
		t.Errorf("row = %+v", row)
	}
	if n := countRows(t, db, ""); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
	// A Message-ID is unique: enqueueing it again is a bug, and fails.
	err := store.Transact(ctxFor(t), db, func(tx *gorm.DB) error {
		return Enqueue(tx, clock.Now(), newMessage("commit-1@firststep.test"))
	})
	if !store.IsUniqueViolation(err) {
		t.Errorf("duplicate Message-ID: err = %v, want a unique violation", err)
	}
}

func TestEnqueueValidation(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tests := []struct {
		name   string
		change func(*Message)
		want   string
	}{
		{"no message id", func(m *Message) { m.MessageID = "" }, "message ID is empty"},
		{"display-name sender", func(m *Message) { m.From = "Practice <practice@firststep.test>" }, "not a bare email address"},
		{"no recipients", func(m *Message) { m.To = nil }, "no recipients"},
		{"bad recipient", func(m *Message) { m.To = []string{"client@example.test\r\nRCPT TO:<x@y>"} }, "not a bare email address"},
		{"empty raw", func(m *Message) { m.Raw = nil }, "raw message is empty"},
		{"raw not UTF-8", func(m *Message) { m.Raw = append(m.Raw, 0xff) }, "not valid UTF-8"},
		{"raw without Message-ID", func(m *Message) {
			m.Raw = []byte(strings.Replace(string(m.Raw), "Message-ID:", "X-Other:", 1))
		}, "no Message-ID header"},
		{"raw with another Message-ID", func(m *Message) { m.MessageID = "<other@firststep.test>" }, "differs from MessageID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := newMessage("valid-1@firststep.test")
			tt.change(&msg)
			err := store.Transact(ctxFor(t), db, func(tx *gorm.DB) error {
				return Enqueue(tx, time.Now(), msg)
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Enqueue = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if n := countRows(t, db, ""); n != 0 {
		t.Errorf("%d rows written by invalid messages", n)
	}
}

func TestServiceFailedAndRetry(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	srv.Refuse("svc-refused@", 554)
	clock := newClock()
	refused, fine := newMessage("svc-refused@firststep.test"), newMessage("svc-fine@firststep.test")
	enqueue(t, db, clock.Now(), refused)
	clock.Advance(time.Second)
	enqueue(t, db, clock.Now(), fine)
	w := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	runOnce(t, w)

	woken := 0
	svc := NewService(db, clock.Now, func() { woken++ })
	failed, err := svc.Failed(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].MessageID != refused.MessageID || failed[0].Status != StatusFailed ||
		failed[0].Attempts != 1 || !strings.Contains(failed[0].LastError, "554") ||
		len(failed[0].Recipients) != 1 || failed[0].Recipients[0] != "client@example.test" {
		t.Fatalf("Failed = %+v", failed)
	}
	sentID := rowOf(t, db, fine.MessageID).ID

	tests := []struct {
		name string
		id   int64
		kind apperr.Kind
	}{
		{"unknown", 999999, apperr.NotFound},
		{"already sent", sentID, apperr.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := svc.Retry(ctxFor(t), tt.id); apperr.KindOf(err) != tt.kind {
				t.Errorf("Retry = %v, want kind %s", err, tt.kind)
			}
		})
	}

	clock.Advance(time.Hour)
	if err := svc.Retry(ctxFor(t), failed[0].ID); err != nil {
		t.Fatalf("Retry failed message: %v", err)
	}
	if woken != 1 {
		t.Errorf("Retry woke the worker %d times, want 1", woken)
	}
	if err := svc.Retry(ctxFor(t), failed[0].ID); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second Retry = %v, want a conflict (it is pending now)", err)
	}
	row := rowOf(t, db, refused.MessageID)
	if row.Status != StatusPending || !row.NextAttemptAt.Equal(clock.Now()) {
		t.Errorf("after Retry: status %s, next_attempt_at %v; want pending, due now", row.Status, row.NextAttemptAt)
	}
	srv.Refuse("", 0) // the mailbox exists now
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("retried message: sent %d, want 1", n)
	}
	if failed, _ := svc.Failed(ctxFor(t)); len(failed) != 0 {
		t.Errorf("Failed after retry = %+v, want none", failed)
	}
	got := srv.Messages()
	if len(got) != 2 || string(got[1].Data) != string(refused.Raw) {
		t.Errorf("server received %d messages; want the retried one, byte for byte, last", len(got))
	}
}

func TestServiceForBooking(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	clock := newClock()
	intakeID, bookingID := seedBooking(t, db, clock.Now())

	invite := newMessage("invite-1@firststep.test")
	invite.BookingID, invite.IntakeID = &bookingID, &intakeID
	update := newMessage("invite-2@firststep.test")
	update.BookingID = &bookingID
	other := newMessage("other-1@firststep.test")
	enqueue(t, db, clock.Now(), invite, other)
	clock.Advance(time.Minute)
	enqueue(t, db, clock.Now(), update)

	svc := NewService(db, clock.Now, nil)
	got, err := svc.ForBooking(ctxFor(t), bookingID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].MessageID != invite.MessageID || got[1].MessageID != update.MessageID {
		t.Fatalf("ForBooking = %+v, want the invite then the update", got)
	}
	if got[0].Subject != "Consultation" || got[0].Status != StatusPending || *got[0].BookingID != bookingID ||
		got[0].CreatedAt.Location() != time.UTC {
		t.Errorf("ForBooking[0] = %+v", got[0])
	}
	byIntake, err := svc.ForIntake(ctxFor(t), intakeID)
	if err != nil || len(byIntake) != 1 || byIntake[0].MessageID != invite.MessageID {
		t.Errorf("ForIntake = %+v, %v; want the invite", byIntake, err)
	}
	if none, err := svc.ForBooking(ctxFor(t), bookingID+1000); err != nil || len(none) != 0 {
		t.Errorf("ForBooking(unknown) = %+v, %v; want none", none, err)
	}
}

// seedBooking writes the minimum rows a booking needs, so that the
// outbox's foreign keys have something to point at.
func seedBooking(t *testing.T, db *gorm.DB, now time.Time) (intakeID, bookingID int64) {
	t.Helper()
	var clinicianID int64
	steps := []struct {
		dst  *int64
		sql  string
		args func() []any
	}{
		{&clinicianID, `INSERT INTO clinicians (name, email, timezone, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			func() []any { return []any{"Dr. Test", "dr@firststep.test", "UTC", now, now} }},
		{&intakeID, `INSERT INTO intakes (token_hash, kind, name, email, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			func() []any { return []any{"hash-1", "individual", "Client", "client@example.test", now, now} }},
		{&bookingID, `INSERT INTO bookings (intake_id, clinician_id, start_at, end_at, block_end, uid, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			func() []any {
				start := now.Add(48 * time.Hour)
				return []any{intakeID, clinicianID, start, start.Add(30 * time.Minute), start.Add(40 * time.Minute), "uid-1@firststep.test", now, now}
			}},
	}
	for _, s := range steps {
		if err := db.Raw(s.sql, s.args()...).Scan(s.dst).Error; err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	return intakeID, bookingID
}
