package practice

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/store/storetest"
)

// A practice saved before crisis lines existed: with the first releases'
// text it gets the US lines and today's text; with a text of its own, that
// text alone stands (no other country's numbers on its pages).
func TestCrisisResourcesOfOlderSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		wantList   []CrisisResource
		wantText   string
	}{
		{"first releases' default text", legacyCrisisText, DefaultCrisisResources(), DefaultCrisisText},
		{"own text", "In an emergency call 112.\nTelefonseelsorge: 0800 111 0 111.", nil, "In an emergency call 112.\nTelefonseelsorge: 0800 111 0 111."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := storetest.New(t)
			s := NewService(db, time.Now)
			// As the row stood before migration 0050 added its list.
			if err := db.Exec(`INSERT INTO practice_settings (id, name, timezone, crisis_text, updated_at) VALUES (1, 'P', 'UTC', ?, ?)`,
				c.text, time.Now().UTC()).Error; err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.CrisisResources, c.wantList) || got.CrisisText != c.wantText {
				t.Errorf("got %+v / %q, want %+v / %q", got.CrisisResources, got.CrisisText, c.wantList, c.wantText)
			}
		})
	}
}

func TestCrisisResourcesSaveAndValidate(t *testing.T) {
	t.Parallel()
	db := storetest.New(t)
	s := NewService(db, time.Now)
	in := Defaults()
	in.CrisisResources = []CrisisResource{{Label: " Lifeline ", Phone: " 13 11 14 ", Banner: true}}
	if err := s.Save(db, in); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(context.Background())
	if want := []CrisisResource{{Label: "Lifeline", Phone: "13 11 14", Banner: true}}; !reflect.DeepEqual(got.CrisisResources, want) {
		t.Errorf("saved %+v, want %+v", got.CrisisResources, want)
	}
	if line := got.CrisisCallLine(); line != "call 13 11 14" {
		t.Errorf("email line %q", line)
	}
	// None at all: the practice's text alone stands, and stays so.
	in.CrisisResources = nil
	if err := s.Save(db, in); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(context.Background()); got.CrisisResources != nil || got.CrisisText != DefaultCrisisText {
		t.Errorf("after removing every line: %+v", got.CrisisResources)
	}

	bad := []struct {
		name  string
		r     CrisisResource
		field string
	}{
		{"no name", CrisisResource{Phone: "988"}, "crisis_label_0"},
		{"nothing to reach", CrisisResource{Label: "X"}, "crisis_phone_0"},
		{"letters for a number", CrisisResource{Label: "X", Phone: "call me"}, "crisis_phone_0"},
		{"script address", CrisisResource{Label: "X", URL: "javascript:alert(1)"}, "crisis_url_0"},
		{"word without a number", CrisisResource{Label: "X", Phone: "1", SMSBody: "START"}, "crisis_sms_body_0"},
		{"unknown audience", CrisisResource{Label: "X", Phone: "12", Audience: "everyone-else"}, "crisis_audience_0"},
		{"two-line note", CrisisResource{Label: "X", Phone: "12", Note: "a\nb"}, "crisis_note_0"},
	}
	for _, c := range bad {
		st := Defaults()
		st.CrisisResources = []CrisisResource{c.r}
		if msg := apperr.FieldsOf(st.Validate())[c.field]; msg == "" {
			t.Errorf("%s: no message for %s", c.name, c.field)
		}
	}
	if err := Defaults().Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
}

func TestCrisisCallLineOfDefaults(t *testing.T) {
	t.Parallel()
	if got := Defaults().CrisisCallLine(); got != "call or text 988, or call 911" {
		t.Errorf("email line %q", got)
	}
	if got := Dial("+1 (800) 662-4357"); got != "+18006624357" {
		t.Errorf("Dial = %q", got)
	}
}
