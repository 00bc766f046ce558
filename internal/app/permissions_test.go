package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// permCase is one staff route and what every role gets from it. Every
// staff route, page or JSON, belongs in permCases: the test fails for a
// /staff route, or an /api/v1 route that asks for a token, missing here.
type permCase struct {
	method string
	route  string // as registered, e.g. /staff/intakes/:id
	// request returns the path and body to send as role; it may set up
	// what the request needs (a fresh intake for a change, for instance).
	request func(fx *staffFixture, role string) (path, body string)
	// want is the status for each role, asAnonymous included.
	want map[string]int
	// location is where a redirect must point for a signed-in role.
	location string
	// freshSession sends a new session of the role instead of its usual
	// one (for requests that end the session); noSession sends none.
	freshSession, noSession bool
}

// Anonymous visitors are sent to the sign-in page from every staff page
// and get 401 from the staff API.
const (
	toSignIn = http.StatusSeeOther
	needAuth = http.StatusUnauthorized
)

func statuses(admin, frontdesk, clinician, other, anonymous int) map[string]int {
	return map[string]int{asAdmin: admin, asFrontdesk: frontdesk, asClinician: clinician, asOtherClinician: other, asAnonymous: anonymous}
}

const (
	ok        = http.StatusOK
	created   = http.StatusCreated
	seeOther  = http.StatusSeeOther
	forbidden = http.StatusForbidden
)

// clinicianAIntake is a new intake assigned to the clinician of asClinician.
func clinicianAIntake(fx *staffFixture) int64 {
	return fx.submit("Client Person", "A message for the practice", fx.clinA)
}

