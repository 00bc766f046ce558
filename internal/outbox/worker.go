package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Options tune a Worker. Zero fields take the defaults below.
type Options struct {
	// PollInterval is the longest the worker sleeps between looks at the
	// table when nothing wakes it (Notify, or a retry falling due).
	PollInterval time.Duration
	// SendTimeout is the deadline of one delivery attempt: connecting,
	// TLS, AUTH, MAIL, RCPT and DATA up to the server's final reply. A
	// server that takes the message and never answers holds one delivery
	// slot this long, no longer.
	SendTimeout time.Duration
	// Concurrency is how many messages one worker delivers at once, so
	// that a hanging server holds up one message, not the outbox.
	Concurrency int
	// BaseBackoff and MaxBackoff shape the retry delay after a temporary
	// failure: attempt n waits a random time up to
	// min(MaxBackoff, BaseBackoff·2^(n-1)) ("full jitter"), and at least
	// BaseBackoff/2 so that a retry is never immediate.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
}

// The defaults of Options (DefaultSendTimeout is the SMTP transport's).
const (
	DefaultPollInterval = 30 * time.Second
	DefaultConcurrency  = 4
	DefaultBaseBackoff  = 2 * time.Second
	DefaultMaxBackoff   = 15 * time.Minute
)

// A claimed message is reserved for the worker that claimed it for a lease
// of SendTimeout + leaseMargin: the margin covers loading the message before
// the send and recording the outcome after it (each bounded below), plus a
// difference between the clocks of instances sharing one database. So a
// message is never still being delivered, or its outcome still being
// written, when its lease ends and another worker may take it; and a worker
// that dies mid-delivery (kill -9, power cut) holds its messages up for
// about a minute with the defaults, not longer.
const (
	loadTimeout    = 5 * time.Second
	recordTries    = 3
	recordTimeout  = 5 * time.Second
	recordPause    = 500 * time.Millisecond // times the try number, between tries
	clockAllowance = 5 * time.Second
	recordBudget   = recordTries*recordTimeout + (recordTries-1)*recordTries/2*recordPause
	leaseMargin    = loadTimeout + recordBudget + clockAllowance
)

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = DefaultBaseBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.BaseBackoff {
		o.MaxBackoff = o.BaseBackoff
	}
	return o
}

// Worker delivers due messages. Any number of workers, in one process or in
// several instances sharing a Postgres database, may run at once: each
// message is claimed by exactly one of them at a time, and each worker
// delivers up to Options.Concurrency messages at once.
//
// Delivery is at least once, and the window for a duplicate is as small as
// SMTP allows: a message is sent again only when the server may have taken
// it without our knowing — the connection dropped or the deadline passed
// after the whole message was sent but before the server's reply to it
// arrived — or when the process died (or the database failed) after the
// server accepted it and before "sent" was recorded. It is never sent twice
// while an attempt is in flight: the lease outlasts the attempt. A resent
// message has the same Message-ID, so a receiver can recognise the copy.
type Worker struct {
	db        *gorm.DB
	transport Transport
	now       func() time.Time
	log       *slog.Logger
	opts      Options
	lease     time.Duration
	wake      chan struct{}
	slots     chan struct{} // one token per delivery in flight
	inflight  sync.WaitGroup
}

// NewWorker returns a worker that delivers the messages in db through
// transport. now is the clock (time.Now when nil); log gets one line per
// attempt, naming the message by its id and Message-ID only.
func NewWorker(db *gorm.DB, transport Transport, now func() time.Time, log *slog.Logger, opts Options) *Worker {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	return &Worker{
		db:        db,
		transport: transport,
		now:       now,
		log:       log,
		opts:      opts,
		lease:     opts.SendTimeout + leaseMargin,
		wake:      make(chan struct{}, 1),
		slots:     make(chan struct{}, opts.Concurrency),
	}
}

// Lease is how long a claimed message stays reserved for this worker:
// Options.SendTimeout plus a fixed margin for loading and recording.
func (w *Worker) Lease() time.Duration { return w.lease }

