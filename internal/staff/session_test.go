package staff_test

import (
	"context"
	"fmt"
	"golang.org/x/crypto/bcrypt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

const goodPassword = "correct horse battery staple"

type sessionFixture struct {
	db         *gorm.DB
	clinicians *booking.Service
	clock      *clocktest.Clock
	accounts   *staff.Service
	sessions   *staff.Sessions
	log        *audit.Log
}

func newSessionFixture(t *testing.T) *sessionFixture {
	t.Helper()
	db := storetest.New(t)
	clock := clocktest.New(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	// The clinicians an account may be tied to are booking's.
	clinicians, err := booking.NewService(db, clock.Now, nil, practice.NewService(db, clock.Now),
		booking.Config{BaseURL: "http://practice.example", FromAddr: "practice@practice.example", LinkKey: []byte(strings.Repeat("k", 32))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	accounts := staff.NewService(db, clock.Now, clinicians)
	accounts.SetPasswordCost(bcrypt.MinCost)
	return &sessionFixture{db: db, clinicians: clinicians, clock: clock, accounts: accounts,
		sessions: staff.NewSessions(db, clock.Now, staff.SessionConfig{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, PasswordCost: bcrypt.MinCost}),
		log:      audit.NewLog(db)}
}

func (f *sessionFixture) addAccount(t *testing.T, email string, role staff.Role) staff.Account {
	t.Helper()
	acc, err := f.accounts.Add(context.Background(), staff.NewAccount{Email: email, Name: "Test " + string(role), Role: role, Password: goodPassword})
	if err != nil {
		t.Fatalf("add account: %v", err)
	}
	return acc
}

func (f *sessionFixture) signIn(t *testing.T, email, password, ip, previous string) (string, error) {
	t.Helper()
	_, token, err := f.sessions.SignIn(context.Background(), staff.Credentials{Email: email, Password: password}, ip, previous)
	return token, err
}

func (f *sessionFixture) mustSignIn(t *testing.T, email string) string {
	t.Helper()
	token, err := f.signIn(t, email, goodPassword, "192.0.2.1", "")
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	return token
}

func (f *sessionFixture) valid(token string) bool {
	_, err := f.sessions.Authenticate(context.Background(), token)
	return err == nil
}

func (f *sessionFixture) entries(t *testing.T, fl audit.Filter) []audit.Item {
	t.Helper()
	items, err := f.log.List(context.Background(), fl)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestSignInSucceedsAndAuthenticates(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	acc := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	token := f.mustSignIn(t, "  Desk@Example.org ")
	got, err := f.sessions.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if got.ID != acc.ID || got.Role != staff.Frontdesk {
		t.Errorf("authenticated as %+v", got)
	}
	var stored []string
	f.db.Table("sessions").Pluck("token_hash", &stored)
	if len(stored) != 1 || stored[0] == token || strings.Contains(stored[0], token) {
		t.Errorf("the session secret itself is stored: %v", stored)
	}
}

func TestSignInNeverUpgradesAPresentedSession(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	f.addAccount(t, "desk@example.org", staff.Frontdesk)
	f.addAccount(t, "other@example.org", staff.Frontdesk)

	// An attacker plants a secret of their choosing before the victim signs in.
	planted := "attacker-chosen-value-0123456789"
	token, err := f.signIn(t, "desk@example.org", goodPassword, "192.0.2.1", planted)
	if err != nil {
		t.Fatal(err)
	}
	if token == planted || token == "" {
		t.Fatalf("sign-in kept the presented secret")
	}
	if f.valid(planted) {
		t.Error("the planted secret opens a session")
	}

	// An attacker's own live session presented by the victim's browser is
	// ended, not handed over.
	attacker := f.mustSignIn(t, "other@example.org")
	victim, err := f.signIn(t, "desk@example.org", goodPassword, "192.0.2.1", attacker)
	if err != nil {
		t.Fatal(err)
	}
	if victim == attacker {
		t.Fatal("sign-in reused the presented session")
	}
	if f.valid(attacker) {
		t.Error("the presented session still works after sign-in")
	}
	if !f.valid(victim) || !f.valid(token) {
		t.Error("new sessions do not work")
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	f.addAccount(t, "desk@example.org", staff.Frontdesk)

	busy := f.mustSignIn(t, "desk@example.org")
	idle := f.mustSignIn(t, "desk@example.org")
	// Activity every 20 minutes keeps a session alive past the idle limit.
	for i := 0; i < 4; i++ {
		f.clock.Advance(20 * time.Minute)
		if !f.valid(busy) {
			t.Fatalf("busy session ended after %d minutes", (i+1)*20)
		}
	}
	if f.valid(idle) {
		t.Error("a session idle for 80 minutes still works")
	}

	f.clock.Advance(29 * time.Minute)
	if !f.valid(busy) {
		t.Error("session ended after 29 idle minutes")
	}
	f.clock.Advance(31 * time.Minute)
	if f.valid(busy) {
		t.Error("session still works after 31 idle minutes")
	}
	// Once ended it stays ended, even if the clock were to go back.
	f.clock.Advance(-31 * time.Minute)
	if f.valid(busy) {
		t.Error("an expired session came back")
	}
}

func TestSessionAbsoluteLimit(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	f.addAccount(t, "desk@example.org", staff.Frontdesk)
	token := f.mustSignIn(t, "desk@example.org")
	for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
		f.clock.Advance(20 * time.Minute)
		if !f.valid(token) {
			t.Fatalf("active session ended after %v", elapsed)
		}
	}
	f.clock.Advance(20 * time.Minute) // 12 h since sign-in
	if f.valid(token) {
		t.Error("session works beyond the absolute limit")
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	acc := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	token := f.mustSignIn(t, "desk@example.org")
	other := f.mustSignIn(t, "desk@example.org") // another browser
	if err := f.sessions.SignOut(context.Background(), token, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if f.valid(token) {
		t.Error("replaying the signed-out secret works")
	}
	if !f.valid(other) {
		t.Error("signing out in one browser ended the session in another")
	}
	// Signing out again, or with nothing, is harmless and not recorded twice.
	if err := f.sessions.SignOut(context.Background(), token, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	if err := f.sessions.SignOut(context.Background(), "", "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	outs := f.entries(t, audit.Filter{Action: audit.SignOut})
	if len(outs) != 1 {
		t.Fatalf("%d sign-out entries, want 1", len(outs))
	}
	if e := outs[0]; e.ActorID == nil || *e.ActorID != acc.ID || e.ActorEmail != acc.Email || e.IP != "192.0.2.7" ||
		e.RecordType != audit.TypeAccount {
		t.Errorf("sign-out entry %+v", e)
	}
}

func TestFailedSignInsAreThrottled(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	f.addAccount(t, "desk@example.org", staff.Frontdesk)

	_, errUnknown := f.signIn(t, "nobody@example.org", goodPassword, "192.0.2.1", "")
	_, errWrong := f.signIn(t, "desk@example.org", "wrong password here", "192.0.2.2", "")
	if errUnknown == nil || errWrong == nil {
		t.Fatal("a bad sign-in succeeded")
	}
	if apperr.KindOf(errUnknown) != apperr.Unauthorized || errUnknown.Error() != errWrong.Error() {
		t.Errorf("unknown email and wrong password answer differently:\n%v\n%v", errUnknown, errWrong)
	}

	// Four more wrong passwords (five in all), from different addresses.
	for i := 0; i < 4; i++ {
		if _, err := f.signIn(t, "desk@example.org", "wrong password here", fmt.Sprintf("198.51.100.%d", i+1), ""); err == nil {
			t.Fatal("wrong password accepted")
		}
	}
	_, errLocked := f.signIn(t, "desk@example.org", goodPassword, "203.0.113.9", "")
	if errLocked == nil {
		t.Fatal("the right password was accepted during the lock-out")
	}
	if errLocked.Error() != errWrong.Error() {
		t.Errorf("lock-out answers differently from a wrong password:\n%v\n%v", errLocked, errWrong)
	}
	// An unknown email locks out alike, so lock-outs reveal nothing either.
	for i := 0; i < 5; i++ {
		f.signIn(t, "ghost@example.org", "whatever it is", "203.0.113.50", "")
	}
	if _, err := f.signIn(t, "ghost@example.org", "whatever it is", "203.0.113.51", ""); err == nil || err.Error() != errWrong.Error() {
		t.Errorf("unknown account during lock-out: %v", err)
	}

	f.clock.Advance(14 * time.Minute)
	if _, err := f.signIn(t, "desk@example.org", goodPassword, "203.0.113.9", ""); err == nil {
		t.Error("lock-out ended after 14 minutes")
	}
	f.clock.Advance(2 * time.Minute)
	if _, err := f.signIn(t, "desk@example.org", goodPassword, "203.0.113.9", ""); err != nil {
		t.Errorf("lock-out still on after 16 minutes: %v", err)
	}

	// Every attempt is in the audit log, a password never.
	items := f.entries(t, audit.Filter{Limit: 1000})
	for _, it := range items {
		for _, col := range []string{it.ActorEmail, it.Detail, it.RecordID, it.IP} {
			if strings.Contains(col, "wrong password here") || strings.Contains(col, goodPassword) ||
				strings.Contains(col, "nobody@") || strings.Contains(col, "ghost@") {
				t.Errorf("audit entry holds a password or an unknown email: %+v", it)
			}
		}
	}
}

func TestFailedSignInsFromOneAddressAreThrottled(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	f.addAccount(t, "desk@example.org", staff.Frontdesk)
	// Twenty guesses at different accounts from one address.
	for i := 0; i < 20; i++ {
		f.signIn(t, fmt.Sprintf("guess%d@example.org", i), "password guess", "192.0.2.66", "")
	}
	if _, err := f.signIn(t, "desk@example.org", goodPassword, "192.0.2.66", ""); err == nil {
		t.Error("sign-in from a throttled address succeeded")
	}
	if _, err := f.signIn(t, "desk@example.org", goodPassword, "192.0.2.67", ""); err != nil {
		t.Errorf("sign-in from another address refused: %v", err)
	}
}

func TestDeactivatedAccountIsRefused(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	admin := f.addAccount(t, "admin@example.org", staff.Admin)
	desk := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	session := f.mustSignIn(t, "desk@example.org")
	apiToken, err := f.accounts.CreateToken(ctx, "desk@example.org", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: desk, IP: "192.0.2.1"}, admin.ID); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("front desk deactivated an account: %v", err)
	}
	if err := f.accounts.Deactivate(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, desk.ID); err != nil {
		t.Fatal(err)
	}
	if f.valid(session) {
		t.Error("the deactivated account's session still works")
	}
	if _, err := f.accounts.AuthenticateToken(ctx, apiToken); err == nil {
		t.Error("the deactivated account's API token still works")
	}
	_, errInactive := f.signIn(t, "desk@example.org", goodPassword, "192.0.2.1", "")
	_, errUnknown := f.signIn(t, "nobody@example.org", goodPassword, "192.0.2.1", "")
	if errInactive == nil {
		t.Fatal("a deactivated account signed in")
	}
	if errInactive.Error() != errUnknown.Error() {
		t.Errorf("deactivated account answers differently from an unknown one:\n%v\n%v", errInactive, errUnknown)
	}
	// Even a session that was missed is refused: the account is checked on every request.
	if err := f.db.Exec("UPDATE sessions SET ended_at = NULL").Error; err != nil {
		t.Fatal(err)
	}
	if f.valid(session) {
		t.Error("a session of a deactivated account works")
	}
	if n := len(f.entries(t, audit.Filter{Action: audit.AccountDisabled, RecordID: itoa(desk.ID)})); n != 1 {
		t.Errorf("%d deactivation entries, want 1", n)
	}
}

func TestSignInAuditEntries(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	acc := f.addAccount(t, "desk@example.org", staff.Frontdesk)

	f.mustSignIn(t, "desk@example.org")
	ok := f.entries(t, audit.Filter{Action: audit.SignIn})
	if len(ok) != 1 {
		t.Fatalf("%d sign-in entries, want 1", len(ok))
	}
	if e := ok[0]; e.ActorID == nil || *e.ActorID != acc.ID || e.ActorEmail != acc.Email || e.RecordType != audit.TypeAccount ||
		e.RecordID != itoa(acc.ID) || e.IP != "192.0.2.1" {
		t.Errorf("sign-in entry %+v", e)
	}

	f.signIn(t, "desk@example.org", "wrong password here", "192.0.2.9", "")
	failed := f.entries(t, audit.Filter{Action: audit.SignInFailed})
	if len(failed) != 1 {
		t.Fatalf("%d failure entries, want 1", len(failed))
	}
	if e := failed[0]; e.ActorID == nil || *e.ActorID != acc.ID || e.ActorEmail != acc.Email || e.IP != "192.0.2.9" {
		t.Errorf("failure entry for a known account %+v", e)
	}

	f.signIn(t, "Someone.Else@example.org", "wrong password here", "192.0.2.9", "")
	failed = f.entries(t, audit.Filter{Action: audit.SignInFailed})
	if len(failed) != 2 {
		t.Fatalf("%d failure entries, want 2", len(failed))
	}
	if e := failed[0]; e.ActorID != nil || e.ActorEmail != "" || e.Detail != "unknown account" || e.RecordID != "" {
		t.Errorf("failure entry for an unknown account %+v", e)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
