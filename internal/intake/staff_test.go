package intake_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

// staffFixture is a database with two clinicians and an account of every
// role; the clock stands still unless a test moves it.
type staffFixture struct {
	db         *gorm.DB
	svc        *intake.Service
	log        *audit.Log
	clock      *clocktest.Clock
	c1, c2     int64 // clinicians
	admin      staff.Account
	desk       staff.Account
	clin1      staff.Account // the account of clinician c1
	clin2      staff.Account // the account of clinician c2
	intakeSeq  int
	inactiveID int64 // an inactive clinician
}

func newStaffFixture(t *testing.T) *staffFixture {
	t.Helper()
	f := &staffFixture{db: storetest.New(t), clock: clocktest.New(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))}
	f.svc = intake.NewService(f.db, f.clock.Now, []byte("0123456789abcdef0123456789abcdef"),
		intake.BookingClinicians, staff.NewService(f.db, time.Now, intake.StaffClinicians))
	f.log = audit.NewLog(f.db)
	f.c1 = f.clinician(t, "Dr. One", true)
	f.c2 = f.clinician(t, "Dr. Two", true)
	f.inactiveID = f.clinician(t, "Dr. Gone", false)
	f.admin = f.account(t, "admin@example.org", staff.Admin, nil)
	f.desk = f.account(t, "desk@example.org", staff.Frontdesk, nil)
	f.clin1 = f.account(t, "one@example.org", staff.Clinician, &f.c1)
	f.clin2 = f.account(t, "two@example.org", staff.Clinician, &f.c2)
	return f
}

func (f *staffFixture) clinician(t *testing.T, name string, active bool) int64 {
	t.Helper()
	var id int64
	err := f.db.Raw(`INSERT INTO clinicians (name, email, timezone, offers_individual, offers_couple, active, created_at, updated_at)
		VALUES (?, ?, 'America/New_York', TRUE, TRUE, ?, ?, ?) RETURNING id`,
		name, strings.ToLower(strings.ReplaceAll(name, " ", ""))+"@example.org", active, f.clock.Now(), f.clock.Now()).Scan(&id).Error
	if err != nil || id == 0 {
		t.Fatalf("add clinician: %v", err)
	}
	return id
}

func (f *staffFixture) account(t *testing.T, email string, role staff.Role, clinician *int64) staff.Account {
	t.Helper()
	var id int64
	err := f.db.Raw(`INSERT INTO staff_accounts (email, name, password_hash, role, clinician_id, active, created_at, updated_at)
		VALUES (?, ?, 'not-a-hash', ?, ?, TRUE, ?, ?) RETURNING id`, email, "Name of "+email, string(role), clinician, f.clock.Now(), f.clock.Now()).Scan(&id).Error
	if err != nil || id == 0 {
		t.Fatalf("add account: %v", err)
	}
	return staff.Account{ID: id, Email: email, Name: "Name of " + email, Role: role, ClinicianID: clinician, Active: true}
}

// secretName and secretMessage are what a client wrote; they must never
// reach the audit log.
const (
	secretName    = "Quinn Confidential"
	secretMessage = "I relapsed last week and my partner does not know"
)

