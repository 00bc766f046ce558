package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store/storetest"
	"github.com/firststep/firststep/internal/web"
)

const staffPassword = "a long enough staff password"

// The roles of the staff fixture: an account of each role, and a second
// clinician who must never see the first clinician's clients.
const (
	asAdmin          = "admin"
	asFrontdesk      = "frontdesk"
	asClinician      = "clinician"
	asOtherClinician = "other clinician"
	asAnonymous      = "anonymous"
)

var staffRoles = []string{asAdmin, asFrontdesk, asClinician, asOtherClinician}

// staffFixture is the whole application over a fresh database with two
// clinicians, an account and a signed-in session and API token for every
// role.
type staffFixture struct {
	t *testing.T
	a *app.App
	// clock stands still until a test moves it, so session timeouts are exact.
	clock    *clocktest.Clock
	clinA    int64 // the clinician of asClinician
	clinB    int64 // the clinician of asOtherClinician
	accounts map[string]staff.Account
	sessions map[string]string // role → session secret
	tokens   map[string]string // role → API token
	seq      int
}

func newStaffFixture(t *testing.T, change ...func(*config.Config)) *staffFixture {
	t.Helper()
	cfg, _, err := config.Parse("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.DataDir = t.TempDir()
	cfg.RateLimit = 0
	for _, f := range change {
		f(&cfg)
	}
	clock := clocktest.New(time.Now().UTC().Truncate(time.Second))
	a, err := app.Build(cfg, storetest.New(t), slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Now: clock.Now, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	fx := &staffFixture{t: t, a: a, clock: clock, accounts: map[string]staff.Account{}, sessions: map[string]string{}, tokens: map[string]string{}}
	fx.clinA = fx.addClinician("Dr. Avery Stone")
	fx.clinB = fx.addClinician("Dr. Blake Rivers")
	ctx := context.Background()
	for _, role := range staffRoles {
		in := staff.NewAccount{Email: strings.ReplaceAll(role, " ", "-") + "@practice.example", Name: "The " + role, Password: staffPassword}
		switch role {
		case asAdmin:
			in.Role = staff.Admin
		case asFrontdesk:
			in.Role = staff.Frontdesk
		case asClinician:
			in.Role, in.ClinicianID = staff.Clinician, &fx.clinA
		case asOtherClinician:
			in.Role, in.ClinicianID = staff.Clinician, &fx.clinB
		}
		acc, err := a.Staff.Add(ctx, in)
		if err != nil {
			t.Fatalf("add %s: %v", role, err)
		}
		fx.accounts[role] = acc
		fx.sessions[role] = fx.signIn(role)
		if fx.tokens[role], err = a.Staff.CreateToken(ctx, acc.Email, "test"); err != nil {
			t.Fatalf("token for %s: %v", role, err)
		}
	}
	return fx
}

func (fx *staffFixture) addClinician(name string) int64 {
	fx.t.Helper()
	now := fx.clock.Now()
	var id int64
	err := fx.a.DB.Raw(`INSERT INTO clinicians (name, email, timezone, offers_individual, offers_couple, active, created_at, updated_at)
		VALUES (?, ?, 'America/New_York', TRUE, TRUE, TRUE, ?, ?) RETURNING id`,
		name, fmt.Sprintf("clinician%d@practice.example", time.Now().UnixNano()), now, now).Scan(&id).Error
	if err != nil || id == 0 {
		fx.t.Fatalf("add clinician: %v", err)
	}
	return id
}

// signIn starts a new session for role without going through the page.
func (fx *staffFixture) signIn(role string) string {
	fx.t.Helper()
	_, token, err := fx.a.Sessions.SignIn(context.Background(),
		staff.Credentials{Email: fx.accounts[role].Email, Password: staffPassword}, "192.0.2.200", "")
	if err != nil {
		fx.t.Fatalf("sign in %s: %v", role, err)
	}
	return token
}

// submit stores an individual intake with the given name and message,
// assigned to clinician (0: nobody).
func (fx *staffFixture) submit(name, message string, clinician int64) int64 {
	fx.t.Helper()
	fx.seq++
	r, err := fx.a.Intakes.Submit(context.Background(), intake.Input{Kind: "individual", Name: name,
		Email: fmt.Sprintf("client%d@example.org", fx.seq), Message: message, Consent: true})
	if err != nil {
		fx.t.Fatalf("submit: %v", err)
	}
	if clinician != 0 {
		if err := fx.a.DB.Exec("UPDATE intakes SET assigned_clinician_id = ? WHERE id = ?", clinician, r.ID).Error; err != nil {
			fx.t.Fatal(err)
		}
	}
	return r.ID
}

// testCSRF is the CSRF token the fixture's browser holds; the middleware
// compares the form's token with the cookie's.
const testCSRF = "test-csrf-token-0123456789abcdef"

// csrfFor is the token a staff form carries: the session's own when there
// is one (the staff pages bind it to the session), else testCSRF.
func csrfFor(path, session string) string {
	if session != "" && strings.HasPrefix(path, "/staff") {
		return web.SessionCSRFToken(session)
	}
	return testCSRF
}

// request sends one request as role: a session cookie for pages, a Bearer
// token for the API, nothing for asAnonymous. A form body gets the CSRF
// token added; a body starting with "{" is sent as JSON.
func (fx *staffFixture) request(role, method, path, body string) *http.Response {
	fx.t.Helper()
	return fx.requestWith(role, fx.sessions[role], method, path, body)
}

func (fx *staffFixture) requestWith(role, session, method, path, body string) *http.Response {
	fx.t.Helper()
	api := strings.HasPrefix(path, "/api/")
	var req *http.Request
	switch {
	case strings.HasPrefix(body, "{"):
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	case method == http.MethodPost && !api:
		v, err := url.ParseQuery(body)
		if err != nil {
			fx.t.Fatal(err)
		}
		v.Set("_csrf", csrfFor(path, session))
		req = httptest.NewRequest(method, path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = "192.0.2.201:50000"
	req.AddCookie(&http.Cookie{Name: "_csrf", Value: testCSRF})
	if role != asAnonymous {
		if api {
			req.Header.Set("Authorization", "Bearer "+fx.tokens[role])
		} else if session != "" {
			req.AddCookie(&http.Cookie{Name: staff.SessionCookie, Value: session})
		}
	}
	rec := httptest.NewRecorder()
	fx.a.Echo.ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode >= 500 {
		fx.t.Errorf("%s %s as %s answered %d", method, path, role, res.StatusCode)
	}
	return res
}