var permCases = []permCase{
	{method: "GET", route: "/staff/signin", location: "/staff",
		request: func(*staffFixture, string) (string, string) { return "/staff/signin", "" },
		want:    statuses(seeOther, seeOther, seeOther, seeOther, ok)},
	{method: "POST", route: "/staff/signin", location: "/staff", noSession: true,
		request: func(fx *staffFixture, role string) (string, string) {
			if role == asAnonymous {
				return "/staff/signin", "email=nobody%40practice.example&password=not+the+password"
			}
			return "/staff/signin", url.Values{"email": {fx.accounts[role].Email}, "password": {staffPassword}}.Encode()
		},
		want: statuses(seeOther, seeOther, seeOther, seeOther, http.StatusUnauthorized)},
	{method: "POST", route: "/staff/signout", location: "/staff/signin?signed_out=1", freshSession: true,
		request: func(*staffFixture, string) (string, string) { return "/staff/signout", "" },
		want:    statuses(seeOther, seeOther, seeOther, seeOther, seeOther)},
	{method: "GET", route: "/staff",
		request: func(*staffFixture, string) (string, string) { return "/staff?status=new", "" },
		want:    statuses(ok, ok, ok, ok, toSignIn)},
	{method: "GET", route: "/staff/intakes/:id",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d", clinicianAIntake(fx)), ""
		},
		want: statuses(ok, ok, ok, forbidden, toSignIn)},
	{method: "POST", route: "/staff/intakes/:id/notes", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d/notes", clinicianAIntake(fx)), "body=Called+back"
		},
		want: statuses(seeOther, seeOther, seeOther, forbidden, toSignIn)},
	{method: "POST", route: "/staff/intakes/:id/assign", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d/assign", clinicianAIntake(fx)), fmt.Sprintf("clinician_id=%d", fx.clinB)
		},
		want: statuses(seeOther, seeOther, forbidden, forbidden, toSignIn)},
	{method: "POST", route: "/staff/intakes/:id/status", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d/status", clinicianAIntake(fx)), "from=new&status=in_review"
		},
		want: statuses(seeOther, seeOther, seeOther, forbidden, toSignIn)},
	// Booking, moving and cancelling on a client's behalf: front desk and
	// admins only (see staff_booking_test.go for the helpers).
	{method: "GET", route: "/staff/intakes/:id/book",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d/book", clinicianAIntake(fx)), ""
		},
		want: statuses(ok, ok, forbidden, forbidden, toSignIn)},
	{method: "POST", route: "/staff/intakes/:id/book", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d/book", clinicianAIntake(fx)), fx.nextSlotForm()
		},
		want: statuses(seeOther, seeOther, forbidden, forbidden, toSignIn)},
	{method: "GET", route: "/staff/bookings/:id/reschedule",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/bookings/%d/reschedule", fx.bookFor(clinicianAIntake(fx))), ""
		},
		want: statuses(ok, ok, forbidden, forbidden, toSignIn)},
	{method: "POST", route: "/staff/bookings/:id/reschedule", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/bookings/%d/reschedule", fx.bookFor(clinicianAIntake(fx))), fx.nextSlotForm()
		},
		want: statuses(seeOther, seeOther, forbidden, forbidden, toSignIn)},
	{method: "GET", route: "/staff/bookings/:id/cancel",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/bookings/%d/cancel", fx.bookFor(clinicianAIntake(fx))), ""
		},
		want: statuses(ok, ok, forbidden, forbidden, toSignIn)},
	{method: "POST", route: "/staff/bookings/:id/cancel", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/bookings/%d/cancel", fx.bookFor(clinicianAIntake(fx))), ""
		},
		want: statuses(seeOther, seeOther, forbidden, forbidden, toSignIn)},
	{method: "POST", route: "/staff/intakes/:id/partner-contact", location: "/staff/intakes/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/intakes/%d/partner-contact", clinicianAIntake(fx)), ""
		},
		want: statuses(seeOther, seeOther, forbidden, forbidden, toSignIn)},
	// A clinician's consultation hours (see availability_pages_test.go): their
	// own under /staff/availability, any clinician's for admins. The admin
	// account of the fixture is no clinician, so it has no hours of its own:
	// it is shown the list of clinicians and may not post hours of its own.
	{method: "GET", route: "/staff/availability",
		request: func(*staffFixture, string) (string, string) { return "/staff/availability", "" },
		want:    statuses(ok, forbidden, ok, ok, toSignIn)},
	{method: "POST", route: "/staff/availability", location: "/staff/availability?",
		request: func(*staffFixture, string) (string, string) { return "/staff/availability", hoursForm().Encode() },
		want:    statuses(forbidden, forbidden, seeOther, seeOther, toSignIn)},
	{method: "POST", route: "/staff/availability/feed/rotate", location: "/staff/availability?saved=feed",
		request: func(*staffFixture, string) (string, string) { return "/staff/availability/feed/rotate", "" },
		want:    statuses(forbidden, forbidden, seeOther, seeOther, toSignIn)},
	{method: "GET", route: "/staff/clinicians/:id/availability",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/clinicians/%d/availability", fx.clinA), ""
		},
		want: statuses(ok, forbidden, ok, forbidden, toSignIn)},
	{method: "POST", route: "/staff/clinicians/:id/availability", location: "/staff/clinicians/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/clinicians/%d/availability", fx.clinA), hoursForm().Encode()
		},
		want: statuses(seeOther, forbidden, seeOther, forbidden, toSignIn)},
	{method: "POST", route: "/staff/clinicians/:id/availability/feed/rotate", location: "/staff/clinicians/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/clinicians/%d/availability/feed/rotate", fx.clinA), ""
		},
		want: statuses(seeOther, forbidden, seeOther, forbidden, toSignIn)},

	// The password page: every account changes its own password there. The
	// post is refused (the confirmation differs) so that the fixture's
	// passwords stay as they are; admin_pages_test.go changes one for real.
	{method: "GET", route: "/staff/password",
		request: func(*staffFixture, string) (string, string) { return "/staff/password", "" },
		want:    statuses(ok, ok, ok, ok, toSignIn)},
	{method: "POST", route: "/staff/password",
		request: func(*staffFixture, string) (string, string) {
			return "/staff/password", url.Values{"current_password": {staffPassword},
				"new_password": {"another long password"}, "confirm_password": {"a different one"}}.Encode()
		},
		want: statuses(unprocessable, unprocessable, unprocessable, unprocessable, toSignIn)},
	// The admin area (see admin_pages_test.go for the helpers): admins only.
	{method: "GET", route: "/staff/admin",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin", "" },
		want:    adminOnly(ok)},
	{method: "GET", route: "/staff/admin/accounts",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/accounts", "" },
		want:    adminOnly(ok)},
	{method: "GET", route: "/staff/admin/accounts/new",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/accounts/new", "" },
		want:    adminOnly(ok)},
	{method: "POST", route: "/staff/admin/accounts", location: "/staff/admin/accounts/",
		request: func(fx *staffFixture, _ string) (string, string) {
			fx.seq++
			return "/staff/admin/accounts", url.Values{"email": {fmt.Sprintf("invited%d@practice.example", fx.seq)}, "role": {"frontdesk"}}.Encode()
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/accounts/:id",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/accounts/%d", fx.accounts[asFrontdesk].ID), ""
		},
		want: adminOnly(ok)},
	{method: "GET", route: "/staff/admin/accounts/:id/password",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/accounts/%d/password", fx.accounts[asFrontdesk].ID), ""
		},
		want: adminOnly(ok)},
	{method: "POST", route: "/staff/admin/accounts/:id/role", location: "/staff/admin/accounts/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/accounts/%d/role", fx.freshAccount().ID),
				url.Values{"role": {"clinician"}, "clinician_id": {fmt.Sprint(fx.clinA)}}.Encode()
		},
		want: adminOnly(seeOther)},
	{method: "POST", route: "/staff/admin/accounts/:id/deactivate", location: "/staff/admin/accounts/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/accounts/%d/deactivate", fx.freshAccount().ID), ""
		},
		want: adminOnly(seeOther)},
	{method: "POST", route: "/staff/admin/accounts/:id/reactivate", location: "/staff/admin/accounts/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/accounts/%d/reactivate", fx.deactivatedAccount().ID), ""
		},
		want: adminOnly(seeOther)},
	{method: "POST", route: "/staff/admin/accounts/:id/reset-password", location: "/staff/admin/accounts/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/accounts/%d/reset-password", fx.freshAccount().ID), ""
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/clinicians",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/clinicians", "" },
		want:    adminOnly(ok)},
	{method: "GET", route: "/staff/admin/clinicians/new",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/clinicians/new", "" },
		want:    adminOnly(ok)},
	{method: "POST", route: "/staff/admin/clinicians", location: "/staff/admin/clinicians/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return "/staff/admin/clinicians", fx.clinicianForm().Encode()
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/clinicians/:id",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/clinicians/%d", fx.clinA), ""
		},
		want: adminOnly(ok)},
	{method: "POST", route: "/staff/admin/clinicians/:id", location: "/staff/admin/clinicians/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/clinicians/%d", fx.addClinician("Dr. Fresh Person")), fx.clinicianForm().Encode()
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/settings",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/settings", "" },
		want:    adminOnly(ok)},
	{method: "POST", route: "/staff/admin/settings", location: "/staff/admin/settings?saved=1",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/settings", settingsForm().Encode() },
		want:    adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/tokens",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/tokens", "" },
		want:    adminOnly(ok)},
	{method: "POST", route: "/staff/admin/tokens", location: "/staff/admin/tokens/",
		request: func(fx *staffFixture, _ string) (string, string) {
			return "/staff/admin/tokens", url.Values{"account_id": {fmt.Sprint(fx.accounts[asFrontdesk].ID)}, "label": {"Matrix"}}.Encode()
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/tokens/:id/secret",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/tokens/%d/secret", fx.freshToken()), ""
		},
		want: adminOnly(ok)},
	{method: "POST", route: "/staff/admin/tokens/:id/revoke", location: "/staff/admin/tokens?saved=revoked",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/tokens/%d/revoke", fx.freshToken()), ""
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/emails",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/emails", "" },
		want:    adminOnly(ok)},
	{method: "POST", route: "/staff/admin/emails/:id/retry", location: "/staff/admin/emails?saved=retry",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/staff/admin/emails/%d/retry", fx.failedEmail()), ""
		},
		want: adminOnly(seeOther)},
	{method: "GET", route: "/staff/admin/audit",
		request: func(*staffFixture, string) (string, string) { return "/staff/admin/audit?action=staff.signin", "" },
		want:    adminOnly(ok)},
	{method: "GET", route: "/api/v1/intakes",
		request: func(*staffFixture, string) (string, string) { return "/api/v1/intakes", "" },
		want:    statuses(ok, ok, ok, ok, needAuth)},
	{method: "GET", route: "/api/v1/intakes/:id",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/api/v1/intakes/%d", clinicianAIntake(fx)), ""
		},
		want: statuses(ok, ok, ok, forbidden, needAuth)},
	{method: "GET", route: "/api/v1/clinicians",
		request: func(*staffFixture, string) (string, string) { return "/api/v1/clinicians", "" },
		want:    statuses(ok, ok, ok, ok, needAuth)},
	{method: "POST", route: "/api/v1/clinicians",
		request: func(fx *staffFixture, role string) (string, string) {
			fx.seq++
			return "/api/v1/clinicians", fmt.Sprintf(`{"name":"New Clinician %d","email":"new%d@practice.example","offers":["individual"],"timezone":"America/Chicago"}`, fx.seq, fx.seq)
		},
		want: statuses(created, forbidden, forbidden, forbidden, needAuth)},
	{method: "GET", route: "/api/v1/clinicians/:id/availability",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/api/v1/clinicians/%d/availability", fx.clinA), ""
		},
		// Admin or that clinician, as for changing them (#7.22).
		want: statuses(ok, forbidden, ok, forbidden, needAuth)},
	{method: "PUT", route: "/api/v1/clinicians/:id/availability",
		request: func(fx *staffFixture, _ string) (string, string) {
			return fmt.Sprintf("/api/v1/clinicians/%d/availability", fx.clinA), availabilityJSON
		},
		want: statuses(ok, forbidden, ok, forbidden, needAuth)},
	// The practice's settings and policy: admins only.
	{method: "GET", route: "/api/v1/settings",
		request: func(*staffFixture, string) (string, string) { return "/api/v1/settings", "" },
		want:    statuses(ok, forbidden, forbidden, forbidden, needAuth)},
	{method: "PATCH", route: "/api/v1/settings",
		request: func(*staffFixture, string) (string, string) {
			return "/api/v1/settings", `{"waitlist_hold_minutes":45}`
		},
		want: statuses(ok, forbidden, forbidden, forbidden, needAuth)},
}