func (f *staffFixture) submit(t *testing.T, assigned *int64) int64 {
	t.Helper()
	f.intakeSeq++
	r, err := f.svc.Submit(context.Background(), intake.Input{Kind: "individual", Name: secretName,
		Email: fmt.Sprintf("client%d@example.org", f.intakeSeq), Message: secretMessage, Consent: true})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if assigned != nil {
		if err := f.db.Exec("UPDATE intakes SET assigned_clinician_id = ? WHERE id = ?", *assigned, r.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(time.Minute)
	return r.ID
}

func (f *staffFixture) book(t *testing.T, intakeID, clinicianID int64, status string) {
	t.Helper()
	start := f.clock.Now().Add(time.Duration(intakeID) * 24 * time.Hour)
	err := f.db.Exec(`INSERT INTO bookings (intake_id, clinician_id, start_at, end_at, block_end, status, uid, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, intakeID, clinicianID, start, start.Add(30*time.Minute), start.Add(40*time.Minute),
		status, fmt.Sprintf("uid-%d-%d", intakeID, clinicianID), f.clock.Now(), f.clock.Now()).Error
	if err != nil {
		t.Fatalf("add booking: %v", err)
	}
}

func (f *staffFixture) entries(t *testing.T) []audit.Item {
	t.Helper()
	items, err := f.log.List(context.Background(), audit.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func actor(acc staff.Account) intake.Actor { return intake.Actor{Account: acc, IP: "192.0.2.10"} }

func ids(list []intake.Intake) []int64 {
	out := []int64{}
	for _, in := range list {
		out = append(out, in.ID)
	}
	slices.Sort(out)
	return out
}

func TestStaffActionsWriteOneAuditEntryEach(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	id := f.submit(t, nil)
	by := actor(f.desk)
	const noteText = "Called back, left no voicemail as asked"

	steps := []struct {
		action string
		detail string
		do     func() error
	}{
		{audit.IntakeView, "", func() error { _, err := f.svc.GetForStaff(ctx, by, id); return err }},
		{audit.IntakeNote, "note ", func() error { _, err := f.svc.AddNote(ctx, by, id, noteText); return err }},
		{audit.IntakeAssign, fmt.Sprintf("assigned clinician %d", f.c1), func() error { return f.svc.Assign(ctx, by, id, &f.c1) }},
		{audit.IntakeAssign, fmt.Sprintf("assigned clinician %d (was %d)", f.c2, f.c1), func() error { return f.svc.Assign(ctx, by, id, &f.c2) }},
		{audit.IntakeAssign, fmt.Sprintf("unassigned (was clinician %d)", f.c2), func() error { return f.svc.Assign(ctx, by, id, nil) }},
		{audit.IntakeStatus, "status new → in_review", func() error { return f.svc.SetStatus(ctx, by, id, intake.StatusInReview, intake.StatusNew) }},
	}
	for i, s := range steps {
		before := len(f.entries(t))
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		all := f.entries(t)
		if len(all) != before+1 {
			t.Fatalf("step %d (%s) wrote %d entries, want 1", i, s.action, len(all)-before)
		}
		e := all[0]
		if e.Action != s.action || e.ActorID == nil || *e.ActorID != f.desk.ID || e.ActorEmail != f.desk.Email ||
			e.RecordType != audit.TypeIntake || e.RecordID != strconv.FormatInt(id, 10) || e.IP != "192.0.2.10" {
			t.Errorf("step %d: entry %+v", i, e)
		}
		if !strings.HasPrefix(e.Detail, s.detail) {
			t.Errorf("step %d: detail %q, want %q", i, e.Detail, s.detail)
		}
	}
	for _, e := range f.entries(t) {
		for _, col := range []string{e.ActorEmail, e.Action, e.RecordType, e.RecordID, e.IP, e.Detail} {
			for _, secret := range []string{secretName, "Quinn", secretMessage, "relapsed", noteText} {
				if strings.Contains(col, secret) {
					t.Errorf("audit entry %+v holds %q", e, secret)
				}
			}
		}
	}

	in, err := f.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != intake.StatusInReview || in.AssignedClinicianID != nil {
		t.Errorf("intake after the steps: status %s, assigned %v", in.Status, in.AssignedClinicianID)
	}
}

func TestClinicianSeesOnlyTheirIntakes(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	mine := f.submit(t, &f.c1)
	theirs := f.submit(t, &f.c2)
	bookedWithMe := f.submit(t, nil)
	f.book(t, bookedWithMe, f.c1, "active")
	cancelledWithMe := f.submit(t, nil)
	f.book(t, cancelledWithMe, f.c1, "cancelled")
	assignedToThemBookedWithMe := f.submit(t, &f.c2)
	f.book(t, assignedToThemBookedWithMe, f.c1, "active")

	cases := []struct {
		name string
		acc  staff.Account
		want []int64
	}{
		{"admin", f.admin, []int64{mine, theirs, bookedWithMe, cancelledWithMe, assignedToThemBookedWithMe}},
		{"front desk", f.desk, []int64{mine, theirs, bookedWithMe, cancelledWithMe, assignedToThemBookedWithMe}},
		{"clinician one", f.clin1, []int64{mine, bookedWithMe, assignedToThemBookedWithMe}},
		{"clinician two", f.clin2, []int64{theirs, assignedToThemBookedWithMe}},
		{"clinician account without a clinician", staff.Account{ID: 99, Role: staff.Clinician, Active: true}, []int64{}},
	}
	for _, c := range cases {
		list, err := f.svc.ListForStaff(ctx, c.acc, intake.StaffFilter{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := slices.Clone(c.want)
		slices.Sort(want)
		if got := ids(list); !slices.Equal(got, want) {
			t.Errorf("%s lists %v, want %v", c.name, got, want)
		}
		counts, err := f.svc.CountByStatus(ctx, c.acc, intake.StaffFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if counts[intake.StatusNew] != len(want) {
			t.Errorf("%s counts %v, want %d new", c.name, counts, len(want))
		}
		for _, id := range []int64{mine, theirs, bookedWithMe, cancelledWithMe, assignedToThemBookedWithMe} {
			_, err := f.svc.GetForStaff(ctx, actor(c.acc), id)
			if visible := slices.Contains(want, id); visible && err != nil {
				t.Errorf("%s cannot open intake %d: %v", c.name, id, err)
			} else if !visible && apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("%s opening intake %d: %v, want forbidden", c.name, id, err)
			}
		}
	}

	// Refusals are recorded too; changes are refused like reads.
	denied, err := f.log.List(ctx, audit.Filter{Action: audit.IntakeViewDenied, ActorID: f.clin1.ID, RecordID: strconv.FormatInt(theirs, 10)})
	if err != nil || len(denied) != 1 {
		t.Errorf("denied views recorded: %d, %v", len(denied), err)
	}
	if _, err := f.svc.AddNote(ctx, actor(f.clin1), theirs, "note"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("note on another clinician's intake: %v", err)
	}
	if err := f.svc.SetStatus(ctx, actor(f.clin1), theirs, intake.StatusInReview, ""); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("status of another clinician's intake: %v", err)
	}
	if err := f.svc.SetStatus(ctx, actor(f.clin1), mine, intake.StatusInReview, ""); err != nil {
		t.Errorf("status of own intake: %v", err)
	}
	if err := f.svc.Assign(ctx, actor(f.clin1), mine, &f.c2); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("clinician assigned an intake: %v", err)
	}
	if _, err := f.svc.ListWithAnswers(ctx, actor(f.clin2), intake.StaffFilter{}); err != nil {
		t.Fatal(err)
	}
	listed, err := f.log.List(ctx, audit.Filter{Action: audit.IntakeList, ActorID: f.clin2.ID})
	if err != nil || len(listed) != 1 || listed[0].Detail != fmt.Sprintf("2 intakes: %d, %d", assignedToThemBookedWithMe, theirs) {
		t.Errorf("list entry %+v (%v)", listed, err)
	}
}

func TestStaffFilters(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	a := f.submit(t, &f.c1)
	b := f.submit(t, nil)
	c := f.submit(t, &f.c2)
	if err := f.svc.SetStatus(ctx, actor(f.desk), c, intake.StatusInReview, ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    intake.StaffFilter
		want []int64
	}{
		{"all", intake.StaffFilter{}, []int64{a, b, c}},
		{"status", intake.StaffFilter{Filter: intake.Filter{Status: intake.StatusNew}}, []int64{a, b}},
		{"clinician", intake.StaffFilter{Filter: intake.Filter{ClinicianID: f.c1}}, []int64{a}},
		{"unassigned", intake.StaffFilter{Unassigned: true}, []int64{b}},
		{"kind", intake.StaffFilter{Filter: intake.Filter{Kind: intake.Couple}}, []int64{}},
		{"from", intake.StaffFilter{Filter: intake.Filter{From: f.clock.Now().Add(-2 * time.Minute)}}, []int64{b, c}},
		{"to", intake.StaffFilter{Filter: intake.Filter{To: f.clock.Now().Add(-2 * time.Minute)}}, []int64{a}},
	}
	for _, tc := range cases {
		list, err := f.svc.ListForStaff(ctx, f.desk, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(list); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	counts, err := f.svc.CountByStatus(ctx, f.desk, intake.StaffFilter{Filter: intake.Filter{Status: intake.StatusNew}})
	if err != nil {
		t.Fatal(err)
	}
	if counts[intake.StatusNew] != 2 || counts[intake.StatusInReview] != 1 {
		t.Errorf("counts ignore the status filter? %v", counts)
	}
}

func TestSetStatusRefusesStaleAndDisallowedMoves(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	id := f.submit(t, nil)
	if err := f.svc.SetStatus(ctx, actor(f.desk), id, intake.StatusInReview, intake.StatusNew); err != nil {
		t.Fatal(err)
	}
	before := len(f.entries(t))
	// A colleague still looking at "new" chooses "declined".
	err := f.svc.SetStatus(ctx, actor(f.admin), id, intake.StatusDeclined, intake.StatusNew)
	if apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("stale change: %v, want a conflict", err)
	}
	if err := f.svc.SetStatus(ctx, actor(f.desk), id, intake.StatusNew, ""); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("in review → new: %v, want invalid", err)
	}
	if err := f.svc.SetStatus(ctx, actor(f.desk), id, "archived", ""); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("unknown status: %v, want invalid", err)
	}
	if err := f.svc.SetStatus(ctx, actor(f.desk), 999999, intake.StatusClosed, ""); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown intake: %v, want not found", err)
	}
	if n := len(f.entries(t)); n != before {
		t.Errorf("refused changes wrote %d audit entries", n-before)
	}
	in, _ := f.svc.Get(ctx, id)
	if in.Status != intake.StatusInReview {
		t.Errorf("status %s after refused changes", in.Status)
	}
}

func TestAssignChecksTheClinician(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	id := f.submit(t, nil)
	for name, cid := range map[string]int64{"unknown": 999999, "inactive": f.inactiveID} {
		err := f.svc.Assign(ctx, actor(f.desk), id, &cid)
		if apperr.FieldsOf(err)["clinician_id"] == "" {
			t.Errorf("%s clinician: %v", name, err)
		}
	}
	if err := f.svc.Assign(ctx, actor(f.desk), id, &f.c1); err != nil {
		t.Fatal(err)
	}
	before := len(f.entries(t))
	if err := f.svc.Assign(ctx, actor(f.desk), id, &f.c1); err != nil {
		t.Fatal(err)
	}
	if n := len(f.entries(t)) - before; n != 0 {
		t.Errorf("assigning the same clinician again wrote %d entries", n)
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	f := newStaffFixture(t)
	ctx := context.Background()
	id := f.submit(t, &f.c1)
	for _, body := range []string{"", "   \n ", strings.Repeat("x", 5001)} {
		if _, err := f.svc.AddNote(ctx, actor(f.desk), id, body); apperr.FieldsOf(err)["body"] == "" {
			t.Errorf("note of %d characters: %v", len(body), err)
		}
	}
	if _, err := f.svc.AddNote(ctx, actor(f.desk), id, "  First call made.\r\nNo answer. "); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.svc.AddNote(ctx, actor(f.clin1), id, "<b>Consult</b> went well"); err != nil {
		t.Fatal(err)
	}
	notes, err := f.svc.Notes(ctx, f.clin1, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 {
		t.Fatalf("%d notes", len(notes))
	}
	if n := notes[0]; n.Body != "First call made.\nNo answer." || n.AuthorEmail != f.desk.Email || n.AuthorName != f.desk.Name {
		t.Errorf("first note %+v", n)
	}
	if n := notes[1]; n.Body != "<b>Consult</b> went well" || n.AuthorEmail != f.clin1.Email || !n.CreatedAt.Equal(f.clock.Now()) {
		t.Errorf("second note %+v", n)
	}
	if _, err := f.svc.Notes(ctx, f.clin2, id); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("another clinician read the notes: %v", err)
	}
}
