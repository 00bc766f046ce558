// Package audit is the practice's record of who did what to which record,
// from where: every sign-in, every read and change of an intake by staff.
// The table is append-only (database triggers refuse UPDATE and DELETE) and
// never holds intake content — Detail says "status new → in_review" or
// "assigned clinician 3", never what a client wrote.
package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// The actions Firststep records. Their names are stable: admins filter the
// log by them.
const (
	SignIn           = "staff.signin"
	SignInFailed     = "staff.signin_failed"
	SignOut          = "staff.signout"
	AccountDisabled  = "staff.deactivate"
	IntakeView       = "intake.view"
	IntakeViewDenied = "intake.view_denied"
	IntakeList       = "intake.list"
	IntakeNote       = "intake.note"
	IntakeAssign     = "intake.assign"
	IntakeStatus     = "intake.status"
)

// Record types named in entries.
const (
	TypeAccount = "staff_account"
	TypeIntake  = "intake"
)

// Entry is one thing that happened, as the log is read. ActorID is nil
// when nobody is signed in (a failed sign-in for an unknown account).
type Entry struct {
	ActorID    *int64
	ActorEmail string
	Action     string
	RecordType string
	RecordID   string
	IP         string
	Detail     string
}

// maxDetail bounds Detail; it is a short description, not a document.
const maxDetail = 500

type row struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	ActorID    *int64
	ActorEmail string
	Action     string
	RecordType string
	RecordID   string
	IP         string `gorm:"column:ip"`
	Detail     string
}

func (row) TableName() string { return "audit_log" }

// Actor is who did something, as the log names them: a staff account (ID
// and email), the operator at the command line (email only), or nobody
// (the zero Actor: a failed sign-in for an unknown account, a change made
// by a client). IP is where the request came from, if it came over HTTP.
type Actor struct {
	ID    *int64
	Email string
	IP    string
}

// Recorder writes the audit entries of one actor inside one transaction,
// the caller's, so that a change and its audit row commit together or not
// at all. It is the one way anything writes to the log:
//
//	audit.For(tx, now, by).Record(audit.IntakeNote, audit.TypeIntake, "3", "note 12")
type Recorder struct {
	tx  *gorm.DB
	now time.Time
	by  Actor
}

// For returns the recorder of actions by by, at now, inside tx.
func For(tx *gorm.DB, now time.Time, by Actor) Recorder {
	return Recorder{tx: tx, now: now, by: by}
}

// Record appends the entry of action on one record. recordID may be ""
// (an action on no single record, such as listing intakes); detail is a
// short description, never content a client wrote.
func (r Recorder) Record(action, recordType, recordID, detail string) error {
	if action == "" {
		return errors.New("audit: entry without an action")
	}
	row := row{At: r.now.UTC(), ActorID: r.by.ID, ActorEmail: r.by.Email, Action: action,
		RecordType: recordType, RecordID: recordID, IP: truncate(r.by.IP, 64), Detail: truncate(detail, maxDetail)}
	if err := r.tx.Create(&row).Error; err != nil {
		return fmt.Errorf("write audit entry %s: %w", action, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Item is one row of the log as an admin reads it.
type Item struct {
	ID int64
	At time.Time
	Entry
}

// Filter narrows the log. Zero values mean "any".
type Filter struct {
	Action     string
	ActorID    int64
	RecordType string
	RecordID   string
	From, To   time.Time // at in [From, To)
	BeforeID   int64     // for paging: only entries older than this one
	Limit      int       // default 100, at most 1000
}

// Log reads the audit log for admins.
type Log struct {
	db *gorm.DB
}

// NewLog returns the reader of the audit log.
func NewLog(db *gorm.DB) *Log { return &Log{db: db} }

// List returns the entries matching f, newest first. Entries are ordered
// by when they were written (their id), which is also what BeforeID pages by.
func (l *Log) List(ctx context.Context, f Filter) ([]Item, error) {
	q := l.db.WithContext(ctx).Model(&row{})
	if f.Action != "" {
		q = q.Where("action = ?", strings.TrimSpace(f.Action))
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.RecordType != "" {
		q = q.Where("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		q = q.Where("record_id = ?", f.RecordID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	if f.BeforeID != 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 1000 {
		f.Limit = 1000
	}
	var rows []row
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		out[i] = Item{ID: r.ID, At: r.At.UTC(), Entry: Entry{ActorID: r.ActorID, ActorEmail: r.ActorEmail, Action: r.Action,
			RecordType: r.RecordType, RecordID: r.RecordID, IP: r.IP, Detail: r.Detail}}
	}
	return out, nil
}