// Notify wakes the worker to look for due messages now. Call it after the
// transaction that enqueued messages has committed. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx is done. Deliveries in flight when ctx
// ends are finished (each is bounded by SendTimeout) and recorded before
// Run returns; nothing is lost either way, since an unrecorded claim simply
// expires with its lease.
func (w *Worker) Run(ctx context.Context) {
	w.log.Info("mail worker started", "transport", describe(w.transport), "concurrency", w.opts.Concurrency)
	defer w.log.Info("mail worker stopped")
	defer w.inflight.Wait()
	for {
		wait := w.opts.PollInterval
		if err := w.pass(ctx, &w.inflight, nil); err != nil {
			if ctx.Err() != nil {
				return
			}
			w.log.Error("mail worker: look for due messages", "err", err)
		} else {
			wait = w.nextWait(ctx)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-w.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// describe names a transport for logs: its String when it has one (ours
// leave out passwords), its type otherwise.
func describe(t Transport) string {
	if s, ok := t.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", t)
}

// claimBatch is how many due ids one query fetches; each is still claimed
// on its own, when a delivery slot is free.
const claimBatch = 20

// RunOnce makes one pass over the due messages, trying each at most once,
// waits for those deliveries to end and returns how many were accepted.
// Messages that fall due during the pass wait for the next one. It stops
// claiming when ctx is done.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	var (
		wg sync.WaitGroup
		n  atomic.Int64
	)
	err = w.pass(ctx, &wg, &n)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return int(n.Load()), err
}

// pass claims the due messages one by one, each when a delivery slot is
// free, and starts delivering it; it returns when none is left unclaimed,
// without waiting for the deliveries (wg tracks them; sent, when not nil,
// counts the accepted ones). Claiming only with a free slot keeps a lease from
// ticking while its message waits for a slot.
func (w *Worker) pass(ctx context.Context, wg *sync.WaitGroup, sent *atomic.Int64) error {
	var after int64
	for ctx.Err() == nil {
		ids, err := w.dueIDs(ctx, after)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			after = id
			select {
			case w.slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			lease, ok, err := w.claim(ctx, id)
			if err != nil || !ok { // on !ok another worker has it
				<-w.slots
				if err != nil {
					return err
				}
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-w.slots }()
				if w.deliver(ctx, id, lease) && sent != nil {
					sent.Add(1)
				}
				// The outcome may have moved this message's next attempt
				// before the time Run last planned to wake up.
				w.Notify()
			}()
		}
	}
	return nil
}

// dueIDs lists, in id order, due messages with an id above after.
func (w *Worker) dueIDs(ctx context.Context, after int64) ([]int64, error) {
	now := w.now().UTC()
	var ids []int64
	err := w.db.WithContext(ctx).Model(&messageRow{}).
		Where("status = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?) AND id > ?",
			StatusPending, now, now, after).
		Order("id").Limit(claimBatch).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list due messages: %w", err)
	}
	return ids, nil
}

// claim takes the lease on message id and counts the attempt; lease is the
// locked_until it set, which stands for this claim in the outcome's UPDATE.
// The UPDATE repeats the due conditions, so of several workers racing for
// one row exactly one sees RowsAffected == 1; that worker alone sends it.
func (w *Worker) claim(ctx context.Context, id int64) (lease time.Time, ok bool, err error) {
	now := w.now().UTC()
	// Postgres keeps microseconds: the value read back must equal this one.
	lease = now.Add(w.lease).Truncate(time.Microsecond)
	res := w.db.WithContext(ctx).Exec(`UPDATE outbox_messages
		SET locked_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND status = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)`,
		lease, now, id, StatusPending, now, now)
	if res.Error != nil {
		return time.Time{}, false, fmt.Errorf("claim message %d: %w", id, res.Error)
	}
	return lease, res.RowsAffected == 1, nil
}

// deliver sends claimed message id and records the outcome; it reports
// whether the message was accepted. Once claimed, the send and its record
// run to the end even when ctx is cancelled: cutting a send short after the
// server had the data could cause a duplicate. Every step has its own
// deadline, and together they end before the lease does.
func (w *Worker) deliver(ctx context.Context, id int64, lease time.Time) bool {
	ctx = context.WithoutCancel(ctx)
	var row messageRow
	lctx, cancel := context.WithTimeout(ctx, loadTimeout)
	err := w.db.WithContext(lctx).Take(&row, id).Error
	cancel()
	if err != nil {
		w.log.Error("mail worker: load message", "id", id, "err", err)
		return false // the lease expires and the message is tried again
	}
	var to []string
	if err := json.Unmarshal([]byte(row.Recipients), &to); err != nil {
		w.fail(ctx, row, lease, fmt.Errorf("recipients: %w", err))
		return false
	}
	sendCtx, cancel := context.WithTimeout(ctx, w.opts.SendTimeout)
	err = w.transport.Send(sendCtx, row.Sender, to, []byte(row.Raw))
	cancel()
	switch {
	case err == nil:
		w.markSent(ctx, row)
		return true
	case IsPermanent(err):
		w.fail(ctx, row, lease, err)
	default:
		w.retryLater(ctx, row, lease, err)
	}
	return false
}

