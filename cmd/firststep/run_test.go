package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/staff"
)

// env is a fake environment for run.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// syncBuffer is a buffer the server may write to from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCmd runs the command line args with the data folder dir and returns
// what it printed.
func runCmd(t *testing.T, dir, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	err = run(context.Background(), args, env(map[string]string{"FIRSTSTEP_DATA": dir}), strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _, err := runCmd(t, dir, "", "migrate")
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	m := regexp.MustCompile(`^applied (\d+) migrations\n$`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Fatalf("first migrate printed %q, want some migrations applied", out)
	}
	out, _, err = runCmd(t, dir, "", "migrate")
	if err != nil || out != "applied 0 migrations\n" {
		t.Errorf("second migrate: %q, %v; want nothing left to apply", out, err)
	}
}

func TestUserAddAndToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	t.Run("short password is refused", func(t *testing.T) {
		_, _, err := runCmd(t, dir, "short\n", "user", "add", "--email", "b@example.org", "--role", "admin")
		if err == nil || !strings.Contains(err.Error(), "at least 12 characters") {
			t.Fatalf("err = %v, want a message about the password's length", err)
		}
	})
	t.Run("missing flags", func(t *testing.T) {
		for _, args := range [][]string{
			{"user", "add", "--role", "admin"},
			{"user", "add", "--email", "c@example.org"},
			{"user", "remove"},
			{"token", "create"},
			{"token"},
			{"frobnicate"},
		} {
			if _, _, err := runCmd(t, dir, "a long enough password\n", args...); err == nil {
				t.Errorf("%v: no error", args)
			}
		}
	})
	// #7.18: an address with a space nobody can see, a name on two lines.
	t.Run("address with a no-break space", func(t *testing.T) {
		_, _, err := runCmd(t, dir, "a long enough password\n", "user", "add", "--email", "desk\u00a0x@example.org", "--role", "frontdesk")
		if err == nil || !strings.Contains(err.Error(), "email") {
			t.Errorf("err = %v, want a message about the email", err)
		}
	})
	t.Run("name with a line break", func(t *testing.T) {
		_, _, err := runCmd(t, dir, "a long enough password\n", "user", "add", "--email", "desk2@example.org", "--role", "frontdesk", "--name", "Desk\nBcc: x@example.org")
		if err == nil || !strings.Contains(err.Error(), "name") {
			t.Errorf("err = %v, want a message about the name", err)
		}
	})
	t.Run("unknown role", func(t *testing.T) {
		_, _, err := runCmd(t, dir, "a long enough password\n", "user", "add", "--email", "d@example.org", "--role", "owner")
		if err == nil || !strings.Contains(err.Error(), "role") {
			t.Errorf("err = %v, want a message about the role", err)
		}
	})

	out, _, err := runCmd(t, dir, "a long enough password\n", "user", "add", "--email", "A@Example.org", "--role", "admin")
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	if !strings.Contains(out, "admin account a@example.org") {
		t.Errorf("user add printed %q", out)
	}
	if _, _, err := runCmd(t, dir, "a long enough password\n", "user", "add", "--email", "a@example.org", "--role", "frontdesk"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("second account with the same email: err = %v", err)
	}

	if _, _, err := runCmd(t, dir, "", "token", "create", "--email", "nobody@example.org"); err == nil {
		t.Error("token for an unknown account: no error")
	}
	out, _, err = runCmd(t, dir, "", "token", "create", "--email", "a@example.org")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSpace(out)
	if token == "" || strings.ContainsAny(token, " \n") {
		t.Fatalf("token create printed %q, want one token", out)
	}

	// The token works against the app on the same data folder.
	cfg, _, err := config.Parse("serve", nil, env(map[string]string{"FIRSTSTEP_DATA": dir}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	defer a.Close()
	// Both changes are in the audit log, made from the command line.
	for _, action := range []string{audit.AccountCreate, audit.TokenCreate} {
		items, err := a.Audit.List(context.Background(), audit.Filter{Action: action})
		if err != nil || len(items) != 1 || items[0].ActorEmail != staff.Operator {
			t.Errorf("%s audit entries = %+v (%v), want one by %q", action, items, err, staff.Operator)
		}
	}
	for _, tt := range []struct {
		auth string
		want int
	}{
		{"Bearer " + token, http.StatusOK},
		{"Bearer " + token + "x", http.StatusUnauthorized},
	} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/intakes", nil)
		req.Header.Set("Authorization", tt.auth)
		rec := httptest.NewRecorder()
		a.Echo.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("GET /api/v1/intakes with %q: %d, want %d", tt.auth[:12], rec.Code, tt.want)
		}
	}
}

func TestServeStartsAndShutsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(map[string]string{"FIRSTSTEP_DATA": t.TempDir(), "FIRSTSTEP_ADDR": addr}),
			strings.NewReader(""), &out, &errOut)
	}()

	base := "http://" + addr
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := client.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before answering: %v\n%s", err, errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer 200 within 15s (last error %v)\n%s", err, errOut.String())
		}
	}
	res, err := client.Get(base + "/")
	if err != nil {
		t.Fatalf("GET /: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET / = %d, want 200", res.StatusCode)
	}
	if !strings.Contains(out.String(), "Firststep is running at "+base) {
		t.Errorf("serve printed %q", out.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not return within 25s of cancellation")
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}
