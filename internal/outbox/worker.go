package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// Options tune a Worker. Zero fields take the defaults below.
type Options struct {
	// PollInterval is the longest the worker sleeps between looks at the
	// table when nothing wakes it (Notify, or a retry falling due).
	PollInterval time.Duration
	// Lease is how long a claimed message is reserved for the worker that
	// claimed it. A worker that dies mid-send loses its claim when the lease
	// ends, and another worker tries the message again.
	Lease time.Duration
	// SendTimeout bounds one attempt; it is held to at most half the Lease,
	// so that a message is never still being sent when its lease ends.
	SendTimeout time.Duration
	// BaseBackoff and MaxBackoff shape the retry delay after a temporary
	// failure: attempt n waits a random time up to
	// min(MaxBackoff, BaseBackoff·2^(n-1)) ("full jitter"), and at least
	// BaseBackoff/2 so that a retry is never immediate.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
}

// The defaults of Options.
const (
	DefaultPollInterval = 30 * time.Second
	DefaultLease        = 5 * time.Minute
	DefaultBaseBackoff  = 2 * time.Second
	DefaultMaxBackoff   = 15 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.SendTimeout <= 0 || o.SendTimeout > o.Lease/2 {
		o.SendTimeout = min(DefaultSendTimeout, o.Lease/2)
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
// message is claimed by exactly one of them at a time.
type Worker struct {
	db        *gorm.DB
	transport Transport
	now       func() time.Time
	log       *slog.Logger
	opts      Options
	wake      chan struct{}
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
	return &Worker{
		db:        db,
		transport: transport,
		now:       now,
		log:       log,
		opts:      opts.withDefaults(),
		wake:      make(chan struct{}, 1),
	}
}

// Notify wakes the worker to look for due messages now. Call it after the
// transaction that enqueued messages has committed. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx is done. A send in flight when ctx ends
// is finished (it is bounded by SendTimeout) and recorded before Run
// returns; nothing is lost either way, since an unrecorded claim simply
// expires with its lease.
func (w *Worker) Run(ctx context.Context) {
	w.log.Info("mail worker started", "transport", describe(w.transport))
	defer w.log.Info("mail worker stopped")
	for {
		wait := w.opts.PollInterval
		if _, err := w.RunOnce(ctx); err != nil {
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
// and sent one at a time.
const claimBatch = 20

// RunOnce makes one pass over the due messages, trying each at most once,
// and returns how many were accepted. Messages that fall due during the pass
// wait for the next one. It stops early when ctx is done.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	var after int64
	for ctx.Err() == nil {
		ids, err := w.dueIDs(ctx, after)
		if err != nil {
			return sent, err
		}
		if len(ids) == 0 {
			return sent, nil
		}
		for _, id := range ids {
			after = id
			if ctx.Err() != nil {
				break
			}
			ok, err := w.claim(ctx, id)
			if err != nil {
				return sent, err
			}
			if !ok {
				continue // another worker has it
			}
			if w.deliver(ctx, id) {
				sent++
			}
		}
	}
	return sent, ctx.Err()
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

// claim takes the lease on message id and counts the attempt. The UPDATE
// repeats the due conditions, so of several workers racing for one row
// exactly one sees RowsAffected == 1; that worker alone sends it.
func (w *Worker) claim(ctx context.Context, id int64) (bool, error) {
	now := w.now().UTC()
	res := w.db.WithContext(ctx).Exec(`UPDATE outbox_messages
		SET locked_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND status = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)`,
		now.Add(w.opts.Lease), now, id, StatusPending, now, now)
	if res.Error != nil {
		return false, fmt.Errorf("claim message %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// deliver sends claimed message id and records the outcome; it reports
// whether the message was accepted. Once claimed, the send and its record
// run to the end even when ctx is cancelled: cutting a send short after the
// server had the data could cause a duplicate.
func (w *Worker) deliver(ctx context.Context, id int64) bool {
	ctx = context.WithoutCancel(ctx)
	var row messageRow
	if err := w.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		w.log.Error("mail worker: load message", "id", id, "err", err)
		return false // the lease expires and the message is tried again
	}
	var to []string
	if err := json.Unmarshal([]byte(row.Recipients), &to); err != nil {
		w.fail(ctx, row, fmt.Errorf("recipients: %w", err))
		return false
	}
	sendCtx, cancel := context.WithTimeout(ctx, w.opts.SendTimeout)
	err := w.transport.Send(sendCtx, row.Sender, to, []byte(row.Raw))
	cancel()
	switch {
	case err == nil:
		w.markSent(ctx, row)
		return true
	case IsPermanent(err):
		w.fail(ctx, row, err)
	default:
		w.retryLater(ctx, row, err)
	}
	return false
}

// recordTries bounds the attempts to record an outcome when the database
// hiccups; recordTimeout bounds each.
const (
	recordTries   = 3
	recordTimeout = 10 * time.Second
)

// record runs an outcome UPDATE, retrying briefly: failing to record a sent
// message means it is sent again when the lease ends.
func (w *Worker) record(ctx context.Context, row messageRow, query string, args ...any) {
	var err error
	for try := range recordTries {
		if try > 0 {
			time.Sleep(time.Duration(try) * 500 * time.Millisecond)
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

func (w *Worker) markSent(ctx context.Context, row messageRow) {
	now := w.now().UTC()
	w.record(ctx, row, `UPDATE outbox_messages
		SET status = ?, sent_at = ?, locked_until = NULL, last_error = '', updated_at = ?
		WHERE id = ?`,
		StatusSent, now, now, row.ID)
	w.log.Info("mail sent", "id", row.ID, "message_id", row.MessageID, "attempt", row.Attempts)
}

func (w *Worker) fail(ctx context.Context, row messageRow, cause error) {
	now := w.now().UTC()
	msg := errorText(cause)
	w.record(ctx, row, `UPDATE outbox_messages
		SET status = ?, locked_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ? AND status = ?`,
		StatusFailed, msg, now, row.ID, StatusPending)
	w.log.Warn("mail refused; not retrying", "id", row.ID, "message_id", row.MessageID, "attempt", row.Attempts, "err", withoutAddresses(msg))
}

func (w *Worker) retryLater(ctx context.Context, row messageRow, cause error) {
	now := w.now().UTC()
	delay := backoff(row.Attempts, w.opts.BaseBackoff, w.opts.MaxBackoff, rand.Int64N)
	next := now.Add(delay)
	msg := errorText(cause)
	w.record(ctx, row, `UPDATE outbox_messages
		SET next_attempt_at = ?, locked_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ? AND status = ?`,
		next, msg, now, row.ID, StatusPending)
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
