package staff_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/staff"
)

func (f *sessionFixture) addClinician(t *testing.T) int64 {
	t.Helper()
	c, err := f.clinicians.CreateClinician(context.Background(), booking.ClinicianInput{Name: "Dr. Test", Email: "dr@example.org",
		TimeZone: "UTC", Offers: []string{"individual"}})
	if err != nil || c.ID == 0 {
		t.Fatalf("add clinician: %v", err)
	}
	return c.ID
}

func (f *sessionFixture) activeAdmins(t *testing.T) int {
	t.Helper()
	list, err := f.accounts.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range list {
		if a.Active && a.Role == staff.Admin {
			n++
		}
	}
	return n
}

func codeOf(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Code
	}
	return fmt.Sprint(err)
}

func TestTheLastAdminIsKept(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	first := f.addAccount(t, "first@example.org", staff.Admin)
	second := f.addAccount(t, "second@example.org", staff.Admin)
	desk := f.addAccount(t, "desk@example.org", staff.Frontdesk)

	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: second, IP: "192.0.2.1"}, first.ID); err != nil {
		t.Fatalf("deactivate one of two admins: %v", err)
	}
	// first's request was read before it was deactivated: it may not take
	// the last admin with it, whether by deactivating or demoting them.
	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: first, IP: "192.0.2.1"}, second.ID); codeOf(err) != "last_admin" {
		t.Errorf("deactivate the last admin: %v", err)
	}
	if err := f.accounts.SetRole(ctx, staff.Actor{Account: first, IP: "192.0.2.1"}, second.ID, staff.Frontdesk, nil); codeOf(err) != "last_admin" {
		t.Errorf("demote the last admin: %v", err)
	}
	// Other accounts are not held back by the rule.
	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: second, IP: "192.0.2.1"}, desk.ID); err != nil {
		t.Errorf("deactivate front desk: %v", err)
	}
	if n := f.activeAdmins(t); n != 1 {
		t.Errorf("%d active admins", n)
	}
	// Nobody touches their own account this way.
	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: second, IP: "192.0.2.1"}, second.ID); codeOf(err) != "own_account" {
		t.Errorf("deactivate oneself: %v", err)
	}
	if err := f.accounts.SetRole(ctx, staff.Actor{Account: second, IP: "192.0.2.1"}, second.ID, staff.Frontdesk, nil); codeOf(err) != "own_account" {
		t.Errorf("demote oneself: %v", err)
	}
}

