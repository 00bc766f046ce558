package intake

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/store/storetest"
)

// newClock moves one minute forward on every reading, so that each stored
// intake has its own creation time.
func newClock() *clocktest.Clock {
	return clocktest.Ticking(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC), time.Minute)
}

// validCouple is a complete, valid couple intake; cases change one thing.
func validCouple() Input {
	return Input{
		Kind: "couple", Name: "Sam Rivera", Email: "sam@example.org", Phone: "+1 (555) 010-2000", Pronouns: "they/them",
		ContactPreference: "either", VoicemailOK: true,
		PartnerName: "Alex Rivera", PartnerEmail: "alex@example.org", PartnerPronouns: "he/him", PartnerAware: "yes",
		Concerns: []string{"substance_use", "relationship_conflict", "other"}, ConcernsOther: "Trust after relapse",
		Message: "We want to rebuild trust.\nAlex is six months sober.", Approaches: []string{"rlt", "eft"},
		SessionFormat: "video", ReferralSource: "A friend", TimeZone: "America/Chicago", Consent: true,
	}
}

func validIndividual() Input {
	return Input{Kind: "individual", Name: "Jo", Email: "jo@example.org", Consent: true}
}

func TestSubmitStoresEveryField(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	clk := newClock()
	svc := newTestService(db, clk.Now)

	in := validCouple()
	receipt, err := svc.Submit(ctx, in)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if receipt.ID == 0 || receipt.Token == "" {
		t.Fatalf("receipt = %+v, want an id and a token", receipt)
	}
	if receipt.Urgent {
		t.Errorf("receipt.Urgent = true without a safety concern")
	}

	got, err := svc.ByToken(ctx, receipt.Token)
	if err != nil {
		t.Fatalf("ByToken: %v", err)
	}
	created := time.Date(2026, 3, 2, 15, 1, 0, 0, time.UTC)
	want := Intake{
		ID: receipt.ID, Kind: Couple, Name: in.Name, Email: in.Email, Phone: in.Phone, Pronouns: in.Pronouns,
		ContactPreference: "either", VoicemailOK: true,
		PartnerName: in.PartnerName, PartnerEmail: in.PartnerEmail, PartnerPronouns: in.PartnerPronouns, PartnerAware: "yes",
		Concerns: in.Concerns, ConcernsOther: in.ConcernsOther, Message: in.Message, Approaches: in.Approaches,
		SessionFormat: "video", ReferralSource: "A friend", TimeZone: "America/Chicago",
		Status: StatusNew, CreatedAt: created, UpdatedAt: created,
	}
	if !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(created) {
		t.Errorf("times = %v / %v, want %v", got.CreatedAt, got.UpdatedAt, created)
	}
	got.CreatedAt, got.UpdatedAt = created, created
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored intake differs\n got: %+v\nwant: %+v", got, want)
	}

	byID, err := svc.Get(ctx, receipt.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if byID.ID != receipt.ID || byID.Email != in.Email {
		t.Errorf("Get(%d) = %+v", receipt.ID, byID)
	}

	// Consent is recorded, and only a hash of the token is kept.
	var r row
	if err := db.First(&r, receipt.ID).Error; err != nil {
		t.Fatalf("load row: %v", err)
	}
	if !r.Consent {
		t.Errorf("consent not stored")
	}
	if r.TokenHash == receipt.Token || r.TokenHash != secret.Hash(receipt.Token) {
		t.Errorf("token_hash = %q, want the hash of the token, not the token", r.TokenHash)
	}
}

func TestByTokenNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newTestService(storetest.New(t), newClock().Now)
	receipt, err := svc.Submit(ctx, validIndividual())
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	for name, token := range map[string]string{
		"wrong token":       receipt.Token + "x",
		"empty token":       "",
		"the token's hash":  secret.Hash(receipt.Token),
		"other valid shape": strings.Repeat("A", len(receipt.Token)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.ByToken(ctx, token)
			if apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("ByToken(%q) error = %v, want not found", token, err)
			}
		})
	}
	if _, err := svc.Get(ctx, receipt.ID+1000); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Get(unknown id) error = %v, want not found", err)
	}
}

