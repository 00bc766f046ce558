package intake

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/firststep/firststep/internal/apperr"
)

// FuzzValidate feeds arbitrary text into every field. Whatever arrives,
// Normalize and Validate must not panic, Normalize must leave only clean
// text, and an input that passes Validate must be one we can act on.
func FuzzValidate(f *testing.F) {
	// Lists arrive as one string split on "|".
	f.Add("couple", "Sam Rivera", "Sam@Example.org", "+1 555 010 2000", "they/them", "either",
		"Alex", "alex@example.org", "he/him", "yes", "substance_use|relationship_conflict", "Trust",
		"We want to rebuild trust.\r\nSix months sober.", "rlt|eft", "video", "A friend", "America/Chicago",
		true, false, true)
	f.Add("individual", "Jo", "jo@example.org", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
		false, false, true)
	f.Add("individual", " Jo\x00 ", "JO@EXAMPLE.ORG\t", "555-0100", "", "phone", "Alex", "jo@example.org", "", "not_yet",
		"trauma|trauma| other", "", "\tI am not sure where to start\x1b", "not_sure", "in_person", "", "Local",
		true, true, true)
	f.Add("Couple", "\xff\xfe", "sam@", "call me", strings.Repeat("p", 60), "pigeon", "", "SAM@", "", "maybe",
		"astrology", strings.Repeat("o", 600), strings.Repeat("é", 5001), "hypnosis", "phone", "", "../../etc/passwd",
		false, true, false)
	f.Add("couple", "Ana", "ana@localhost", "(555) 010-2000", "", "email", "Bea", "ANA@localhost", "", "",
		"", "", "\u2028\u0085\r", "", "", "", "UTC", false, false, true)

	f.Fuzz(func(t *testing.T, kind, name, email, phone, pronouns, contact, partnerName, partnerEmail, partnerPronouns,
		partnerAware, concerns, concernsOther, message, approaches, format, referral, tz string,
		voicemail, safety, consent bool) {
		in := Input{
			Kind: kind, Name: name, Email: email, Phone: phone, Pronouns: pronouns, ContactPreference: contact,
			VoicemailOK: voicemail, PartnerName: partnerName, PartnerEmail: partnerEmail, PartnerPronouns: partnerPronouns,
			PartnerAware: partnerAware, Concerns: splitList(concerns), ConcernsOther: concernsOther, Message: message,
			Approaches: splitList(approaches), SessionFormat: format, ReferralSource: referral, TimeZone: tz,
			SafetyConcern: safety, Consent: consent,
		}
		in.Normalize()

		single := map[string]string{
			"kind": in.Kind, "name": in.Name, "email": in.Email, "phone": in.Phone, "pronouns": in.Pronouns,
			"contact_preference": in.ContactPreference, "partner_name": in.PartnerName, "partner_email": in.PartnerEmail,
			"partner_pronouns": in.PartnerPronouns, "partner_aware": in.PartnerAware, "concerns_other": in.ConcernsOther,
			"session_format": in.SessionFormat, "referral_source": in.ReferralSource, "timezone": in.TimeZone,
		}
		for _, c := range in.Concerns {
			single["concerns item "+c] = c
		}
		for _, a := range in.Approaches {
			single["approaches item "+a] = a
		}
		for field, v := range single {
			checkClean(t, field, v, false)
		}
		checkClean(t, "message", in.Message, true)
		if in.Email != strings.ToLower(in.Email) || in.PartnerEmail != strings.ToLower(in.PartnerEmail) {
			t.Errorf("emails not lower-cased: %q, %q", in.Email, in.PartnerEmail)
		}
		if Kind(in.Kind) == Individual && in.PartnerName+in.PartnerEmail+in.PartnerPronouns+in.PartnerAware != "" {
			t.Errorf("individual request keeps partner fields: %+v", in)
		}

		again := in
		again.Concerns = append([]string(nil), in.Concerns...)
		again.Approaches = append([]string(nil), in.Approaches...)
		again.Normalize()
		if !reflect.DeepEqual(again, in) {
			t.Errorf("Normalize is not idempotent\nonce:  %#v\ntwice: %#v", in, again)
		}

		err := in.Validate()
		if err != nil {
			ae := apperr.As(err)
			if ae == nil || ae.Kind != apperr.Invalid || len(ae.Fields) == 0 {
				t.Fatalf("Validate error = %#v, want an invalid-input error with field messages", err)
			}
			for field, msg := range ae.Fields {
				if !contains(FieldOrder, field) {
					t.Errorf("message for %q, a field the form does not have", field)
				}
				if msg == "" {
					t.Errorf("empty message for %q", field)
				}
			}
			return
		}
		if in.Name == "" || in.Email == "" || !in.Consent {
			t.Errorf("accepted without name, email or consent: %+v", in)
		}
		if !strings.Contains(in.Email, "@") {
			t.Errorf("accepted email %q", in.Email)
		}
		if k := Kind(in.Kind); k != Individual && k != Couple {
			t.Errorf("accepted kind %q", in.Kind)
		}
		if Kind(in.Kind) == Couple && in.PartnerName == "" {
			t.Errorf("accepted a couple without a partner name")
		}
		if in.PartnerEmail != "" && in.PartnerEmail == in.Email {
			t.Errorf("accepted the same email for both partners")
		}
		if (in.ContactPreference == "phone" || in.ContactPreference == "either") && in.Phone == "" {
			t.Errorf("accepted %s contact without a phone number", in.ContactPreference)
		}
		for _, c := range in.Concerns {
			if !valid(Concerns, c) {
				t.Errorf("accepted concern %q", c)
			}
		}
		for _, a := range in.Approaches {
			if !valid(Approaches, a) {
				t.Errorf("accepted approach %q", a)
			}
		}
		if n := utf8.RuneCountInString(in.Message); n > maxMessage {
			t.Errorf("accepted a message of %d characters", n)
		}
	})
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// checkClean fails when s is not valid UTF-8, has control characters (other
// than new lines and tabs in multi-line text) or surrounding space.
func checkClean(t *testing.T, field, s string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8 after Normalize: %q", field, s)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			t.Errorf("%s: control character %U after Normalize: %q", field, r, s)
		}
	}
	if s != strings.TrimSpace(s) {
		t.Errorf("%s: surrounding space after Normalize: %q", field, s)
	}
}