// record runs an outcome UPDATE, retrying briefly: failing to record a sent
// message means it is sent again when the lease ends.
func (w *Worker) record(ctx context.Context, row messageRow, query string, args ...any) {
	var err error
	for try := range recordTries {
		if try > 0 {
			time.Sleep(time.Duration(try) * recordPause)
		}
		rctx, cancel := context.WithTimeout(ctx, recordTimeout)
		err = w.db.WithContext(rctx).Exec(query, args...).Error
		cancel()
		if err == nil {
			return
		}
	}
	w.log.Error("mail worker: record outcome", "id", row.ID, "message_id", row.MessageID, "err", err)
}

// markSent records the acceptance whoever holds the lease now: it is true.
func (w *Worker) markSent(ctx context.Context, row messageRow) {
	now := w.now().UTC()
	w.record(ctx, row, `UPDATE outbox_messages
		SET status = ?, sent_at = ?, locked_until = NULL, last_error = '', updated_at = ?
		WHERE id = ?`,
		StatusSent, now, now, row.ID)
	w.log.Info("mail sent", "id", row.ID, "message_id", row.MessageID, "attempt", row.Attempts)
}

// fail and retryLater change the row only while this claim still holds it
// (locked_until = lease): had the lease run out and another worker taken
// the message, releasing it here would let a third send it alongside.
func (w *Worker) fail(ctx context.Context, row messageRow, lease time.Time, cause error) {
	now := w.now().UTC()
	msg := errorText(cause)
	w.record(ctx, row, `UPDATE outbox_messages
		SET status = ?, locked_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ? AND status = ? AND locked_until = ?`,
		StatusFailed, msg, now, row.ID, StatusPending, lease)
	w.log.Warn("mail refused; not retrying", "id", row.ID, "message_id", row.MessageID, "attempt", row.Attempts, "err", withoutAddresses(msg))
}

func (w *Worker) retryLater(ctx context.Context, row messageRow, lease time.Time, cause error) {
	now := w.now().UTC()
	delay := backoff(row.Attempts, w.opts.BaseBackoff, w.opts.MaxBackoff, rand.Int64N)
	next := now.Add(delay)
	msg := errorText(cause)
	w.record(ctx, row, `UPDATE outbox_messages
		SET next_attempt_at = ?, locked_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ? AND status = ? AND locked_until = ?`,
		next, msg, now, row.ID, StatusPending, lease)
	w.log.Warn("mail not sent; will retry", "id", row.ID, "message_id", row.MessageID,
		"attempt", row.Attempts, "retry_in", delay.Round(time.Millisecond), "err", withoutAddresses(msg))
}

// backoff is the delay after failed attempt n (1 for the first): a random
// duration in [base/2, min(limit, base·2^(n-1))], drawn by randN(k) in [0, k).
func backoff(n int, base, limit time.Duration, randN func(int64) int64) time.Duration {
	ceiling := base
	for i := 1; i < n && ceiling < limit; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, limit)
	return max(time.Duration(randN(int64(ceiling)+1)), base/2)
}

// minWait keeps Run from spinning when a message is due but was just
// claimed by someone else.
const minWait = 50 * time.Millisecond

// nextWait is how long Run may sleep: until the earliest retry falls due or
// lease runs out, but no longer than PollInterval.
func (w *Worker) nextWait(ctx context.Context) time.Duration {
	now := w.now().UTC()
	wait := w.opts.PollInterval
	db := w.db.WithContext(ctx)

	var due messageRow
	err := db.Select("id", "next_attempt_at").
		Where("status = ? AND (locked_until IS NULL OR locked_until < ?)", StatusPending, now).
		Order("next_attempt_at").Take(&due).Error
	if err == nil {
		wait = min(wait, due.NextAttemptAt.Sub(now))
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return wait
	}
	var leased messageRow
	err = db.Select("id", "locked_until").
		Where("status = ? AND locked_until >= ?", StatusPending, now).
		Order("locked_until").Take(&leased).Error
	if err == nil && leased.LockedUntil != nil {
		wait = min(wait, leased.LockedUntil.Sub(now))
	}
	return max(wait, minWait)
}