func TestAdminsDeactivatingEachOtherLeaveOne(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	for round := range 5 {
		a := f.addAccount(t, fmt.Sprintf("a%d@example.org", round), staff.Admin)
		b := f.addAccount(t, fmt.Sprintf("b%d@example.org", round), staff.Admin)
		// Only a and b are active admins in this round.
		list, _ := f.accounts.Accounts(ctx)
		for _, acc := range list {
			if acc.Active && acc.Role == staff.Admin && acc.ID != a.ID && acc.ID != b.ID {
				if err := f.accounts.Deactivate(ctx, staff.Actor{Account: a, IP: "192.0.2.1"}, acc.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = f.accounts.Deactivate(ctx, staff.Actor{Account: a, IP: "192.0.2.1"}, b.ID) })
		wg.Go(func() { errs[1] = f.accounts.Deactivate(ctx, staff.Actor{Account: b, IP: "192.0.2.1"}, a.ID) })
		wg.Wait()
		if n := f.activeAdmins(t); n != 1 {
			t.Fatalf("round %d: %d active admins after (%v)", round, n, errs)
		}
		refused := 0
		for _, err := range errs {
			if codeOf(err) == "last_admin" {
				refused++
			} else if err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
		if refused != 1 {
			t.Errorf("round %d: %d refusals, want 1", round, refused)
		}
	}
}

func TestSetRole(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	admin := f.addAccount(t, "admin@example.org", staff.Admin)
	desk := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	clinician := f.addClinician(t)
	unknown := clinician + 1000
	tests := []struct {
		name        string
		by          staff.Account
		role        staff.Role
		clinicianID *int64
		field, code string
	}{
		{name: "front desk may not", by: desk, role: staff.Admin, code: "forbidden"},
		{name: "no such role", by: admin, role: "owner", field: "role"},
		{name: "clinician without clinician", by: admin, role: staff.Clinician, field: "clinician_id"},
		{name: "clinician that does not exist", by: admin, role: staff.Clinician, clinicianID: &unknown, field: "clinician_id"},
	}
	for _, tt := range tests {
		err := f.accounts.SetRole(ctx, staff.Actor{Account: tt.by, IP: "192.0.2.1"}, desk.ID, tt.role, tt.clinicianID)
		if tt.field != "" && apperr.FieldsOf(err)[tt.field] == "" || tt.code != "" && codeOf(err) != tt.code {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if n := len(f.entries(t, audit.Filter{Action: audit.AccountRoleChange})); n != 0 {
		t.Errorf("refused changes wrote %d entries", n)
	}
	if err := f.accounts.SetRole(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, desk.ID, staff.Clinician, &clinician); err != nil {
		t.Fatal(err)
	}
	// A clinician chosen for another role is not kept.
	if err := f.accounts.SetRole(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, desk.ID, staff.Frontdesk, &clinician); err != nil {
		t.Fatal(err)
	}
	acc, _ := f.accounts.AccountByID(ctx, desk.ID)
	if acc.Role != staff.Frontdesk || acc.ClinicianID != nil {
		t.Errorf("after the changes: %+v", acc)
	}
	got := f.entries(t, audit.Filter{Action: audit.AccountRoleChange})
	want := []string{fmt.Sprintf("clinician (clinician %d) → frontdesk", clinician), fmt.Sprintf("frontdesk → clinician (clinician %d)", clinician)}
	if len(got) != 2 || got[0].Detail != want[0] || got[1].Detail != want[1] {
		t.Errorf("entries %+v", got)
	}
	if err := f.accounts.SetRole(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, 99999, staff.Frontdesk, nil); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown account: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	acc := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	here, elsewhere := f.mustSignIn(t, acc.Email), f.mustSignIn(t, acc.Email)
	const next = "a new and longer passphrase"
	tests := []struct {
		name  string
		in    staff.PasswordChange
		field string
	}{
		{"no current", staff.PasswordChange{New: next, Confirm: next}, "current_password"},
		{"wrong current", staff.PasswordChange{Current: "wrong password!", New: next, Confirm: next}, "current_password"},
		{"short", staff.PasswordChange{Current: goodPassword, New: "short", Confirm: "short"}, "new_password"},
		{"unchanged", staff.PasswordChange{Current: goodPassword, New: goodPassword, Confirm: goodPassword}, "new_password"},
		{"not confirmed", staff.PasswordChange{Current: goodPassword, New: next, Confirm: next + "."}, "confirm_password"},
	}
	for _, tt := range tests {
		if err := f.accounts.ChangePassword(ctx, staff.Actor{Account: acc, IP: "192.0.2.1"}, here, tt.in); apperr.FieldsOf(err)[tt.field] == "" {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if err := f.accounts.ChangePassword(ctx, staff.Actor{Account: acc, IP: "192.0.2.1"}, here, staff.PasswordChange{Current: goodPassword, New: next, Confirm: next}); err != nil {
		t.Fatal(err)
	}
	if !f.valid(here) || f.valid(elsewhere) {
		t.Errorf("after the change: this session valid %v, the other %v; want true, false", f.valid(here), f.valid(elsewhere))
	}
	if _, err := f.signIn(t, acc.Email, goodPassword, "192.0.2.1", ""); err == nil {
		t.Error("the old password still works")
	}
	if _, err := f.signIn(t, acc.Email, next, "192.0.2.1", ""); err != nil {
		t.Errorf("the new password: %v", err)
	}
	got := f.entries(t, audit.Filter{Action: audit.AccountPasswordChange})
	if len(got) != 1 || got[0].ActorID == nil || *got[0].ActorID != acc.ID || got[0].RecordID != itoa(acc.ID) {
		t.Errorf("entries %+v", got)
	}
}

func TestInviteAndReset(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	admin := f.addAccount(t, "admin@example.org", staff.Admin)
	acc, password, err := f.accounts.Invite(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, staff.Invite{Email: "New@Example.org", Name: "New Person", Role: staff.Frontdesk})
	if err != nil {
		t.Fatal(err)
	}
	if acc.Email != "new@example.org" || !acc.MustChangePassword || !acc.Active {
		t.Errorf("invited %+v", acc)
	}
	session, err := f.signIn(t, acc.Email, password, "192.0.2.1", "")
	if err != nil {
		t.Fatalf("sign in with the one-time password: %v", err)
	}
	if _, _, err := f.accounts.Invite(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, staff.Invite{Email: "x@example.org", Name: "A\nB", Role: staff.Frontdesk}); apperr.FieldsOf(err)["name"] == "" {
		t.Errorf("a name on two lines: %v", err)
	}
	again, err := f.accounts.ResetPassword(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, acc.ID)
	if err != nil || again == password {
		t.Fatalf("reset: %q, %v", again, err)
	}
	if f.valid(session) {
		t.Error("the reset left a session open")
	}
	if _, err := f.signIn(t, acc.Email, password, "192.0.2.1", ""); err == nil {
		t.Error("the first one-time password still works")
	}
	for _, action := range []string{audit.AccountCreate, audit.AccountPasswordReset} {
		got := f.entries(t, audit.Filter{Action: action, RecordID: itoa(acc.ID)})
		if len(got) != 1 || got[0].ActorID == nil || *got[0].ActorID != admin.ID {
			t.Errorf("%s entries %+v", action, got)
		}
	}
}

func TestAdminTokens(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	admin := f.addAccount(t, "admin@example.org", staff.Admin)
	desk := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	gone := f.addAccount(t, "gone@example.org", staff.Frontdesk)
	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, gone.ID); err != nil {
		t.Fatal(err)
	}

	if _, _, err := f.accounts.IssueToken(ctx, staff.Actor{Account: desk, IP: "192.0.2.1"}, desk.ID, "mine"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("front desk issues a token: %v", err)
	}
	if _, _, err := f.accounts.IssueToken(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, gone.ID, "old"); apperr.FieldsOf(err)["account_id"] == "" {
		t.Errorf("token for a deactivated account: %v", err)
	}
	if _, _, err := f.accounts.IssueToken(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, desk.ID, " "); apperr.FieldsOf(err)["label"] == "" {
		t.Errorf("token without a label: %v", err)
	}
	tok, secret, err := f.accounts.IssueToken(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, desk.ID, " Website form ")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Label != "Website form" || tok.AccountEmail != desk.Email {
		t.Errorf("token %+v", tok)
	}

	lastUsed := func() *time.Time {
		t.Helper()
		got, err := f.accounts.TokenByID(ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastUsedAt
	}
	if lastUsed() != nil {
		t.Error("a new token was used")
	}
	use := func() {
		t.Helper()
		if acc, err := f.accounts.AuthenticateToken(ctx, secret); err != nil || acc.ID != desk.ID {
			t.Fatalf("authenticate: %+v, %v", acc, err)
		}
	}
	use()
	first := f.clock.Now()
	if lu := lastUsed(); lu == nil || !lu.Equal(first) {
		t.Errorf("last used %v, want %v", lu, first)
	}
	f.clock.Advance(30 * time.Second)
	use()
	if lu := lastUsed(); !lu.Equal(first) {
		t.Errorf("last used moved to %v within a minute", lu)
	}
	f.clock.Advance(time.Minute)
	use()
	if lu := lastUsed(); !lu.Equal(f.clock.Now()) {
		t.Errorf("last used %v, want %v", lu, f.clock.Now())
	}

	list, err := f.accounts.Tokens(ctx)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].RevokedAt != nil {
		t.Fatalf("tokens %+v, %v", list, err)
	}
	if err := f.accounts.RevokeToken(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.AuthenticateToken(ctx, secret); apperr.KindOf(err) != apperr.Unauthorized {
		t.Errorf("revoked token: %v", err)
	}
	if err := f.accounts.RevokeToken(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, tok.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := f.accounts.RevokeToken(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, 99999); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown token: %v", err)
	}
	for action, n := range map[string]int{audit.TokenCreate: 1, audit.TokenRevoke: 1} {
		if got := f.entries(t, audit.Filter{Action: action}); len(got) != n || got[0].RecordID != itoa(tok.ID) {
			t.Errorf("%s entries %+v", action, got)
		}
	}
}
