package admin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/admin"
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

type fixture struct {
	db       *gorm.DB
	svc      *admin.Service
	booking  *booking.Service
	practice *practice.Service
	log      *audit.Log
	admin    admin.Actor
	desk     admin.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.New(t)
	now := func() time.Time { return time.Date(2026, 3, 7, 9, 0, 0, 0, time.UTC) }
	pr := practice.NewService(db, time.Now)
	b, err := booking.NewService(db, now, nil, pr, booking.Config{BaseURL: "http://practice.example", FromAddr: "practice@practice.example",
		LinkKey: []byte(strings.Repeat("k", 32))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, svc: admin.NewService(admin.Config{DB: db, Now: now, Staff: staff.NewService(db, now, b), Audit: audit.NewLog(db),
		Clinicians: b, Settings: pr, Emails: outbox.NewService(db, now, nil)}), booking: b, practice: pr,
		log:   audit.NewLog(db),
		admin: admin.Actor{Account: staff.Account{ID: 1, Email: "admin@practice.example", Role: staff.Admin, Active: true}, IP: "192.0.2.1"},
		desk:  admin.Actor{Account: staff.Account{ID: 2, Email: "desk@practice.example", Role: staff.Frontdesk, Active: true}, IP: "192.0.2.2"}}
}

func (f *fixture) entries(t *testing.T) []audit.Item {
	t.Helper()
	items, err := f.log.List(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

var input = booking.ClinicianInput{Name: "Dr. Quinn Hart", Email: "quinn@practice.example", Offers: []string{"couple"}, TimeZone: "America/Chicago"}

func TestOnlyAdminsChangeWhatAdminsChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.CreateClinician(ctx, f.admin, input)
	if err != nil {
		t.Fatal(err)
	}
	deactivated := f.admin
	deactivated.Account.Active = false
	for _, by := range []admin.Actor{f.desk, deactivated} {
		steps := map[string]error{}
		_, steps["create clinician"] = f.svc.CreateClinician(ctx, by, input)
		steps["update clinician"] = f.svc.UpdateClinician(ctx, by, c.ID, input, false)
		steps["save settings"] = f.svc.SaveSettings(ctx, by, practice.Defaults())
		steps["retry email"] = f.svc.RetryEmail(ctx, by, 1)
		for name, err := range steps {
			if apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("%s by %s (active %v): %v, want forbidden", name, by.Account.Role, by.Account.Active, err)
			}
		}
	}
	if list, _ := f.booking.Clinicians(ctx); len(list) != 1 || !list[0].Active {
		t.Errorf("clinicians after refusals: %+v", list)
	}
	if n := len(f.entries(t)); n != 1 {
		t.Errorf("%d audit entries, want the one creation", n)
	}
}

func TestClinicianChangesAreAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.svc.CreateClinician(ctx, f.admin, input)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*booking.ClinicianInput)
		active bool
		detail string // "" means no entry
	}{
		{"nothing", func(*booking.ClinicianInput) {}, true, ""},
		{"the email and the address", func(in *booking.ClinicianInput) {
			in.Email, in.Address = "quinn.hart@practice.example", "5 Oak Ave"
		}, true, "changed email, address"},
		{"only active", func(in *booking.ClinicianInput) {
			in.Email, in.Address = "quinn.hart@practice.example", "5 Oak Ave"
		}, false, "changed active"},
	}
	for _, tt := range tests {
		in := input
		tt.change(&in)
		before := len(f.entries(t))
		if err := f.svc.UpdateClinician(ctx, f.admin, c.ID, in, tt.active); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		got := f.entries(t)
		switch {
		case tt.detail == "" && len(got) != before:
			t.Errorf("%s: %d new entries, want none", tt.name, len(got)-before)
		case tt.detail != "" && (len(got) != before+1 || got[0].Detail != tt.detail || got[0].Action != audit.ClinicianUpdate):
			t.Errorf("%s: newest entry %+v, want detail %q", tt.name, got[0], tt.detail)
		}
	}
	if err := f.svc.UpdateClinician(ctx, f.admin, 99999, input, true); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown clinician: %v", err)
	}
	bad := input
	bad.Offers = nil
	if err := f.svc.UpdateClinician(ctx, f.admin, c.ID, bad, true); apperr.FieldsOf(err)["offers"] == "" {
		t.Errorf("no offers: %v", err)
	}
}

func TestSettingsChangesAreAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// Saving the defaults stores them, but changes nothing anyone sees.
	if err := f.svc.SaveSettings(ctx, f.admin, practice.Defaults()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.entries(t)); n != 0 {
		t.Errorf("saving the defaults wrote %d entries", n)
	}
	st := practice.Defaults()
	st.CrisisText = "Call 988 now."
	if err := f.svc.SaveSettings(ctx, f.admin, st); err != nil {
		t.Fatal(err)
	}
	got := f.entries(t)
	if len(got) != 1 || got[0].Detail != "changed crisis_text" || strings.Contains(got[0].Detail, "988") {
		t.Errorf("entries %+v", got)
	}
	st.Name = ""
	if err := f.svc.SaveSettings(ctx, f.admin, st); apperr.FieldsOf(err)["name"] == "" {
		t.Errorf("empty name: %v", err)
	}
	if n := len(f.entries(t)); n != 1 {
		t.Errorf("a refused save wrote an entry")
	}
}

func TestRetryOfAnUnknownEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := f.svc.RetryEmail(context.Background(), f.admin, 12345); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("retry = %v, want not found", err)
	}
	if n := len(f.entries(t)); n != 0 {
		t.Errorf("a refused retry wrote %d entries", n)
	}
}
