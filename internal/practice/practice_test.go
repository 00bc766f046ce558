package practice

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/store/storetest"
)

func TestSettingsDefaultsThenSave(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	saved := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	s := NewService(db, func() time.Time { return saved })
	ctx := context.Background()
	got, err := s.Get(ctx)
	if err != nil || got.Name != Defaults().Name || got.CrisisText == "" {
		t.Fatalf("defaults = %+v, %v", got, err)
	}
	in := Defaults()
	in.Name = "Riverbend Therapy"
	in.CrisisText = "Call 988."
	if err := s.Save(db, in); err != nil {
		t.Fatal(err)
	}
	in.Address = "1 Main St"
	if err := s.Save(db, in); err != nil { // a second save updates the one row
		t.Fatal(err)
	}
	got, _ = s.Get(ctx)
	if got.Name != "Riverbend Therapy" || got.CrisisText != "Call 988." || got.Address != "1 Main St" {
		t.Fatalf("after save = %+v", got)
	}
	var r row
	if err := db.First(&r, 1).Error; err != nil || !r.UpdatedAt.Equal(saved) {
		t.Errorf("updated_at = %v (%v), want the service's clock %v", r.UpdatedAt, err, saved)
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(*Settings)
		field string
	}{
		{"no name", func(s *Settings) { s.Name = " " }, "name"},
		{"bad zone", func(s *Settings) { s.TimeZone = "Mars/Base" }, "timezone"},
		{"no crisis text", func(s *Settings) { s.CrisisText = "" }, "crisis_text"},
		{"plain http video", func(s *Settings) { s.VideoLink = "http://x" }, "video_link"},
		{"header injection in sender", func(s *Settings) { s.SenderName = "a\r\nBcc: x" }, "sender_name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := Defaults()
			c.edit(&s)
			if msg := apperr.FieldsOf(s.Validate())[c.field]; msg == "" {
				t.Errorf("no message for %s", c.field)
			}
		})
	}
}

// Unsaved settings have no sender name, and their placeholder practice name
// never replaces the name the operator configured for emails.
func TestEmailNamesKeepTheOperatorsUntilAnAdminChooses(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := NewService(db, time.Now)
	ctx := context.Background()
	unsaved, err := s.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if unsaved.SenderName != "" || unsaved.Saved {
		t.Fatalf("defaults: sender name %q, saved %v; want none, false", unsaved.SenderName, unsaved.Saved)
	}
	// What the admin form posts back when the admin only changes the name.
	named := unsaved
	named.Name = "Riverbend Therapy"
	if err := s.Save(db, named); err != nil {
		t.Fatal(err)
	}
	named, _ = s.GetTx(db)
	chosen := named
	chosen.SenderName = "Riverbend Front Desk"

	cases := []struct {
		name               string
		settings           Settings
		operator           string
		wantSender, wantIn string
	}{
		{"unsaved: the operator's name", unsaved, "Northside Counselling", "Northside Counselling", "Northside Counselling"},
		{"unsaved, operator gave no name", unsaved, "", "", "Firststep Practice"},
		{"saved name, no sender name", named, "Northside Counselling", "Northside Counselling", "Riverbend Therapy"},
		{"saved name, operator gave no name", named, "", "Riverbend Therapy", "Riverbend Therapy"},
		{"sender name chosen", chosen, "Northside Counselling", "Riverbend Front Desk", "Riverbend Therapy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.settings.EmailSender(c.operator); got != c.wantSender {
				t.Errorf("EmailSender = %q, want %q", got, c.wantSender)
			}
			if got := c.settings.EmailName(c.operator); got != c.wantIn {
				t.Errorf("EmailName = %q, want %q", got, c.wantIn)
			}
		})
	}
	if !named.Saved {
		t.Error("settings read back after a save are not marked saved")
	}
}

func TestReminderLeads(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   []string
		want []string // nil: refused
	}{
		{"defaults", []string{"24h", "2h"}, []string{"24h", "2h"}},
		{"sorted longest first", []string{"30m", "48h", "1h30m"}, []string{"48h", "1h30m", "30m"}},
		{"none", []string{}, []string{}},
		{"thirty days", []string{"720h"}, []string{"720h"}},
		{"over thirty days", []string{"720h1s"}, nil},
		{"zero", []string{"0h"}, nil},
		{"negative", []string{"-1h"}, nil},
		{"twice, spelled apart", []string{"1h", "60m"}, nil},
		{"not a duration", []string{"tomorrow"}, nil},
		{"a bare number", []string{"24"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ParseReminderLeads(c.in)
			if c.want == nil {
				if ok {
					t.Fatalf("%q accepted as %v", c.in, got)
				}
				return
			}
			if !ok || !reflect.DeepEqual(FormatLeads(got), c.want) {
				t.Fatalf("%q = %v (%v), want %q", c.in, FormatLeads(got), ok, c.want)
			}
		})
	}
}
