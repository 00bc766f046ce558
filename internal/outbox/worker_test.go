package outbox

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/firststep/firststep/internal/smtptest"
)

func TestDelivery(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	clock := newClock()
	msg := newMessage("delivery-1@firststep.test")
	msg.To = []string{"client@example.test", "clinician@firststep.test"}
	enqueue(t, db, clock.Now(), msg)

	w := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if !bytes.Equal(got[0].Data, msg.Raw) {
		t.Errorf("server received\n%q\nwant\n%q", got[0].Data, msg.Raw)
	}
	if got[0].From != msg.From || strings.Join(got[0].To, ",") != strings.Join(msg.To, ",") {
		t.Errorf("envelope = %s -> %v, want %s -> %v", got[0].From, got[0].To, msg.From, msg.To)
	}
	row := rowOf(t, db, msg.MessageID)
	if row.Status != StatusSent || row.Attempts != 1 || row.SentAt == nil || !row.SentAt.Equal(clock.Now()) ||
		row.LockedUntil != nil || row.LastError != "" {
		t.Errorf("row = status %s, attempts %d, sent_at %v, locked_until %v, last_error %q; want sent once at %v",
			row.Status, row.Attempts, row.SentAt, row.LockedUntil, row.LastError, clock.Now())
	}

	// Nothing is due any more, however much later.
	clock.Advance(24 * time.Hour)
	if n := runOnce(t, w); n != 0 {
		t.Errorf("second pass sent %d, want 0", n)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages after second pass, want 1", n)
	}
}

func TestSMTPDownAtEnqueue(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	// Reserve a loopback port, then leave nothing listening on it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	clock := newClock()
	msg := newMessage("down-1@firststep.test")
	enqueue(t, db, clock.Now(), msg)
	w := NewWorker(db, smtpTo(t, addr), clock.Now, testLogger(t), testOptions)

	if n := runOnce(t, w); n != 0 {
		t.Fatalf("sent %d with the server down, want 0", n)
	}
	row := rowOf(t, db, msg.MessageID)
	if row.Status != StatusPending || row.Attempts != 1 || row.LockedUntil != nil {
		t.Fatalf("row = status %s, attempts %d, locked_until %v; want pending, 1, unlocked", row.Status, row.Attempts, row.LockedUntil)
	}
	if !row.NextAttemptAt.After(clock.Now()) {
		t.Errorf("next_attempt_at %v is not after now %v", row.NextAttemptAt, clock.Now())
	}
	if !strings.Contains(row.LastError, "connect") {
		t.Errorf("last_error = %q, want the connection failure", row.LastError)
	}

	// The server comes up; the message waits for its retry time, then goes.
	srv := smtptest.StartAt(t, addr)
	if n := runOnce(t, w); n != 0 {
		t.Errorf("sent %d before the retry was due, want 0", n)
	}
	clock.Advance(time.Minute)
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("sent %d after the server came up, want 1", n)
	}
	for range 3 {
		clock.Advance(time.Hour)
		runOnce(t, w)
	}
	if got := srv.Messages(); len(got) != 1 || !bytes.Equal(got[0].Data, msg.Raw) {
		t.Fatalf("server received %d messages, want exactly 1 with the enqueued bytes", len(got))
	}
	row = rowOf(t, db, msg.MessageID)
	if row.Status != StatusSent || row.Attempts != 2 || row.LastError != "" {
		t.Errorf("row = status %s, attempts %d, last_error %q; want sent after 2 attempts", row.Status, row.Attempts, row.LastError)
	}
}

func TestTemporaryReplyRetried(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	srv.FailNext(2, 421)
	clock := newClock()
	msg := newMessage("busy-1@firststep.test")
	enqueue(t, db, clock.Now(), msg)
	w := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)

	for attempt := 1; attempt <= 2; attempt++ {
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("attempt %d: sent %d, want 0", attempt, n)
		}
		row := rowOf(t, db, msg.MessageID)
		if row.Status != StatusPending || row.Attempts != attempt || !strings.Contains(row.LastError, "421") {
			t.Fatalf("after attempt %d: status %s, attempts %d, last_error %q", attempt, row.Status, row.Attempts, row.LastError)
		}
		clock.Advance(time.Minute)
	}
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("third attempt sent %d, want 1", n)
	}
	clock.Advance(time.Hour)
	runOnce(t, w)

	if got := len(srv.Messages()); got != 1 {
		t.Errorf("server accepted %d messages, want 1", got)
	}
	if got := srv.DataAttempts(); got != 3 {
		t.Errorf("server saw %d DATA attempts, want 3", got)
	}
	row := rowOf(t, db, msg.MessageID)
	if row.Status != StatusSent || row.Attempts != 3 {
		t.Errorf("row = status %s, attempts %d; want sent, 3", row.Status, row.Attempts)
	}
}

