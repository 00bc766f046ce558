package intake

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/mailbox"
	"github.com/firststep/firststep/internal/zone"
)

// Input is one submission of the intake form, from the HTML form or the
// JSON API. Field names are the JSON and form names.
type Input struct {
	Kind              string   `json:"kind"`
	Name              string   `json:"name"`
	Email             string   `json:"email"`
	Phone             string   `json:"phone"`
	Pronouns          string   `json:"pronouns"`
	ContactPreference string   `json:"contact_preference"`
	VoicemailOK       bool     `json:"voicemail_ok"`
	PartnerName       string   `json:"partner_name"`
	PartnerEmail      string   `json:"partner_email"`
	PartnerPronouns   string   `json:"partner_pronouns"`
	PartnerAware      string   `json:"partner_aware"`
	Concerns          []string `json:"concerns"`
	ConcernsOther     string   `json:"concerns_other"`
	Message           string   `json:"message"`
	Approaches        []string `json:"approaches"`
	SessionFormat     string   `json:"session_format"`
	ReferralSource    string   `json:"referral_source"`
	TimeZone          string   `json:"timezone"`
	SafetyConcern     bool     `json:"safety_concern"`
	Consent           bool     `json:"consent"`
}

// Field lengths, in characters.
const (
	maxName     = 200
	maxEmail    = 254
	maxPhone    = 40
	maxPronouns = 50
	maxShort    = 500
	maxMessage  = 5000
)

// FieldOrder is the order of fields on the form, for the error summary.
var FieldOrder = []string{"kind", "name", "email", "pronouns", "phone", "contact_preference",
	"partner_name", "partner_email", "partner_pronouns", "partner_aware", "concerns", "concerns_other",
	"message", "approaches", "session_format", "referral_source", "timezone", "consent"}

// Normalize trims and cleans what a person typed: surrounding space, invalid
// UTF-8 and control characters go; emails are lower-cased; lists lose
// duplicates; an individual request carries no partner.
func (in *Input) Normalize() {
	for _, p := range []*string{&in.Kind, &in.Name, &in.Email, &in.Phone, &in.Pronouns, &in.ContactPreference,
		&in.PartnerName, &in.PartnerEmail, &in.PartnerPronouns, &in.PartnerAware, &in.ConcernsOther,
		&in.SessionFormat, &in.ReferralSource, &in.TimeZone} {
		*p = strings.TrimSpace(clean(*p, false))
	}
	in.Message = strings.TrimSpace(clean(in.Message, true))
	in.Name, in.PartnerName = mailbox.NormalName(in.Name), mailbox.NormalName(in.PartnerName)
	in.Kind = strings.ToLower(in.Kind)
	in.Email = strings.ToLower(in.Email)
	in.PartnerEmail = strings.ToLower(in.PartnerEmail)
	if in.ContactPreference == "" {
		in.ContactPreference = "email"
	}
	in.Concerns = dedupe(in.Concerns)
	in.Approaches = dedupe(in.Approaches)
	if Kind(in.Kind) == Individual {
		in.PartnerName, in.PartnerEmail, in.PartnerPronouns, in.PartnerAware = "", "", "", ""
	}
	if !contains(in.Concerns, "other") && in.ConcernsOther != "" {
		in.Concerns = append(in.Concerns, "other")
	}
}

