package intake

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store/storetest"
)

// testKey stands in for the server key.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// adminAccount may read every intake; the audit log needs no stored account.
func adminAccount() staff.Account {
	return staff.Account{ID: 1, Email: "admin@example.org", Role: staff.Admin, Active: true}
}

func validPartner() PartnerInput {
	return PartnerInput{Name: "Alex Rivera", Pronouns: "he/him", Email: "alex@example.org", Phone: "555 010 3000",
		ContactPreference: "phone", VoicemailOK: false, Concerns: []string{"substance_use"}, ConcernsOther: "",
		Hopes: "To feel heard.", Approaches: []string{"rlt"}, Consent: true}
}

func TestPartnerInputValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*PartnerInput)
		field  string // "" for valid
		msg    string
	}{
		{"complete", func(*PartnerInput) {}, "", ""},
		{"only name and consent", func(in *PartnerInput) { *in = PartnerInput{Name: "Alex", Consent: true} }, "", ""},
		{"no email is fine", func(in *PartnerInput) { in.Email = "" }, "", ""},
		{"name missing", func(in *PartnerInput) { in.Name = "  " }, "name", "Enter your name. A first name is fine."},
		{"name too long", func(in *PartnerInput) { in.Name = strings.Repeat("a", maxName+1) }, "name", "Your name can be at most 200 characters."},
		{"bad email", func(in *PartnerInput) { in.Email = "alex@" }, "email", "Enter an email address like name@example.com."},
		{"pronouns too long", func(in *PartnerInput) { in.Pronouns = strings.Repeat("x", maxPronouns+1) }, "pronouns", "Pronouns can be at most 50 characters."},
		{"unknown contact preference", func(in *PartnerInput) { in.ContactPreference = "pigeon" }, "contact_preference", "Choose how you would like us to contact you."},
		{"phone wanted but missing", func(in *PartnerInput) { in.Phone = "" }, "phone", "Enter a phone number, or choose email as the way to reach you."},
		{"phone not a number", func(in *PartnerInput) { in.Phone = "call me" }, "phone", "Enter a phone number using digits and, if you like, spaces, +, -, ( and )."},
		{"unknown concern", func(in *PartnerInput) { in.Concerns = []string{"astrology"} }, "concerns", "Choose from the listed concerns; use \"Something else\" to tell us more."},
		{"other too long", func(in *PartnerInput) { in.ConcernsOther = strings.Repeat("x", maxShort+1) }, "concerns_other", "Please keep this to 500 characters."},
		{"hopes too long", func(in *PartnerInput) { in.Hopes = strings.Repeat("x", maxMessage+1) }, "hopes",
			"Please keep this to 5000 characters (it is 5001 now). You can tell us more in the consultation."},
		{"unknown approach", func(in *PartnerInput) { in.Approaches = []string{"hypnosis"} }, "approaches", "Choose from the listed approaches."},
		{"no consent", func(in *PartnerInput) { in.Consent = false }, "consent",
			"Please agree to the privacy notice and to being contacted about this request, so we can reply to you."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validPartner()
			tt.change(&in)
			in.Normalize()
			err := in.Validate()
			fields := apperr.FieldsOf(err)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v (%v), want nil", err, fields)
				}
				return
			}
			if len(fields) != 1 || fields[tt.field] != tt.msg {
				t.Errorf("fields = %v, want only %s: %q", fields, tt.field, tt.msg)
			}
		})
	}
}

func TestPartnerInputNormalize(t *testing.T) {
	t.Parallel()
	in := PartnerInput{Name: " Alex\x00 ", Email: " ALEX@Example.org ", Hopes: " one\r\ntwo ", ConcernsOther: "Money",
		Concerns: []string{"grief", "grief"}, Approaches: []string{"eft", " eft "}}
	in.Normalize()
	want := PartnerInput{Name: "Alex", Email: "alex@example.org", Hopes: "one\ntwo", ConcernsOther: "Money", ContactPreference: "email",
		Concerns: []string{"grief", "other"}, Approaches: []string{"eft"}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("normalized\n got: %+v\nwant: %+v", in, want)
	}
}