func TestPermanentReplyFails(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	srv.FailNext(100, 550)
	clock := newClock()
	msg := newMessage("refused-1@firststep.test")
	enqueue(t, db, clock.Now(), msg)
	w := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)

	for range 10 {
		if n := runOnce(t, w); n != 0 {
			t.Fatalf("sent %d, want 0", n)
		}
		clock.Advance(time.Hour)
	}
	if got := srv.DataAttempts(); got != 1 {
		t.Errorf("server saw %d attempts, want exactly 1", got)
	}
	row := rowOf(t, db, msg.MessageID)
	if row.Status != StatusFailed || row.Attempts != 1 || row.LockedUntil != nil {
		t.Errorf("row = status %s, attempts %d, locked_until %v; want failed after 1 attempt", row.Status, row.Attempts, row.LockedUntil)
	}
	if !strings.Contains(row.LastError, "550") || !strings.Contains(row.LastError, "test server says 550") {
		t.Errorf("last_error = %q, want the server's 550 reply", row.LastError)
	}
	if strings.Contains(row.LastError, "consultation") || strings.Contains(row.LastError, "dot") {
		t.Errorf("last_error %q contains the message body", row.LastError)
	}
}

func TestRestartDoesNotResend(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	clock := newClock()
	msg := newMessage("restart-1@firststep.test")
	enqueue(t, db, clock.Now(), msg)

	first := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	if n := runOnce(t, first); n != 1 {
		t.Fatalf("first worker sent %d, want 1", n)
	}
	second := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	for range 3 {
		if n := runOnce(t, second); n != 0 {
			t.Fatalf("new worker sent %d, want 0", n)
		}
		clock.Advance(time.Hour)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("server received %d messages, want 1", got)
	}
}

func TestExpiredLeaseIsRetried(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	clock := newClock()
	msg := newMessage("crash-1@firststep.test")
	enqueue(t, db, clock.Now(), msg)
	row := rowOf(t, db, msg.MessageID)

	// A worker claims the message and dies (kill -9) before recording
	// anything: the row stays claimed, and nothing else of it remains.
	crashed := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	if _, ok, err := crashed.claim(ctxFor(t), row.ID); err != nil || !ok {
		t.Fatalf("claim = %v, %v; want true", ok, err)
	}

	next := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	if n := runOnce(t, next); n != 0 {
		t.Fatalf("sent %d while the lease holds, want 0", n)
	}
	// The crashed attempt could still be running until its deadline and
	// the recording of its outcome: no one else sends the message then.
	clock.Advance(testOptions.SendTimeout + loadTimeout + recordBudget)
	if n := runOnce(t, next); n != 0 {
		t.Fatalf("sent %d while the crashed attempt could still be in flight, want 0", n)
	}
	// Right after the lease, SendTimeout plus a margin, it goes.
	clock.Advance(crashed.Lease() - (testOptions.SendTimeout + loadTimeout + recordBudget) + time.Second)
	if n := runOnce(t, next); n != 1 {
		t.Fatalf("sent %d after the lease ended, want 1", n)
	}
	if got := len(srv.Messages()); got != 1 {
		t.Errorf("server received %d messages, want 1", got)
	}
	if row := rowOf(t, db, msg.MessageID); row.Status != StatusSent || row.Attempts != 2 {
		t.Errorf("row = status %s, attempts %d; want sent, 2", row.Status, row.Attempts)
	}
}

