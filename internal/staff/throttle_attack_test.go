package staff_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
)

// The attack of #7.17: a burst of concurrent guesses at one account, the
// right password among them. Each attempt must be counted before its
// password is checked, so no more than the limit (5) are ever checked and
// the right password inside the burst is, almost always, refused unseen.
func TestConcurrentGuessesCannotOutrunTheThrottle(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	f.addAccount(t, "desk@example.org", staff.Frontdesk)
	const guesses = 100
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	signedIn := 0
	for i := 0; i < guesses; i++ {
		password := "wrong password guess"
		if i == guesses/2 {
			password = goodPassword
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Different addresses, so only the account's limit applies.
			if _, err := f.signIn(t, "desk@example.org", password, "198.51.100.7", ""); err == nil {
				mu.Lock()
				signedIn++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	// However the burst interleaves, at most five wrong guesses have their
	// password checked; the right one, when it comes early enough to be
	// checked, gives back its own attempt and no one else's.
	wrong := 0
	for _, it := range f.entries(t, audit.Filter{Action: audit.SignInFailed, Limit: 1000}) {
		if it.Detail != "too many attempts" {
			wrong++
		}
	}
	if wrong > 5 {
		t.Errorf("%d of %d concurrent wrong guesses had their password checked; the limit is 5", wrong, guesses)
	}
	if signedIn > 1 {
		t.Errorf("%d sign-ins succeeded", signedIn)
	}
}

// The password page checks the current password too: a session left open
// must not become a way to guess it without limit.
func TestPasswordPageGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	acc := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	session := f.mustSignIn(t, acc.Email)
	const next = "a new and longer passphrase"
	for i := 0; i < 5; i++ {
		err := f.accounts.ChangePassword(ctx, staff.Actor{Account: acc, IP: "192.0.2.1"}, session, staff.PasswordChange{Current: "wrong guess number " + itoa(int64(i)), New: next, Confirm: next})
		if apperr.FieldsOf(err)["current_password"] == "" {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	err := f.accounts.ChangePassword(ctx, staff.Actor{Account: acc, IP: "192.0.2.1"}, session, staff.PasswordChange{Current: goodPassword, New: next, Confirm: next})
	if apperr.FieldsOf(err)["current_password"] == "" {
		t.Fatalf("the right password after five wrong guesses was checked: %v", err)
	}
	f.clock.Advance(16 * time.Minute)
	if err := f.accounts.ChangePassword(ctx, staff.Actor{Account: acc, IP: "192.0.2.1"}, session, staff.PasswordChange{Current: goodPassword, New: next, Confirm: next}); err != nil {
		t.Errorf("after the pause: %v", err)
	}
}

// An admin's password reset is for an account whose password may be
// known to someone else: its API tokens stop working with its sessions.
func TestPasswordResetRevokesTokens(t *testing.T) {
	t.Parallel()
	f := newSessionFixture(t)
	ctx := context.Background()
	admin := f.addAccount(t, "admin@example.org", staff.Admin)
	acc := f.addAccount(t, "desk@example.org", staff.Frontdesk)
	token, err := f.accounts.CreateToken(ctx, acc.Email, "integration")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.AuthenticateToken(ctx, token); err != nil {
		t.Fatalf("token before the reset: %v", err)
	}
	if _, err := f.accounts.ResetPassword(ctx, staff.Actor{Account: admin, IP: "192.0.2.1"}, acc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.AuthenticateToken(ctx, token); err == nil {
		t.Error("the API token still works after the password reset")
	}
}
