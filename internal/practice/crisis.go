package practice

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// CrisisResource is one place a person in crisis can turn to, as the
// practice lists it for its country: a number to call, a number to text
// (with the word to send, if the line asks for one), a chat or web
// address, and a note. Couple resources show only on the couple journey
// (a domestic-violence line); banner ones also in the banner on every page
// and, when they are for everyone, in emails.
type CrisisResource struct {
	Label    string `json:"label"`
	Phone    string `json:"phone,omitempty"`
	SMS      string `json:"sms,omitempty"`
	SMSBody  string `json:"sms_body,omitempty"`
	URL      string `json:"url,omitempty"`
	Note     string `json:"note,omitempty"`
	Audience string `json:"audience,omitempty"` // "" everyone, AudienceCouple
	Banner   bool   `json:"banner,omitempty"`
}

// AudienceCouple marks a resource shown on the couple journey only.
const AudienceCouple = "couple"

// MaxCrisisResources bounds the list an admin keeps.
const MaxCrisisResources = 12

// DefaultCrisisResources are the US resources a practice starts with.
func DefaultCrisisResources() []CrisisResource {
	return []CrisisResource{
		{Label: "988 Suicide & Crisis Lifeline", Phone: "988", SMS: "988", URL: "https://988lifeline.org/chat",
			Note: "Call, text or chat, 24/7, free and confidential.", Banner: true},
		{Label: "Emergency services", Phone: "911", Note: "If you or someone else is in danger now.", Banner: true},
		{Label: "SAMHSA National Helpline", Phone: "1-800-662-4357",
			Note: "Free, confidential help with substance use and mental health, 24/7, in English and Spanish."},
		{Label: "National Domestic Violence Hotline", Phone: "1-800-799-7233", SMS: "88788", SMSBody: "START",
			URL: "https://www.thehotline.org", Note: "24/7 and confidential. Text START to 88788.", Audience: AudienceCouple, Banner: true},
	}
}

// legacyCrisisText is the crisis text of the first releases, which named
// 988 and 911 in prose; a practice that kept it gets the resources above
// and today's default text instead.
const legacyCrisisText = "If you are in danger now, call 911 or go to the nearest emergency room.\n" +
	"If you are thinking about harming yourself or someone else, call or text 988 (Suicide & Crisis Lifeline, US, 24/7), or chat at 988lifeline.org.\n" +
	"Outside the US, call your local emergency number."

// Dial is the number as a tel: or sms: link takes it: digits and a
// leading +, without the separators people read.
func Dial(number string) string {
	var b strings.Builder
	for i, r := range number {
		if r >= '0' && r <= '9' || r == '+' && i == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ForJourney are the resources shown on the client's journey: everyone's,
// and the couple ones on a couple's pages.
func ForJourney(list []CrisisResource, couple bool) []CrisisResource {
	var out []CrisisResource
	for _, r := range list {
		if r.Audience == "" || couple {
			out = append(out, r)
		}
	}
	return out
}

// CrisisCallLine is the crisis sentence's ending for an email, from the
// banner resources that are for everyone: "call or text 988, or call 911".
// Empty when there are none (the email then points to the crisis page).
func (s Settings) CrisisCallLine() string {
	var parts []string
	for _, r := range s.CrisisResources {
		if !r.Banner || r.Audience != "" {
			continue
		}
		switch {
		case r.Phone != "" && r.Phone == r.SMS && r.SMSBody == "":
			parts = append(parts, "call or text "+r.Phone)
		case r.Phone != "" && r.SMS != "":
			parts = append(parts, "call "+r.Phone+" or text "+textWhat(r))
		case r.Phone != "":
			parts = append(parts, "call "+r.Phone)
		case r.SMS != "":
			parts = append(parts, "text "+textWhat(r))
		}
	}
	return strings.Join(parts, ", or ")
}

func textWhat(r CrisisResource) string {
	if r.SMSBody != "" {
		return r.SMSBody + " to " + r.SMS
	}
	return r.SMS
}

// validateCrisis checks the resources an admin is about to save; field
// names are crisis_FIELD_N, N the row.
func validateCrisis(f map[string]string, list []CrisisResource) {
	if len(list) > MaxCrisisResources {
		f["crisis_resources"] = fmt.Sprintf("List at most %d crisis resources.", MaxCrisisResources)
	}
	for i, r := range list {
		key := func(name string) string { return fmt.Sprintf("crisis_%s_%d", name, i) }
		switch {
		case strings.TrimSpace(r.Label) == "":
			f[key("label")] = "Name this resource, such as “988 Suicide & Crisis Lifeline”."
		case len(r.Label) > 200 || strings.ContainsAny(r.Label, "\r\n"):
			f[key("label")] = "The name can be one line of at most 200 characters."
		}
		if r.Phone == "" && r.SMS == "" && r.URL == "" {
			f[key("phone")] = "Give a number to call, a number to text or a web address."
		}
		for _, n := range []struct{ name, v string }{{"phone", r.Phone}, {"sms", r.SMS}} {
			if n.v == "" {
				continue
			}
			if d := Dial(n.v); len(d) < 2 || len(n.v) > 40 || strings.Trim(n.v, "+0123456789-.() ") != "" {
				f[key(n.name)] = "Enter a phone number: digits, with spaces, dashes or a leading + if you like."
			}
		}
		if r.SMSBody != "" && r.SMS == "" {
			f[key("sms_body")] = "A word to text needs a number to text it to."
		} else if len(r.SMSBody) > 40 || strings.ContainsAny(r.SMSBody, "\r\n&?#") {
			f[key("sms_body")] = "The word to text can be at most 40 characters."
		}
		if r.URL != "" {
			if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(r.URL) > 500 {
				f[key("url")] = "Enter a web address starting with https://."
			}
		}
		if len(r.Note) > 500 || strings.ContainsAny(r.Note, "\r\n") {
			f[key("note")] = "The note can be one line of at most 500 characters."
		}
		if r.Audience != "" && r.Audience != AudienceCouple {
			f[key("audience")] = "Choose who sees this resource."
		}
	}
}

// encodeCrisis is the stored form of the list: JSON, "[]" for none.
func encodeCrisis(list []CrisisResource) string {
	if len(list) == 0 {
		return "[]"
	}
	b, err := json.Marshal(list)
	if err != nil { // only strings and booleans: cannot fail
		return "[]"
	}
	return string(b)
}

// decodeCrisis reads the stored list and text. A practice that never
// listed its own resources ("") has the defaults, and the first releases'
// default text is replaced by today's; one that wrote its own text before
// resources existed keeps that text alone, so that no other country's
// numbers appear on its pages.
func decodeCrisis(stored, text string) ([]CrisisResource, string) {
	if stored == "" {
		if text == "" || text == legacyCrisisText {
			return DefaultCrisisResources(), DefaultCrisisText
		}
		return nil, text
	}
	var list []CrisisResource
	if err := json.Unmarshal([]byte(stored), &list); err != nil || len(list) == 0 {
		return nil, text
	}
	return list, text
}

// normalizeCrisis trims what an admin typed.
func normalizeCrisis(list []CrisisResource) []CrisisResource {
	var out []CrisisResource
	for _, r := range list {
		for _, p := range []*string{&r.Label, &r.Phone, &r.SMS, &r.SMSBody, &r.URL, &r.Note, &r.Audience} {
			*p = strings.TrimSpace(*p)
		}
		out = append(out, r)
	}
	return out
}