// TestLeaseIsDeadlinePlusMargin pins the duplicate window of a crash: a
// message claimed by a process that died is sent again about a minute
// later with the defaults (it was five), and never while an attempt could
// still be running or recording.
func TestLeaseIsDeadlinePlusMargin(t *testing.T) {
	t.Parallel()
	w := NewWorker(nil, NewFileTransport(t.TempDir()), nil, nil, Options{})
	if w.opts.SendTimeout != DefaultSendTimeout || DefaultSendTimeout > 30*time.Second {
		t.Errorf("send deadline = %v, want the default of at most 30s", w.opts.SendTimeout)
	}
	if lease := w.Lease(); lease > 90*time.Second {
		t.Errorf("lease = %v, want at most 90s: a crashed worker holds its messages this long", lease)
	}
	if spare := w.Lease() - w.opts.SendTimeout - loadTimeout - recordBudget; spare < clockAllowance {
		t.Errorf("lease leaves %v after the longest attempt and its record, want at least %v", spare, clockAllowance)
	}
	if w.opts.Concurrency < 2 {
		t.Errorf("concurrency = %d, want more than one delivery in flight", w.opts.Concurrency)
	}
}

// TestHungServerHoldsUpOnlyItsMessage: a server that takes a message and
// never answers holds one delivery slot until the send deadline; the other
// messages go out meanwhile, the held one is not sent again while its
// attempt is in flight, and it is tried again once the deadline has passed.
func TestHungServerHoldsUpOnlyItsMessage(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	srv.HoldFirst(t, "hung-1@firststep.test")
	opts := testOptions
	opts.SendTimeout = 5 * time.Second
	opts.PollInterval = time.Hour // only Notify and due retries wake it
	opts.BaseBackoff = 20 * time.Millisecond
	opts.MaxBackoff = 40 * time.Millisecond
	w := NewWorker(db, smtpTo(t, srv.Addr), time.Now, testLogger(t), opts)

	hung := newMessage("hung-1@firststep.test")
	enqueue(t, db, time.Now(), hung)
	startRun(t, w)
	srv.AwaitArrivals(t, 1) // the server holds the first message

	const others = 6
	for i := range others {
		enqueue(t, db, time.Now(), newMessage(fmt.Sprintf("other-%d@firststep.test", i)))
	}
	w.Notify()
	waitFor(t, "the other messages to be sent", func() bool {
		return countRows(t, db, "status = ?", StatusSent) >= others
	})
	// All of that happened while the held attempt was in flight: it has
	// not ended (no error recorded yet), and no one sent the message again.
	row := rowOf(t, db, hung.MessageID)
	if row.Status != StatusPending || row.Attempts != 1 || row.LastError != "" || row.LockedUntil == nil {
		t.Fatalf("held message = status %s, attempts %d, last_error %q, locked_until %v; want its first attempt still in flight",
			row.Status, row.Attempts, row.LastError, row.LockedUntil)
	}
	if n := len(srv.MarkedArrivals()); n != 1 {
		t.Fatalf("server saw the held message %d times while the first attempt was in flight, want 1", n)
	}

	waitFor(t, "the held message to be sent again", func() bool {
		return rowOf(t, db, hung.MessageID).Status == StatusSent
	})
	arrivals := srv.MarkedArrivals()
	if len(arrivals) != 2 {
		t.Fatalf("server saw the held message %d times, want 2 (held, then sent)", len(arrivals))
	}
	if gap := arrivals[1].Sub(arrivals[0]); gap < opts.SendTimeout {
		t.Errorf("second attempt came %v after the first, want after the %v deadline", gap, opts.SendTimeout)
	}
	if row := rowOf(t, db, hung.MessageID); row.Attempts != 2 {
		t.Errorf("held message attempts = %d, want 2", row.Attempts)
	}
	if n := srv.Accepted("hung-1@firststep.test"); n != 1 {
		t.Errorf("server accepted the held message %d times, want 1", n)
	}
	if n := len(srv.Messages()); n != others+1 {
		t.Errorf("server accepted %d messages, want %d", n, others+1)
	}
}

