package intake

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// OpenStatuses are the statuses of requests the front desk still works:
// not yet decided. The queue shows these unless asked for others; a
// request that is accepted, referred out, declined or closed is done.
var OpenStatuses = []Status{StatusNew, StatusInReview, StatusConsultBooked}

// Open reports whether a request in status s is still being worked.
func (s Status) Open() bool {
	for _, o := range OpenStatuses {
		if o == s {
			return true
		}
	}
	return false
}

// UrgentNow reports whether in goes on top of the queue: flagged urgent and
// still open. A request that is done is not urgent work any more.
func (in Intake) UrgentNow() bool { return in.Urgent && in.Status.Open() }

// Page sizes of the queue and the intake list API.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
	maxSearch       = 100 // characters of a search
)

// StaffFilter is the queue's filter: Filter's fields, Unassigned for the
// intakes nobody has been assigned yet, OpenOnly for the requests still
// being worked (when no Status is chosen), Search for a name or email, and
// the page: After (a Cursor from the previous page) and Limit.
type StaffFilter struct {
	Filter
	Unassigned bool
	OpenOnly   bool
	Search     string
	After      *Cursor
}

// Cursor is a position in the queue's order (urgent open requests first,
// then newest first, then highest id): the list continues after it. It is
// keyed on the values of the last intake shown, so requests that arrive
// meanwhile neither repeat nor push others off the next page.
type Cursor struct {
	Urgent    bool
	CreatedAt time.Time
	ID        int64
}

func cursorOf(in Intake) *Cursor {
	return &Cursor{Urgent: in.UrgentNow(), CreatedAt: in.CreatedAt, ID: in.ID}
}

