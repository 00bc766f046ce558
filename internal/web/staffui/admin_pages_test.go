package staffui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/staff"
	"github.com/labstack/echo/v4"
)

func TestAdminParseAuditQuery(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	lookup := func(_ context.Context, email string) (int64, error) {
		if email == "desk@practice.example" {
			return 7, nil
		}
		return 0, apperr.New(apperr.NotFound, "account_not_found", "No account has that email.")
	}
	tests := []struct {
		name    string
		q       AdminAuditQuery
		want    audit.Filter
		errs    []string
		nothing bool
	}{
		{name: "empty", q: AdminAuditQuery{}, want: audit.Filter{}},
		{name: "plain fields", q: AdminAuditQuery{Action: "intake.view", RecordType: "intake", RecordID: "12"},
			want: audit.Filter{Action: "intake.view", RecordType: "intake", RecordID: "12"}},
		{name: "actor by number", q: AdminAuditQuery{Actor: "42"}, want: audit.Filter{ActorID: 42}},
		{name: "actor by email", q: AdminAuditQuery{Actor: "desk@practice.example"}, want: audit.Filter{ActorID: 7}},
		{name: "unknown email matches nothing", q: AdminAuditQuery{Actor: "ghost@practice.example"}, errs: []string{"actor"}, nothing: true},
		{name: "actor neither", q: AdminAuditQuery{Actor: "desk"}, errs: []string{"actor"}},
		{name: "zero actor", q: AdminAuditQuery{Actor: "0"}, errs: []string{"actor"}},
		{name: "days in the practice's zone, to inclusive", q: AdminAuditQuery{From: "2026-03-07", To: "2026-03-08"},
			want: audit.Filter{From: time.Date(2026, 3, 7, 0, 0, 0, 0, ny), To: time.Date(2026, 3, 9, 0, 0, 0, 0, ny)}},
		{name: "bad dates", q: AdminAuditQuery{From: "yesterday", To: "03/08/2026"}, errs: []string{"from", "to"}},
		{name: "end before start", q: AdminAuditQuery{From: "2026-03-08", To: "2026-03-07"},
			want: audit.Filter{From: time.Date(2026, 3, 8, 0, 0, 0, 0, ny)}, errs: []string{"to"}},
		{name: "paging", q: AdminAuditQuery{Before: "90"}, want: audit.Filter{BeforeID: 90}},
		{name: "bad page", q: AdminAuditQuery{Before: "-3"}, errs: []string{"before"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, errs, nothing, err := ParseAdminAuditQuery(context.Background(), tt.q, ny, lookup)
			if err != nil {
				t.Fatal(err)
			}
			if !f.From.Equal(tt.want.From) || !f.To.Equal(tt.want.To) {
				t.Errorf("range [%v, %v), want [%v, %v)", f.From, f.To, tt.want.From, tt.want.To)
			}
			f.From, f.To, tt.want.From, tt.want.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if f != tt.want {
				t.Errorf("filter %+v, want %+v", f, tt.want)
			}
			var fields []string
			for k := range errs {
				fields = append(fields, k)
			}
			slices.Sort(fields)
			if !slices.Equal(fields, tt.errs) {
				t.Errorf("errors on %v, want %v", fields, tt.errs)
			}
			if nothing != tt.nothing {
				t.Errorf("matches nothing = %v", nothing)
			}
		})
	}
}

func TestAdminAuditQueryLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		q      AdminAuditQuery
		before int64
		want   string
	}{
		{"nothing", AdminAuditQuery{}, 0, "/staff/admin/audit"},
		{"older page", AdminAuditQuery{}, 51, "/staff/admin/audit?before=51"},
		{"keeps the filter, drops the old page", AdminAuditQuery{Action: "staff.signin", Actor: "a@b.example", Before: "99"}, 40,
			"/staff/admin/audit?action=staff.signin&actor=a%40b.example&before=40"},
	}
	for _, tt := range tests {
		if got := tt.q.Link(tt.before); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestAdminSealer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	key := []byte(strings.Repeat("k", 32))
	s := adminNewSealer(key, true, clock)
	v := s.seal("account 5 password, by 1", "abcde-fghjk")
	if strings.Contains(v, "abcde") {
		t.Fatal("the sealed value shows the secret")
	}
	if got, ok := s.open("account 5 password, by 1", v); !ok || got != "abcde-fghjk" {
		t.Errorf("open = %q, %v", got, ok)
	}
	if _, ok := s.open("account 5 password, by 2", v); ok {
		t.Error("another admin opened it")
	}
	if _, ok := s.open("account 6 password, by 1", v); ok {
		t.Error("opened for another account")
	}
	if _, ok := adminNewSealer([]byte(strings.Repeat("o", 32)), true, clock).open("account 5 password, by 1", v); ok {
		t.Error("opened with another server key")
	}
	tampered := []byte(v)
	tampered[len(tampered)-2] ^= 1
	if _, ok := s.open("account 5 password, by 1", string(tampered)); ok {
		t.Error("opened a tampered value")
	}
	for _, junk := range []string{"", "!!!", "AAAA"} {
		if _, ok := s.open("account 5 password, by 1", junk); ok {
			t.Errorf("opened %q", junk)
		}
	}
	late := adminNewSealer(key, true, func() time.Time { return now.Add(adminRevealFor) })
	if _, ok := late.open("account 5 password, by 1", v); ok {
		t.Error("opened after it expired")
	}
}

func TestAdminRevealIsTakenOnce(t *testing.T) {
	t.Parallel()
	s := adminNewSealer([]byte(strings.Repeat("k", 32)), false, time.Now)
	e := echo.New()
	rec := httptest.NewRecorder()
	s.put(e.NewContext(httptest.NewRequest("POST", "/staff/admin/tokens", nil), rec), "p", "fs_secret")
	set := rec.Result().Cookies()
	if len(set) != 1 || set[0].Secure || !set[0].HttpOnly || set[0].SameSite != http.SameSiteStrictMode || set[0].Path != adminRevealPath {
		t.Fatalf("cookie %+v", set)
	}
	req := httptest.NewRequest("GET", "/staff/admin/tokens/1/secret", nil)
	req.AddCookie(set[0])
	rec = httptest.NewRecorder()
	if got, ok := s.take(e.NewContext(req, rec), "p"); !ok || got != "fs_secret" {
		t.Errorf("take = %q, %v", got, ok)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("taking does not clear the cookie: %+v", c)
	}
	rec = httptest.NewRecorder()
	if _, ok := s.take(e.NewContext(httptest.NewRequest("GET", "/", nil), rec), "p"); ok {
		t.Error("took a secret without a cookie")
	}
}

func TestAdminSectionsFor(t *testing.T) {
	t.Parallel()
	admin := staff.Account{Role: staff.Admin, Active: true}
	if got := adminSectionsFor(admin); len(got) != len(adminSections) {
		t.Errorf("admin sees %d sections", len(got))
	}
	for _, acc := range []staff.Account{{Role: staff.Frontdesk, Active: true}, {Role: staff.Clinician, Active: true}, {Role: staff.Admin}} {
		if got := adminSectionsFor(acc); len(got) != 0 {
			t.Errorf("%s (active %v) sees %d sections", acc.Role, acc.Active, len(got))
		}
	}
}

func TestAdminRecordHref(t *testing.T) {
	t.Parallel()
	tests := []struct{ typ, id, want string }{
		{audit.TypeIntake, "4", "/staff/intakes/4"},
		{audit.TypeAccount, "2", "/staff/admin/accounts/2"},
		{audit.TypeClinician, "9", "/staff/admin/clinicians/9"},
		{audit.TypeToken, "3", ""},
		{audit.TypeIntake, "4/../../x", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := adminRecordHref(tt.typ, tt.id); got != tt.want {
			t.Errorf("recordHref(%q, %q) = %q, want %q", tt.typ, tt.id, got, tt.want)
		}
	}
}