// TestStopDuringDeliveryRecordsTheAttempt: stopping the worker while a
// send hangs lets that attempt run to its deadline and records it, so the
// message is retried at once by the next worker, not after a lease, and
// sent once.
func TestStopDuringDeliveryRecordsTheAttempt(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	srv.HoldFirst(t, "stop-1@firststep.test")
	clock := newClock()
	opts := testOptions
	opts.SendTimeout = time.Second
	opts.PollInterval = time.Hour
	msg := newMessage("stop-1@firststep.test")
	enqueue(t, db, clock.Now(), msg)

	first := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), opts)
	stop := startRun(t, first)
	srv.AwaitArrivals(t, 1) // the server holds the message
	// stop returns once the held attempt has ended and been recorded.
	stop()

	row := rowOf(t, db, msg.MessageID)
	if row.Status != StatusPending || row.Attempts != 1 || row.LockedUntil != nil || row.LastError == "" {
		t.Fatalf("after stop: status %s, attempts %d, locked_until %v, last_error %q; want a recorded temporary failure",
			row.Status, row.Attempts, row.LockedUntil, row.LastError)
	}
	clock.Advance(time.Minute) // past the backoff, well within any lease
	next := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), opts)
	if n := runOnce(t, next); n != 1 {
		t.Fatalf("next worker sent %d, want 1", n)
	}
	clock.Advance(time.Hour)
	runOnce(t, next)
	if n := srv.Accepted("stop-1@firststep.test"); n != 1 {
		t.Errorf("server accepted the message %d times, want 1", n)
	}
}

func TestConcurrentWorkersDeliverOnce(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	const total = 60
	msgs := make([]Message, total)
	for i := range msgs {
		msgs[i] = newMessage(fmt.Sprintf("race-%02d@firststep.test", i))
	}
	enqueue(t, db, time.Now(), msgs...)

	workers := make([]*Worker, 3)
	stops := make([]func(), len(workers))
	for i := range workers {
		workers[i] = NewWorker(db, smtpTo(t, srv.Addr), time.Now, testLogger(t), testOptions)
	}
	for i, w := range workers {
		stops[i] = startRun(t, w)
	}
	for _, w := range workers {
		w.Notify()
	}
	waitFor(t, "every message to be sent", func() bool {
		return countRows(t, db, "status = ?", StatusSent) == total
	})
	for _, stop := range stops {
		stop()
	}

	seen := map[string]int{}
	for _, m := range srv.Messages() {
		seen[bareID(string(bytes.SplitN(bytes.TrimPrefix(m.Data, []byte("Message-ID: ")), []byte("\r\n"), 2)[0]))]++
	}
	for _, m := range msgs {
		if n := seen[bareID(m.MessageID)]; n != 1 {
			t.Errorf("%s delivered %d times, want 1", m.MessageID, n)
		}
	}
	if got := len(srv.Messages()); got != total {
		t.Errorf("server received %d messages, want %d", got, total)
	}
	if n := countRows(t, db, "attempts <> 1"); n != 0 {
		t.Errorf("%d rows were attempted more than once", n)
	}
}

func TestRunSendsOnNotifyAndStops(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	opts := testOptions
	opts.PollInterval = time.Hour // only Notify can wake it
	w := NewWorker(db, smtpTo(t, srv.Addr), time.Now, testLogger(t), opts)

	// A first message, sent and recorded, shows the first pass is over:
	// the worker found nothing else due and sleeps for PollInterval (or,
	// at most, a lease) unless Notify wakes it.
	first := newMessage("notify-0@firststep.test")
	enqueue(t, db, time.Now(), first)
	stop := startRun(t, w)
	srv.AwaitCount(t, 1)
	waitFor(t, "the first message to be recorded as sent", func() bool {
		return rowOf(t, db, first.MessageID).Status == StatusSent
	})
	msg := newMessage("notify-1@firststep.test")
	enqueue(t, db, time.Now(), msg)
	w.Notify()
	srv.AwaitCount(t, 2) // the notified message arrives

	stop()
	if row := rowOf(t, db, msg.MessageID); row.Status != StatusSent {
		t.Errorf("status = %s, want sent", row.Status)
	}
}