const availabilityJSON = `{"timezone":"America/New_York","slot_minutes":30,"buffer_minutes":10,"min_notice_hours":24,"horizon_days":60,` +
	`"weekly":[{"weekday":"monday","start":"09:00","end":"12:00"}],"exceptions":[]}`

func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	// Clinician A has consultation hours, so reading them answers 200.
	if res := fx.request(asAdmin, "PUT", fmt.Sprintf("/api/v1/clinicians/%d/availability", fx.clinA), availabilityJSON); res.StatusCode != ok {
		t.Fatalf("set availability: %d", res.StatusCode)
	}

	for _, c := range permCases {
		for _, role := range append(staffRoles, asAnonymous) {
			t.Run(c.method+" "+c.route+" as "+role, func(t *testing.T) {
				want, listed := c.want[role]
				if !listed {
					t.Fatalf("no expected status for %s", role)
				}
				path, body := c.request(fx, role)
				session := fx.sessions[role]
				switch {
				case c.noSession:
					session = ""
				case c.freshSession && role != asAnonymous:
					session = fx.signIn(role)
				}
				res := fx.requestWith(role, session, c.method, path, body)
				if res.StatusCode != want {
					t.Fatalf("status %d, want %d", res.StatusCode, want)
				}
				checkStaffHeaders(t, res, !strings.HasPrefix(path, "/api/"))
				loc := res.Header.Get("Location")
				switch {
				case res.StatusCode == forbidden && strings.HasPrefix(path, "/api/"):
					if e := decodeError(t, res); e.Code != "forbidden" {
						t.Errorf("403 code %q", e.Code)
					}
				case res.StatusCode == forbidden:
					if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
						t.Errorf("403 page Content-Type %q", ct)
					}
				case res.StatusCode == needAuth && strings.HasPrefix(path, "/api/"):
					if e := decodeError(t, res); e.Code != "unauthorized" {
						t.Errorf("401 code %q", e.Code)
					}
				case res.StatusCode == toSignIn && role == asAnonymous:
					if !strings.HasPrefix(loc, "/staff/signin") {
						t.Errorf("anonymous sent to %q, want the sign-in page", loc)
					}
				case res.StatusCode == seeOther && c.location != "":
					if !strings.HasPrefix(loc, c.location) {
						t.Errorf("redirect to %q, want %s…", loc, c.location)
					}
				}
			})
		}
	}
}