func TestPartnerTokenDerivation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	svc := NewService(db, newClock().Now, testKey, booking.Scope{})

	couple, err := svc.Submit(ctx, validCouple())
	if err != nil {
		t.Fatal(err)
	}
	token, err := svc.PartnerToken(ctx, couple.ID, Couple)
	if err != nil || token == "" {
		t.Fatalf("PartnerToken = %q, %v", token, err)
	}
	again, _ := svc.PartnerToken(ctx, couple.ID, Couple)
	other := NewService(db, newClock().Now, testKey, booking.Scope{}) // another instance with the same key
	third, _ := other.PartnerToken(ctx, couple.ID, Couple)
	if again != token || third != token {
		t.Errorf("partner token is not stable: %q, %q, %q", token, again, third)
	}
	if token == couple.Token {
		t.Error("the partner token is the client's own token")
	}
	// Only the hash is stored.
	var stored *string
	if err := db.Raw("SELECT partner_token_hash FROM intakes WHERE id = ?", couple.ID).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored == nil || *stored != secret.Hash(token) {
		t.Errorf("stored partner_token_hash = %v, want the hash of the token", stored)
	}

	req, err := svc.ByPartnerToken(ctx, token)
	if err != nil {
		t.Fatalf("ByPartnerToken: %v", err)
	}
	if want := (PartnerRequest{IntakeID: couple.ID, PartnerName: "Alex Rivera"}); req != want {
		t.Errorf("ByPartnerToken = %+v, want %+v", req, want)
	}

	// Wrong tokens find nothing: made up, the client's own, another key's.
	otherKey := secret.Keyed([]byte("another key, another server......"), "partner-link:1")
	for _, bad := range []string{"", "made-up", couple.Token, otherKey, token + "x"} {
		if _, err := svc.ByPartnerToken(ctx, bad); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("ByPartnerToken(%q) = %v, want not found", bad, err)
		}
		if _, err := svc.SubmitPartner(ctx, bad, validPartner()); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("SubmitPartner(%q) = %v, want not found", bad, err)
		}
	}

	// An individual intake has no partner link.
	solo, err := svc.Submit(ctx, validIndividual())
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := svc.PartnerToken(ctx, solo.ID, Individual); tok != "" || err != nil {
		t.Errorf("individual PartnerToken = %q, %v; want none", tok, err)
	}
	if _, err := svc.ByPartnerToken(ctx, secret.Keyed(testKey, "partner-link:"+strconv.FormatInt(solo.ID, 10))); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("an individual intake answers a derived partner token: %v", err)
	}

	// A couple intake stored before partner links existed gets one on first view.
	if err := db.Exec("UPDATE intakes SET partner_token_hash = NULL WHERE id = ?", couple.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ByPartnerToken(ctx, token); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("link without a stored hash: %v, want not found", err)
	}
	if tok, err := svc.PartnerToken(ctx, couple.ID, Couple); err != nil || tok != token {
		t.Fatalf("PartnerToken after backfill = %q, %v", tok, err)
	}
	if _, err := svc.ByPartnerToken(ctx, token); err != nil {
		t.Errorf("link after backfill: %v", err)
	}
}

func TestSubmitPartnerStoresOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.New(t)
	svc := NewService(db, newClock().Now, testKey, booking.Scope{})
	couple, err := svc.Submit(ctx, validCouple())
	if err != nil {
		t.Fatal(err)
	}
	token, _ := svc.PartnerToken(ctx, couple.ID, Couple)
	by := Actor{Account: adminAccount()}

	got, err := svc.GetForStaff(ctx, by, couple.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Partner != nil {
		t.Fatalf("partner answers before any were sent: %+v", got.Partner)
	}

	// A mistake stores nothing.
	bad := validPartner()
	bad.Consent = false
	if _, err := svc.SubmitPartner(ctx, token, bad); apperr.FieldsOf(err)["consent"] == "" {
		t.Fatalf("SubmitPartner without consent = %v", err)
	}
	var n int64
	db.Table("partner_answers").Count(&n)
	if n != 0 {
		t.Fatalf("%d answers stored from a form with a mistake", n)
	}

	urgent, err := svc.SubmitPartner(ctx, token, validPartner())
	if err != nil || urgent {
		t.Fatalf("SubmitPartner = %v, %v", urgent, err)
	}
	got, err = svc.GetForStaff(ctx, by, couple.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := got.Partner
	if first == nil {
		t.Fatal("no partner answers after sending them")
	}
	want := PartnerAnswers{Name: "Alex Rivera", Pronouns: "he/him", Email: "alex@example.org", Phone: "555 010 3000",
		ContactPreference: "phone", Concerns: []string{"substance_use"}, Hopes: "To feel heard.", Approaches: []string{"rlt"},
		CreatedAt: first.CreatedAt, UpdatedAt: first.UpdatedAt}
	if !reflect.DeepEqual(*first, want) {
		t.Errorf("stored answers\n got: %+v\nwant: %+v", *first, want)
	}
	if got.Urgent {
		t.Error("intake urgent without a yes")
	}
	// The client's own view of the intake never carries them.
	if mine, _ := svc.ByToken(ctx, couple.Token); mine.Partner != nil {
		t.Error("ByToken carries the partner's answers")
	}

	// Sending again never replaces them: both partners hold this link.
	second := PartnerInput{Name: "Alex", ContactPreference: "email", Hopes: "Changed my mind.", Consent: true}
	if _, err := svc.SubmitPartner(ctx, token, second); apperr.As(err) == nil || apperr.As(err).Code != "partner_answers_sent" {
		t.Fatalf("second SubmitPartner = %v, want partner_answers_sent", err)
	}
	// A later yes to the safety question still counts: recorded, and the
	// intake is flagged urgent; the other answers stay as first sent.
	second.SafetyConcern = true
	urgent, err = svc.SubmitPartner(ctx, token, second)
	if err != nil || !urgent {
		t.Fatalf("second SubmitPartner with a yes = %v, %v; want urgent", urgent, err)
	}
	got, err = svc.GetForStaff(ctx, by, couple.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Partner
	if p == nil || p.Name != "Alex Rivera" || p.Hopes != "To feel heard." || !p.SafetyConcern {
		t.Errorf("answers after a second sending: %+v; want the first ones, with the yes recorded", p)
	}
	if p != nil && (!p.CreatedAt.Equal(first.CreatedAt) || !p.UpdatedAt.After(first.UpdatedAt)) {
		t.Errorf("created %v → %v, updated %v → %v: want created kept, updated later", first.CreatedAt, p.CreatedAt, first.UpdatedAt, p.UpdatedAt)
	}
	if !got.Urgent {
		t.Error("intake not urgent after the partner's yes")
	}
	if got.SafetyConcern {
		t.Error("the first partner's own safety answer changed")
	}
	db.Table("partner_answers").Count(&n)
	if n != 1 {
		t.Errorf("%d rows of partner answers, want 1", n)
	}
}