func TestRunWakesForDueRetry(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t)
	srv.FailNext(1, 451)
	opts := testOptions
	opts.PollInterval = time.Hour // the due retry alone must wake it
	opts.BaseBackoff = 20 * time.Millisecond
	opts.MaxBackoff = 40 * time.Millisecond
	w := NewWorker(db, smtpTo(t, srv.Addr), time.Now, testLogger(t), opts)
	enqueue(t, db, time.Now(), newMessage("wake-1@firststep.test"))

	startRun(t, w)
	srv.AwaitCount(t, 1) // the retried message arrives
	if got := srv.DataAttempts(); got != 2 {
		t.Errorf("server saw %d attempts, want 2", got)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	base, limit := 2*time.Second, 15*time.Minute
	highest := func(n int64) int64 { return n - 1 }
	lowest := func(int64) int64 { return 0 }
	tests := []struct {
		attempt int
		want    time.Duration // the ceiling for this attempt
	}{
		{1, 2 * time.Second},
		{2, 4 * time.Second},
		{3, 8 * time.Second},
		{9, 512 * time.Second},
		{10, 15 * time.Minute},
		{60, 15 * time.Minute},
		{1000, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("attempt ", tt.attempt), func(t *testing.T) {
			if got := backoff(tt.attempt, base, limit, highest); got != tt.want {
				t.Errorf("highest draw = %v, want %v", got, tt.want)
			}
			if got := backoff(tt.attempt, base, limit, lowest); got != time.Second {
				t.Errorf("lowest draw = %v, want the floor of 1s", got)
			}
		})
	}
}

// TestNonASCIIAddressNeedsSMTPUTF8: an address with non-ASCII characters
// can only be sent through a server that offers SMTPUTF8 (RFC 6531). One
// that does not, or that refuses the address for that reason (5.6.7), will
// not change its mind: the email fails for good after one attempt and
// shows among the failed emails, instead of being retried forever.
func TestNonASCIIAddressNeedsSMTPUTF8(t *testing.T) {
	t.Parallel()
	const addr = "zoë@example.test"
	tests := []struct {
		name      string
		opts      []smtptest.Option
		rcptReply func(string) error
		want      string // in last_error
	}{
		{"server without SMTPUTF8", nil, nil, "SMTPUTF8"},
		{"RCPT refused 553 5.6.7", []smtptest.Option{smtptest.WithSMTPUTF8()}, func(string) error {
			return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 6, 7}, Message: "Non-ASCII addresses not permitted for that recipient"}
		}, "553 5.6.7"},
		{"RCPT refused 550 5.6.7", []smtptest.Option{smtptest.WithSMTPUTF8()}, func(string) error {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 7}, Message: "SMTPUTF8 required"}
		}, "550 5.6.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			srv := smtptest.Start(t, tt.opts...)
			srv.ReplyToRcpt(tt.rcptReply)
			clock := newClock()
			msg := newMessage("utf8-1@firststep.test")
			msg.To = []string{addr}
			enqueue(t, db, clock.Now(), msg)
			w := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
			for range 4 {
				if n := runOnce(t, w); n != 0 {
					t.Fatalf("sent %d, want 0", n)
				}
				clock.Advance(time.Hour)
			}
			row := rowOf(t, db, msg.MessageID)
			if row.Status != StatusFailed || row.Attempts != 1 || !strings.Contains(row.LastError, tt.want) {
				t.Fatalf("row = status %s, attempts %d, last_error %q; want failed after 1 attempt with %q",
					row.Status, row.Attempts, row.LastError, tt.want)
			}
			if strings.Contains(row.LastError, "zo") {
				t.Errorf("last_error %q names the address; it is logged", row.LastError)
			}
			failed, err := NewService(db, clock.Now, nil).Failed(ctxFor(t))
			if err != nil || len(failed) != 1 || failed[0].MessageID != msg.MessageID {
				t.Errorf("Failed = %+v, %v; want the message", failed, err)
			}
		})
	}
}

// TestNonASCIIAddressThroughSMTPUTF8Server: a server that offers SMTPUTF8
// gets the address as it is.
func TestNonASCIIAddressThroughSMTPUTF8Server(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	srv := smtptest.Start(t, smtptest.WithSMTPUTF8())
	clock := newClock()
	msg := newMessage("utf8-2@firststep.test")
	msg.To = []string{"zoë@example.test"}
	enqueue(t, db, clock.Now(), msg)
	w := NewWorker(db, smtpTo(t, srv.Addr), clock.Now, testLogger(t), testOptions)
	if n := runOnce(t, w); n != 1 {
		t.Fatalf("sent %d, want 1 (last_error %q)", n, rowOf(t, db, msg.MessageID).LastError)
	}
	if got := srv.Messages(); len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "zoë@example.test" {
		t.Errorf("server received %+v, want one message to zoë@example.test", got)
	}
}