// checkStaffHeaders asserts what every staff response carries: never
// cached, no sniffing, no referrer; pages may not be framed.
func checkStaffHeaders(t *testing.T, res *http.Response, page bool) {
	t.Helper()
	h := res.Header
	if cc := h.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	csp := parseCSP(h.Get("Content-Security-Policy"))
	if fa := csp["frame-ancestors"]; page && (len(fa) != 1 || fa[0] != "'none'") {
		t.Errorf("frame-ancestors %v, want 'none'", fa)
	}
	if s := csp["script-src"]; len(s) != 1 || s[0] != "'self'" {
		t.Errorf("script-src %v", s)
	}
}

// TestPermissionMatrixIsComplete fails for a staff route that is not in
// permCases, so every new route gets its row in the matrix.
func TestPermissionMatrixIsComplete(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	listed := map[string]bool{}
	for _, c := range permCases {
		listed[c.method+" "+c.route] = true
	}
	param := regexp.MustCompile(`:[a-z_]+`)
	for _, r := range fx.a.Echo.Routes() {
		key := r.Method + " " + r.Path
		if r.Method == echo.RouteNotFound || listed[key] {
			continue
		}
		if strings.HasPrefix(r.Path, "/staff") {
			t.Errorf("%s is a staff page missing from permCases", key)
			continue
		}
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		// An API route that wants a token is a staff route.
		path := strings.ReplaceAll(param.ReplaceAllString(r.Path, "1"), "*", "x")
		res := fx.request(asAnonymous, r.Method, path, "")
		if res.StatusCode == http.StatusUnauthorized {
			t.Errorf("%s asks for a token but is missing from permCases", key)
		}
	}
}