// Validate checks a normalized Input and returns an apperr.Invalid error with
// one message per wrong field, each telling the person how to fix it.
func (in Input) Validate() error {
	f := map[string]string{}
	switch Kind(in.Kind) {
	case Individual, Couple:
	default:
		f["kind"] = "Choose whether this consultation is for you or for you as a couple."
	}
	switch {
	case in.Name == "":
		f["name"] = "Enter your name. A first name is fine."
	case tooLong(in.Name, maxName):
		f["name"] = fmt.Sprintf("Your name can be at most %d characters.", maxName)
	case !mailbox.NameOK(in.Name):
		f["name"] = nameOnOneLine
	}
	if msg := emailProblem(in.Email); msg != "" {
		f["email"] = msg
	} else if in.Email == "" {
		f["email"] = "Enter your email address so we can reply to you."
	}
	if tooLong(in.Pronouns, maxPronouns) {
		f["pronouns"] = fmt.Sprintf("Pronouns can be at most %d characters.", maxPronouns)
	}
	checkContact(f, in.ContactPreference, in.Phone)
	if Kind(in.Kind) == Couple {
		switch {
		case in.PartnerName == "":
			f["partner_name"] = "Enter your partner's name. A first name is fine."
		case tooLong(in.PartnerName, maxName):
			f["partner_name"] = fmt.Sprintf("Your partner's name can be at most %d characters.", maxName)
		case !mailbox.NameOK(in.PartnerName):
			f["partner_name"] = nameOnOneLine
		}
		if msg := emailProblem(in.PartnerEmail); msg != "" {
			f["partner_email"] = msg
		} else if in.PartnerEmail != "" && in.PartnerEmail == in.Email {
			f["partner_email"] = "Enter your partner's own email address, or leave it empty."
		}
		if tooLong(in.PartnerPronouns, maxPronouns) {
			f["partner_pronouns"] = fmt.Sprintf("Pronouns can be at most %d characters.", maxPronouns)
		}
		if in.PartnerAware != "" && !valid(PartnerAwareness, in.PartnerAware) {
			f["partner_aware"] = "Choose one of the answers about your partner."
		}
	}
	checkAbout(f, in.Concerns, in.ConcernsOther, "message", in.Message, in.Approaches)
	if in.SessionFormat != "" && !valid(SessionFormats, in.SessionFormat) {
		f["session_format"] = "Choose video, in person, or either."
	}
	if tooLong(in.ReferralSource, maxShort) {
		f["referral_source"] = fmt.Sprintf("Please keep this to %d characters.", maxShort)
	}
	if in.TimeZone != "" {
		if !zone.Valid(in.TimeZone) {
			f["timezone"] = "Choose your time zone from the list."
		}
	}
	if !in.Consent {
		f["consent"] = "Please agree to the privacy notice and to being contacted by email, so we can reply to you."
	}
	return apperr.Validation(f)
}

// checkContact adds the messages about how a person may be reached: a
// known preference, and a usable phone number when they may be called.
func checkContact(f map[string]string, preference, phone string) {
	if !valid(ContactPreferences, preference) {
		f["contact_preference"] = "Choose how you would like us to contact you."
	}
	switch {
	case phone == "" && (preference == "phone" || preference == "either"):
		f["phone"] = "Enter a phone number, or choose email as the way to reach you."
	case phone != "" && !phoneLike(phone):
		f["phone"] = "Enter a phone number using digits and, if you like, spaces, +, -, ( and )."
	}
}

// checkAbout adds the messages about what a person chose and wrote: listed
// concerns and approaches only, and free text within its length. textField
// names the free-text field on the form it came from.
func checkAbout(f map[string]string, concerns []string, other, textField, text string, approaches []string) {
	for _, c := range concerns {
		if !valid(Concerns, c) {
			f["concerns"] = "Choose from the listed concerns; use \"Something else\" to tell us more."
		}
	}
	if tooLong(other, maxShort) {
		f["concerns_other"] = fmt.Sprintf("Please keep this to %d characters.", maxShort)
	}
	if n := utf8.RuneCountInString(text); n > maxMessage {
		f[textField] = fmt.Sprintf("Please keep this to %d characters (it is %d now). You can tell us more in the consultation.", maxMessage, n)
	}
	for _, a := range approaches {
		if !valid(Approaches, a) {
			f["approaches"] = "Choose from the listed approaches."
		}
	}
}

// nameOnOneLine is the message for a name with a line break or an
// invisible character that reorders text (mailbox.NameOK).
const nameOnOneLine = "Enter the name on one line, in plain letters."

// emailProblem checks an optional address by the one rule for addresses
// (mailbox.AddressOK): a space of any kind inside it, even one the person
// cannot see, is refused here rather than failing every email later.
func emailProblem(addr string) string {
	if addr == "" {
		return ""
	}
	if tooLong(addr, maxEmail) {
		return "That email address is too long."
	}
	if !mailbox.AddressOK(addr) {
		return "Enter an email address like name@example.com."
	}
	return ""
}

func phoneLike(s string) bool {
	if tooLong(s, maxPhone) {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			return false
		}
	}
	return digits >= 7
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// clean drops invalid UTF-8 and control characters (keeping newlines and
// tabs in multi-line text) and normalizes CRLF to LF.
func clean(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			if multiline {
				return r
			}
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		v = strings.TrimSpace(clean(v, false))
		if v != "" && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
