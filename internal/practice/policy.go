package practice

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
)

// The practice's time-driven policy: when reminders go out, how close to a
// consultation a client may still change it, how long a waitlist offer
// holds a time, and how long requests are kept. Their limits are stated
// here once; the admin page and the settings API both go through them.
const (
	DefaultChangeCutoffHours   = 24
	DefaultWaitlistHoldMinutes = 60

	MaxReminderLead        = 30 * 24 * time.Hour
	MaxChangeCutoffHours   = 720
	MinWaitlistHoldMinutes = 5
	MaxWaitlistHoldMinutes = 1440
	MinRetentionDays       = 1
	MaxRetentionDays       = 3650
)

// DefaultReminderLeads are a day and two hours before a consultation.
func DefaultReminderLeads() []time.Duration { return []time.Duration{24 * time.Hour, 2 * time.Hour} }

// The messages for each policy field, whether the value was out of range
// or not a number at all.
const (
	MsgReminderLeads       = "List how long before a consultation reminders go out, such as 24h, 2h or 30m: each more than 0 and at most 30 days (720h), none twice."
	MsgChangeCutoffHours   = "Enter a whole number of hours from 0 to 720 (0: clients may change a consultation until it starts)."
	MsgWaitlistHoldMinutes = "Enter a whole number of minutes from 5 to 1440."
	MsgRetentionDays       = "Enter a whole number of days from 1 to 3650, or leave it empty to keep requests."
)

// ChangeCutoff is how long before a consultation its client can no longer
// reschedule or cancel it themselves; 0 means until it starts.
func (s Settings) ChangeCutoff() time.Duration {
	return time.Duration(s.ChangeCutoffHours) * time.Hour
}

// WaitlistHold is how long a time offered to a waiting client is held.
func (s Settings) WaitlistHold() time.Duration {
	return time.Duration(s.WaitlistHoldMinutes) * time.Minute
}

// ParseReminderLeads reads reminder leads as Go durations ("24h", "90m")
// and returns them longest first. A lead that is not a duration, not above
// zero, over 30 days or given twice (also "1h" and "60m") is refused with
// MsgReminderLeads. No leads at all is allowed: no reminders.
func ParseReminderLeads(list []string) ([]time.Duration, bool) {
	out := make([]time.Duration, 0, len(list))
	for _, s := range list {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d <= 0 || d > MaxReminderLead || slices.Contains(out, d) {
			return nil, false
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	return out, true
}

// SplitReminderLeads splits the admin form's "24h, 2h" into its leads.
func SplitReminderLeads(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' })
}

// FormatLead writes a lead as short as Go's duration syntax allows: "24h",
// "1h30m", "45m" (time.Duration.String would say "24h0m0s").
func FormatLead(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// FormatLeads is FormatLead of each lead.
func FormatLeads(list []time.Duration) []string {
	out := make([]string, len(list))
	for i, d := range list {
		out[i] = FormatLead(d)
	}
	return out
}

// validatePolicy adds a message for each policy field out of its range.
func validatePolicy(f map[string]string, s Settings) {
	for i, d := range s.ReminderLeads {
		if d <= 0 || d > MaxReminderLead || slices.Contains(s.ReminderLeads[:i], d) {
			f["reminder_leads"] = MsgReminderLeads
		}
	}
	if s.ChangeCutoffHours < 0 || s.ChangeCutoffHours > MaxChangeCutoffHours {
		f["change_cutoff_hours"] = MsgChangeCutoffHours
	}
	if s.WaitlistHoldMinutes < MinWaitlistHoldMinutes || s.WaitlistHoldMinutes > MaxWaitlistHoldMinutes {
		f["waitlist_hold_minutes"] = MsgWaitlistHoldMinutes
	}
	if r := s.RetentionDays; r != nil && (*r < MinRetentionDays || *r > MaxRetentionDays) {
		f["retention_days"] = MsgRetentionDays
	}
}

// encodeLeads is the stored form of the leads: a JSON list of durations.
func encodeLeads(list []time.Duration) string {
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b time.Duration) int { return cmp.Compare(b, a) })
	b, _ := json.Marshal(FormatLeads(list)) // strings only: cannot fail
	return string(b)
}

// decodeLeads reads the stored leads; an unreadable list (never written by
// Firststep) falls back to the defaults rather than silencing reminders.
func decodeLeads(stored string) []time.Duration {
	var list []string
	if err := json.Unmarshal([]byte(stored), &list); err != nil {
		return DefaultReminderLeads()
	}
	out, ok := ParseReminderLeads(list)
	if !ok {
		return DefaultReminderLeads()
	}
	return out
}

// Patch is a change to some settings: nil fields stay as they are (JSON
// merge semantics). ClearRetention sets RetentionDays back to "keep".
// Bad holds messages for fields whose value could not even be read (a
// number that is not one); Apply reports them with the others.
type Patch struct {
	Name, TimeZone, Address, VideoLink, CrisisText, SenderName *string
	CrisisResources                                            *[]CrisisResource
	ReminderLeads                                              *[]string
	ChangeCutoffHours, WaitlistHoldMinutes, RetentionDays      *int
	ClearRetention                                             bool
	Bad                                                        map[string]string
}

// Unreadable records that field's value could not be read.
func (p *Patch) Unreadable(field string) {
	if p.Bad == nil {
		p.Bad = map[string]string{}
	}
	p.Bad[field] = unreadableMessage(field)
}

func unreadableMessage(field string) string {
	switch field {
	case "reminder_leads":
		return MsgReminderLeads
	case "change_cutoff_hours":
		return MsgChangeCutoffHours
	case "waitlist_hold_minutes":
		return MsgWaitlistHoldMinutes
	case "retention_days":
		return MsgRetentionDays
	case "crisis_resources":
		return "List the crisis lines, each with a label and a number or web address."
	}
	return "This value cannot be read."
}

// Apply returns s with p's changes, validated: an Invalid error names each
// field that is wrong (what could not be read, and what is out of range).
func (p Patch) Apply(s Settings) (Settings, error) {
	for _, f := range []struct {
		to   *string
		from *string
	}{{&s.Name, p.Name}, {&s.TimeZone, p.TimeZone}, {&s.Address, p.Address}, {&s.VideoLink, p.VideoLink},
		{&s.CrisisText, p.CrisisText}, {&s.SenderName, p.SenderName}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if p.CrisisResources != nil {
		s.CrisisResources = normalizeCrisis(*p.CrisisResources)
	}
	bad := map[string]string{}
	for k, v := range p.Bad {
		bad[k] = v
	}
	if p.ReminderLeads != nil {
		if leads, ok := ParseReminderLeads(*p.ReminderLeads); ok {
			s.ReminderLeads = leads
		} else {
			bad["reminder_leads"] = MsgReminderLeads
		}
	}
	if p.ChangeCutoffHours != nil {
		s.ChangeCutoffHours = *p.ChangeCutoffHours
	}
	if p.WaitlistHoldMinutes != nil {
		s.WaitlistHoldMinutes = *p.WaitlistHoldMinutes
	}
	switch {
	case p.ClearRetention:
		s.RetentionDays = nil
	case p.RetentionDays != nil:
		d := *p.RetentionDays
		s.RetentionDays = &d
	}
	err := s.Validate()
	if len(bad) == 0 {
		return s, err
	}
	for k, v := range apperr.FieldsOf(err) {
		if _, ok := bad[k]; !ok {
			bad[k] = v
		}
	}
	return s, apperr.Validation(bad)
}