// String is the cursor as handed out: opaque to whoever holds it.
func (c Cursor) String() string {
	u := 0
	if c.Urgent {
		u = 1
	}
	raw := fmt.Sprintf("1~%d~%s~%d", u, c.CreatedAt.UTC().Format(time.RFC3339Nano), c.ID)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// badCursor is what a cursor that this list did not give out gets.
const badCursor = "This cursor is not one this list gave out. Start again from the first page, without a cursor."

func errBadCursor() error { return apperr.Validation(map[string]string{"cursor": badCursor}) }

// ParseCursor reads a cursor handed out by String; an Invalid error for the
// "cursor" field otherwise.
func ParseCursor(s string) (*Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 100 {
		return nil, errBadCursor()
	}
	parts := strings.Split(string(raw), "~")
	if len(parts) != 4 || parts[0] != "1" || (parts[1] != "0" && parts[1] != "1") {
		return nil, errBadCursor()
	}
	at, err := time.Parse(time.RFC3339Nano, parts[2])
	if err != nil {
		return nil, errBadCursor()
	}
	id, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || id <= 0 {
		return nil, errBadCursor()
	}
	return &Cursor{Urgent: parts[1] == "1", CreatedAt: at.UTC(), ID: id}, nil
}

// openList is OpenStatuses as strings, for queries.
func openList() []string {
	out := make([]string, len(OpenStatuses))
	for i, s := range OpenStatuses {
		out[i] = string(s)
	}
	return out
}

// urgentNowSQL is UrgentNow in SQL, the first key of the queue's order. The
// statuses are this package's constants, written in as literals.
var urgentNowSQL = func() string {
	quoted := make([]string, len(OpenStatuses))
	for i, s := range OpenStatuses {
		quoted[i] = "'" + string(s) + "'"
	}
	return "(CASE WHEN intakes.urgent AND intakes.status IN (" + strings.Join(quoted, ", ") + ") THEN 1 ELSE 0 END)"
}()

// searchScope narrows q to the intakes whose name or email (or partner's
// name or email) contains term, ignoring case. It is the one place the
// queue searches people, so that a change in how names are stored
// changes only this.
func searchScope(q *gorm.DB, term string) *gorm.DB {
	if term == "" {
		return q
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(term)) + "%"
	return q.Where(`(LOWER(intakes.name) LIKE ? ESCAPE '\' OR LOWER(intakes.email) LIKE ? ESCAPE '\'
		OR LOWER(intakes.partner_name) LIKE ? ESCAPE '\' OR LOWER(intakes.partner_email) LIKE ? ESCAPE '\')`,
		like, like, like, like)
}

func (f StaffFilter) apply(q *gorm.DB, withStatus bool) *gorm.DB {
	if withStatus && f.Status != "" {
		q = q.Where("intakes.status = ?", string(f.Status))
	} else if withStatus && f.OpenOnly {
		q = q.Where("intakes.status IN ?", openList())
	}
	if f.Kind != "" {
		q = q.Where("intakes.kind = ?", string(f.Kind))
	}
	if f.ClinicianID != 0 {
		q = q.Where("intakes.assigned_clinician_id = ?", f.ClinicianID)
	}
	if f.Unassigned {
		q = q.Where("intakes.assigned_clinician_id IS NULL")
	}
	if !f.From.IsZero() {
		q = q.Where("intakes.created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("intakes.created_at < ?", f.To.UTC())
	}
	return searchScope(q, f.Search)
}

// Page is one page of the queue. Next, when not empty, is the cursor of
// the following page.
type Page struct {
	Intakes []Intake
	Next    string
}

// ListForStaff returns the queue as acc may see it: urgent open requests
// first, then newest first; one page of it.
func (s *Service) ListForStaff(ctx context.Context, acc staff.Account, f StaffFilter) ([]Intake, error) {
	p, err := s.ListPage(ctx, acc, f)
	return p.Intakes, err
}

// ListPage is ListForStaff with the cursor of the next page.
func (s *Service) ListPage(ctx context.Context, acc staff.Account, f StaffFilter) (Page, error) {
	if !acc.Can(staff.ViewOwnIntakes) {
		return Page{}, errForbidden
	}
	return s.listScoped(s.db.WithContext(ctx), acc, f)
}

func (s *Service) listScoped(db *gorm.DB, acc staff.Account, f StaffFilter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultPageSize
	}
	if f.Limit > MaxPageSize {
		f.Limit = MaxPageSize
	}
	q := f.apply(s.scoped(db.Model(&row{}), acc), true)
	if c := f.After; c != nil {
		u := 0
		if c.Urgent {
			u = 1
		}
		at := c.CreatedAt.UTC()
		q = q.Where("("+urgentNowSQL+" < ? OR ("+urgentNowSQL+" = ? AND (intakes.created_at < ? OR (intakes.created_at = ? AND intakes.id < ?))))",
			u, u, at, at, c.ID)
	}
	var rows []row
	order := clause.OrderBy{Expression: clause.Expr{SQL: urgentNowSQL + " DESC, intakes.created_at DESC, intakes.id DESC"}}
	err := q.Clauses(order).Limit(f.Limit + 1).Find(&rows).Error
	if err != nil {
		return Page{}, fmt.Errorf("list intakes: %w", err)
	}
	var p Page
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		p.Next = "more"
	}
	p.Intakes = make([]Intake, len(rows))
	for i, r := range rows {
		p.Intakes[i] = r.intake()
	}
	if p.Next != "" {
		p.Next = cursorOf(p.Intakes[len(p.Intakes)-1]).String()
	}
	return p, nil
}

// CountByStatus counts the intakes acc may see that match f in every
// respect but status, per status.
func (s *Service) CountByStatus(ctx context.Context, acc staff.Account, f StaffFilter) (map[Status]int, error) {
	if !acc.Can(staff.ViewOwnIntakes) {
		return nil, errForbidden
	}
	var rows []struct {
		Status string
		N      int
	}
	q := f.apply(s.scoped(s.db.WithContext(ctx).Model(&row{}), acc), false)
	if err := q.Select("intakes.status AS status, COUNT(*) AS n").Group("intakes.status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count intakes: %w", err)
	}
	out := make(map[Status]int, len(rows))
	for _, r := range rows {
		out[Status(r.Status)] = r.N
	}
	return out, nil
}

// ListWithAnswers is ListPage for the JSON API, which hands out every
// answer of every intake listed: the read is recorded in the audit log
// with the ids it returned.
func (s *Service) ListWithAnswers(ctx context.Context, by Actor, f StaffFilter) (Page, error) {
	if !by.Account.Can(staff.ViewOwnIntakes) {
		return Page{}, errForbidden
	}
	var out Page
	err := store.Transact(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if out, err = s.listScoped(tx, by.Account, f); err != nil {
			return err
		}
		e := entry(by, audit.IntakeList, 0, listDetail(out.Intakes))
		e.RecordID = ""
		return audit.Record(tx, s.now(), e)
	})
	return out, err
}