// TestStaffFormsNeedTheSessionsOwnCSRFToken: the CSRF token of the staff
// pages is bound to the session (#7.22). A token from another session, or
// a cookie and form token an attacker planted together, is refused on
// every staff form a signed-in account may send.
func TestStaffFormsNeedTheSessionsOwnCSRFToken(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	other := fx.signIn(asFrontdesk)
	for _, c := range permCases {
		if c.method != http.MethodPost || !strings.HasPrefix(c.route, "/staff") || c.noSession {
			continue
		}
		t.Run(c.route, func(t *testing.T) {
			role := asAdmin
			if c.want[asAdmin] == forbidden {
				role = asClinician
			}
			session := fx.sessions[role]
			if c.freshSession {
				session = fx.signIn(role)
			}
			path, body := c.request(fx, role)
			for name, token := range map[string]string{
				"another session's token":  web.SessionCSRFToken(other),
				"a planted cookie's token": testCSRF,
			} {
				v, _ := url.ParseQuery(body)
				v.Set("_csrf", token)
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(&http.Cookie{Name: "_csrf", Value: testCSRF})
				req.AddCookie(&http.Cookie{Name: staff.SessionCookie, Value: session})
				rec := httptest.NewRecorder()
				fx.a.Echo.ServeHTTP(rec, req)
				if rec.Code != forbidden {
					t.Errorf("%s: status %d, want 403", name, rec.Code)
				}
			}
			// The session's own token goes through.
			if res := fx.requestWith(role, session, c.method, path, body); res.StatusCode == forbidden {
				t.Errorf("the session's own token: 403")
			}
		})
	}
}

// TestTokenRoutesAreNeverStored: every route whose path carries a client's
// secret answers Cache-Control: no-store, whatever the answer (#7.22).
func TestTokenRoutesAreNeverStored(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	n := 0
	for _, r := range fx.a.Echo.Routes() {
		if !strings.Contains(r.Path, ":token") || r.Method != http.MethodGet {
			continue
		}
		n++
		path := strings.ReplaceAll(r.Path, ":token", "not-a-real-token")
		res := fx.request(asAnonymous, r.Method, path, "")
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("GET %s: %d with Cache-Control %q, want no-store", r.Path, res.StatusCode, cc)
		}
	}
	if n < 5 {
		t.Errorf("only %d token routes found", n)
	}
}

// TestStaticDoesNotListFolders: /static/ serves files, never a listing.
func TestStaticDoesNotListFolders(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	for _, path := range []string{"/static/", "/static/.", "/static/./"} {
		if res := fx.request(asAnonymous, http.MethodGet, path, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
		}
	}
	if res := fx.request(asAnonymous, http.MethodGet, "/static/style.css", ""); res.StatusCode != http.StatusOK {
		t.Errorf("GET /static/style.css = %d", res.StatusCode)
	}
}