func TestSubmitSafetyConcernIsUrgent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newTestService(storetest.New(t), newClock().Now)
	in := validIndividual()
	in.SafetyConcern = true
	receipt, err := svc.Submit(ctx, in)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if !receipt.Urgent {
		t.Errorf("receipt.Urgent = false for a safety concern")
	}
	got, err := svc.ByToken(ctx, receipt.Token)
	if err != nil {
		t.Fatalf("ByToken: %v", err)
	}
	if !got.Urgent || !got.SafetyConcern {
		t.Errorf("stored Urgent=%v SafetyConcern=%v, want both true", got.Urgent, got.SafetyConcern)
	}
}

func TestSubmitValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	svc := newTestService(db, newClock().Now)

	tests := []struct {
		name   string
		base   func() Input
		change func(*Input)
		field  string
		msg    string
	}{
		{"unknown kind", validIndividual, func(in *Input) { in.Kind = "family" }, "kind",
			"Choose whether this consultation is for you or for you as a couple."},
		{"missing name", validIndividual, func(in *Input) { in.Name = "   " }, "name",
			"Enter your name. A first name is fine."},
		{"name too long", validIndividual, func(in *Input) { in.Name = strings.Repeat("n", 201) }, "name",
			"Your name can be at most 200 characters."},
		{"missing email", validIndividual, func(in *Input) { in.Email = "" }, "email",
			"Enter your email address so we can reply to you."},
		{"email without domain", validIndividual, func(in *Input) { in.Email = "sam@" }, "email",
			"Enter an email address like name@example.com."},
		{"email without dot in domain", validIndividual, func(in *Input) { in.Email = "sam@example" }, "email",
			"Enter an email address like name@example.com."},
		{"email with display name", validIndividual, func(in *Input) { in.Email = "Sam <sam@example.org>" }, "email",
			"Enter an email address like name@example.com."},
		{"email too long", validIndividual, func(in *Input) { in.Email = strings.Repeat("a", 250) + "@example.org" }, "email",
			"That email address is too long."},
		{"pronouns too long", validIndividual, func(in *Input) { in.Pronouns = strings.Repeat("p", 51) }, "pronouns",
			"Pronouns can be at most 50 characters."},
		{"unknown contact preference", validIndividual, func(in *Input) { in.ContactPreference = "pigeon" }, "contact_preference",
			"Choose how you would like us to contact you."},
		{"phone preference without phone", validIndividual, func(in *Input) { in.ContactPreference = "phone" }, "phone",
			"Enter a phone number, or choose email as the way to reach you."},
		{"either preference without phone", validIndividual, func(in *Input) { in.ContactPreference = "either" }, "phone",
			"Enter a phone number, or choose email as the way to reach you."},
		{"phone with letters", validIndividual, func(in *Input) { in.Phone = "call me maybe" }, "phone",
			"Enter a phone number using digits and, if you like, spaces, +, -, ( and )."},
		{"phone too short", validIndividual, func(in *Input) { in.Phone = "12345" }, "phone",
			"Enter a phone number using digits and, if you like, spaces, +, -, ( and )."},
		{"couple without partner name", validCouple, func(in *Input) { in.PartnerName = "" }, "partner_name",
			"Enter your partner's name. A first name is fine."},
		{"partner name too long", validCouple, func(in *Input) { in.PartnerName = strings.Repeat("n", 201) }, "partner_name",
			"Your partner's name can be at most 200 characters."},
		{"partner email equal to own", validCouple, func(in *Input) { in.PartnerEmail = "SAM@example.org " }, "partner_email",
			"Enter your partner's own email address, or leave it empty."},
		{"bad partner email", validCouple, func(in *Input) { in.PartnerEmail = "alex" }, "partner_email",
			"Enter an email address like name@example.com."},
		{"partner pronouns too long", validCouple, func(in *Input) { in.PartnerPronouns = strings.Repeat("p", 51) }, "partner_pronouns",
			"Pronouns can be at most 50 characters."},
		{"unknown partner awareness", validCouple, func(in *Input) { in.PartnerAware = "maybe" }, "partner_aware",
			"Choose one of the answers about your partner."},
		{"unknown concern", validIndividual, func(in *Input) { in.Concerns = []string{"trauma", "astrology"} }, "concerns",
			`Choose from the listed concerns; use "Something else" to tell us more.`},
		{"other concern too long", validIndividual, func(in *Input) { in.ConcernsOther = strings.Repeat("o", 501) }, "concerns_other",
			"Please keep this to 500 characters."},
		{"message over 5000 characters", validIndividual, func(in *Input) { in.Message = strings.Repeat("é", 5001) }, "message",
			"Please keep this to 5000 characters (it is 5001 now). You can tell us more in the consultation."},
		{"unknown approach", validIndividual, func(in *Input) { in.Approaches = []string{"hypnosis"} }, "approaches",
			"Choose from the listed approaches."},
		{"unknown session format", validIndividual, func(in *Input) { in.SessionFormat = "phone" }, "session_format",
			"Choose video, in person, or either."},
		{"referral source too long", validIndividual, func(in *Input) { in.ReferralSource = strings.Repeat("r", 501) }, "referral_source",
			"Please keep this to 500 characters."},
		{"unknown time zone", validIndividual, func(in *Input) { in.TimeZone = "Mars/Olympus_Mons" }, "timezone",
			"Choose your time zone from the list."},
		{"server's local time zone", validIndividual, func(in *Input) { in.TimeZone = "Local" }, "timezone",
			"Choose your time zone from the list."},
		{"time zone path", validIndividual, func(in *Input) { in.TimeZone = "../../etc/passwd" }, "timezone",
			"Choose your time zone from the list."},
		{"no consent", validIndividual, func(in *Input) { in.Consent = false }, "consent",
			"Please agree to the privacy notice and to being contacted by email, so we can reply to you."},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				in := tt.base()
				tt.change(&in)
				_, err := svc.Submit(ctx, in)
				ae := apperr.As(err)
				if ae == nil || ae.Kind != apperr.Invalid {
					t.Fatalf("Submit error = %v, want an invalid-input error", err)
				}
				want := map[string]string{tt.field: tt.msg}
				if !reflect.DeepEqual(ae.Fields, want) {
					t.Errorf("fields = %q\nwant     %q", ae.Fields, want)
				}
			})
		}
	})
	t.Run("every problem at once", func(t *testing.T) {
		_, err := svc.Submit(ctx, Input{Kind: "couple", Email: "nope", ContactPreference: "phone"})
		fields := apperr.FieldsOf(err)
		for _, f := range []string{"name", "email", "phone", "partner_name", "consent"} {
			if fields[f] == "" {
				t.Errorf("no message for %s in %q", f, fields)
			}
		}
	})
	list, err := svc.List(ctx, Filter{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != 0 {
		t.Errorf("%d intakes stored from invalid input, want 0", len(list))
	}
}

func TestSubmitAcceptsOptionalAnswersLeftOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newTestService(storetest.New(t), newClock().Now)
	tests := []struct {
		name string
		in   Input
	}{
		{"individual minimum", validIndividual()},
		{"couple without partner email", func() Input { in := validCouple(); in.PartnerEmail = ""; return in }()},
		{"localhost email", Input{Kind: "individual", Name: "Dev", Email: "dev@localhost", Consent: true}},
		{"individual with own email as stray partner email", func() Input {
			in := validIndividual()
			in.PartnerEmail = in.Email
			return in
		}()},
		{"message of exactly 5000 characters", func() Input {
			in := validIndividual()
			in.Message = strings.Repeat("ü", 5000)
			return in
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.Submit(ctx, tt.in); err != nil {
				t.Errorf("Submit: %v", err)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Input
		want Input
	}{
		{
			name: "trims and lower-cases emails",
			in:   Input{Kind: " Couple ", Name: "  Sam  ", Email: " Sam@Example.ORG ", PartnerName: "\tAlex\n", PartnerEmail: "ALEX@example.org", Phone: " 555 0100 ", TimeZone: " UTC "},
			want: Input{Kind: "couple", Name: "Sam", Email: "sam@example.org", PartnerName: "Alex", PartnerEmail: "alex@example.org", Phone: "555 0100", TimeZone: "UTC", ContactPreference: "email"},
		},
		{
			name: "clears partner fields for an individual",
			in:   Input{Kind: "individual", Name: "Jo", PartnerName: "Alex", PartnerEmail: "a@example.org", PartnerPronouns: "he", PartnerAware: "yes"},
			want: Input{Kind: "individual", Name: "Jo", ContactPreference: "email"},
		},
		{
			name: "keeps partner fields for a couple",
			in:   Input{Kind: "couple", PartnerName: "Alex", PartnerEmail: "a@example.org", PartnerPronouns: "he", PartnerAware: "not_yet"},
			want: Input{Kind: "couple", PartnerName: "Alex", PartnerEmail: "a@example.org", PartnerPronouns: "he", PartnerAware: "not_yet", ContactPreference: "email"},
		},
		{
			name: "drops control characters and invalid UTF-8",
			in:   Input{Name: "Sa\x00m\x07 \x1bRi\u0085vera\xff", ReferralSource: "a\tb\nc", ConcernsOther: "x\u200by"},
			want: Input{Name: "Sam Rivera", ReferralSource: "a b c", ConcernsOther: "x\u200by", Concerns: []string{"other"}, ContactPreference: "email"},
		},
		{
			name: "message keeps new lines and tabs, turns CRLF into LF",
			in:   Input{Message: "  Hello\r\n\tthere\x00\rfriend\n\n  "},
			want: Input{Message: "Hello\n\ttherefriend", ContactPreference: "email"},
		},
		{
			name: "lists lose duplicates, blanks and control characters",
			in:   Input{Concerns: []string{" trauma", "trauma", "", "grief\x00"}, Approaches: []string{"rlt", "rlt "}},
			want: Input{Concerns: []string{"trauma", "grief"}, Approaches: []string{"rlt"}, ContactPreference: "email"},
		},
		{
			name: "text under something else adds the other concern",
			in:   Input{ConcernsOther: "Work stress", Concerns: []string{"grief"}},
			want: Input{ConcernsOther: "Work stress", Concerns: []string{"grief", "other"}, ContactPreference: "email"},
		},
		{
			name: "keeps a chosen contact preference",
			in:   Input{ContactPreference: " phone "},
			want: Input{ContactPreference: "phone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.in
			got.Normalize()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize\n got: %#v\nwant: %#v", got, tt.want)
			}
			again := got
			again.Concerns = append([]string(nil), got.Concerns...)
			again.Normalize()
			if !reflect.DeepEqual(again, got) {
				t.Errorf("Normalize is not idempotent\nonce:  %#v\ntwice: %#v", got, again)
			}
		})
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	svc := newTestService(db, newClock().Now)

	// Submitted in this order, one minute apart.
	type sub struct {
		name   string
		kind   string
		urgent bool
	}
	subs := []sub{
		{"oldest individual", "individual", false},
		{"old urgent couple", "couple", true},
		{"middle couple", "couple", false},
		{"newer urgent individual", "individual", true},
		{"newest individual", "individual", false},
	}
	ids := map[string]int64{}
	for _, s := range subs {
		in := validIndividual()
		if s.kind == "couple" {
			in = validCouple()
		}
		in.Name, in.SafetyConcern = s.name, s.urgent
		r, err := svc.Submit(ctx, in)
		if err != nil {
			t.Fatalf("Submit %s: %v", s.name, err)
		}
		ids[s.name] = r.ID
	}
	// The front desk has started on one; the review workflow owns status
	// changes, so the test sets it directly.
	if err := db.Exec("UPDATE intakes SET status = ? WHERE id = ?", string(StatusInReview), ids["middle couple"]).Error; err != nil {
		t.Fatalf("set status: %v", err)
	}
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

	tests := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"everything: urgent first, then newest", Filter{},
			[]string{"newer urgent individual", "old urgent couple", "newest individual", "middle couple", "oldest individual"}},
		{"new only", Filter{Status: StatusNew},
			[]string{"newer urgent individual", "old urgent couple", "newest individual", "oldest individual"}},
		{"in review only", Filter{Status: StatusInReview}, []string{"middle couple"}},
		{"couples only", Filter{Kind: Couple}, []string{"old urgent couple", "middle couple"}},
		{"new individuals", Filter{Status: StatusNew, Kind: Individual},
			[]string{"newer urgent individual", "newest individual", "oldest individual"}},
		{"closed: none", Filter{Status: StatusClosed}, nil},
		{"created in a window", Filter{From: t0.Add(2 * time.Minute), To: t0.Add(4 * time.Minute)},
			[]string{"old urgent couple", "middle couple"}},
		{"limit", Filter{Limit: 2}, []string{"newer urgent individual", "old urgent couple"}},
		{"assigned to a clinician: none yet", Filter{ClinicianID: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, err := svc.List(ctx, tt.filter)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			var got []string
			for _, in := range list {
				got = append(got, in.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("List(%+v)\n got: %q\nwant: %q", tt.filter, got, tt.want)
			}
		})
	}
}
