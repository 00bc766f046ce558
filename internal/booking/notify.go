package booking

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/firststep/firststep/internal/invite"
	"github.com/firststep/firststep/internal/mail"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/templates"
)

type letterKind string

const (
	kindNew    letterKind = "new"
	kindUpdate letterKind = "update"
	kindCancel letterKind = "cancel"
	// kindMovedAway tells a clinician a consultation went to a colleague.
	kindMovedAway letterKind = "moved-away"
)

// letter is everything needed to write the emails of one booking change.
type letter struct {
	kind      letterKind
	settings  practice.Settings
	booking   bookingRow
	clinician clinicianRow
	client    Client
	links     []issuedLink
	previous  *clinicianRow // on a reschedule to another clinician
	from      mail.Address
	baseURL   string
	host      string
	now       time.Time
}

func (s *Service) letter(settings practice.Settings, b bookingRow, clin clinicianRow, cl Client, links []issuedLink, kind letterKind, previous *clinicianRow) letter {
	name := settings.SenderName
	if name == "" {
		name = s.cfg.FromName
	}
	return letter{kind: kind, settings: settings, booking: b, clinician: clin, client: cl, links: links, previous: previous,
		from: mail.Address{Name: name, Email: s.cfg.FromAddr}, baseURL: s.cfg.BaseURL, host: s.host, now: s.now().UTC()}
}

// mailer renders the email bodies, parsed once.
type mailer struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

func newMailer() (*mailer, error) {
	t, err := texttemplate.ParseFS(templates.FS, "email/*.txt")
	if err != nil {
		return nil, fmt.Errorf("parse email text templates: %w", err)
	}
	h, err := htmltemplate.ParseFS(templates.FS, "email/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse email html templates: %w", err)
	}
	return &mailer{text: t, html: h}, nil
}

// emailView is what an email body shows: time, place, clinician, links —
// never intake answers.
type emailView struct {
	Kind          letterKind
	PracticeName  string
	RecipientName string
	ClinicianName string
	When          string
	Minutes       int
	Location      string
	IsVideo       bool
	ManageURL     string
	StaffURL      string
	StartURL      string
	// Crisis is where to turn in a crisis, from the practice's resources:
	// "call or text 988, or call 911" ("" when it lists none for emails).
	Crisis string
}

// location is where a consultation happens: the clinician's video link, the
// practice's default video link, or an address.
func location(c Clinician, s practice.Settings) string {
	for _, v := range []string{c.VideoLink, s.VideoLink, c.Address, s.Address} {
		if v != "" {
			return v
		}
	}
	return ""
}

func formatWhen(t time.Time, zone string) string {
	loc, err := loadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("Monday, January 2, 2006 at 3:04 PM MST")
}

// compose writes one email per recipient: each client with their own
// manage link, the clinician with a link to the request in the staff area,
// and — when a consultation moved to another clinician — a cancellation for
// the previous one. Every email carries the same event (UID, SEQUENCE) with
// all attendees, so each calendar shows the same invitation.
func (m *mailer) compose(l letter) ([]outbox.Message, error) {
	b := l.booking
	where := location(l.clinician.clinician(), l.settings)
	attendees := []invite.Person{{Name: l.clinician.Name, Email: l.clinician.Email}}
	for _, p := range l.links {
		attendees = append(attendees, invite.Person{Name: p.name, Email: p.email})
	}
	method := invite.MethodRequest
	if l.kind == kindCancel {
		method = invite.MethodCancel
	}
	event := invite.Invitation{Method: method, UID: b.UID, Sequence: b.Sequence, Stamp: l.now, Start: b.StartAt, End: b.EndAt,
		Summary: "Consultation — " + l.settings.Name, Location: where, Organizer: invite.Person{Name: l.from.Name, Email: l.from.Email},
		Attendees: attendees}
	base := emailView{Kind: l.kind, PracticeName: l.settings.Name, ClinicianName: l.clinician.Name,
		Minutes: int(b.EndAt.Sub(b.StartAt) / time.Minute), Location: where, IsVideo: strings.HasPrefix(where, "https://"),
		StaffURL: fmt.Sprintf("%s/staff/intakes/%d", l.baseURL, b.IntakeID), StartURL: l.baseURL + "/", Crisis: l.settings.CrisisCallLine()}

	var out []outbox.Message
	for i, p := range l.links {
		v := base
		v.RecipientName, v.When = p.name, formatWhen(b.StartAt, b.ClientTimezone)
		v.ManageURL = l.baseURL + "/bookings/" + p.token
		inv := event
		inv.Description = fmt.Sprintf("Free consultation with %s.", l.clinician.Name)
		if l.kind != kindCancel {
			inv.Description += "\nTo change or cancel: " + v.ManageURL
		}
		msg, err := m.message(l, i, "client", v, inv, mail.Address{Name: p.name, Email: p.email})
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	v := base
	v.RecipientName, v.When = l.clinician.Name, formatWhen(b.StartAt, l.clinician.Timezone)
	inv := event
	inv.Description = "Consultation request: " + v.StaffURL
	msg, err := m.message(l, len(l.links), "clinician", v, inv, mail.Address{Name: l.clinician.Name, Email: l.clinician.Email})
	if err != nil {
		return nil, err
	}
	out = append(out, msg)

	if p := l.previous; p != nil {
		v := base
		v.Kind, v.RecipientName, v.ClinicianName = kindMovedAway, p.Name, p.Name
		v.When = formatWhen(b.StartAt, p.Timezone)
		inv := event
		inv.Method = invite.MethodCancel
		inv.Attendees = append([]invite.Person{{Name: p.Name, Email: p.Email}}, attendees[1:]...)
		inv.Description = "This consultation has moved to another clinician."
		msg, err := m.message(l, len(l.links)+1, "clinician", v, inv, mail.Address{Name: p.Name, Email: p.Email})
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}

func (m *mailer) message(l letter, idx int, audience string, v emailView, inv invite.Invitation, to mail.Address) (outbox.Message, error) {
	cal, err := inv.Encode()
	if err != nil {
		return outbox.Message{}, fmt.Errorf("encode invitation: %w", err)
	}
	var text, html bytes.Buffer
	if err := m.text.ExecuteTemplate(&text, audience+".txt", v); err != nil {
		return outbox.Message{}, fmt.Errorf("render email: %w", err)
	}
	if err := m.html.ExecuteTemplate(&html, audience+".html", v); err != nil {
		return outbox.Message{}, fmt.Errorf("render email: %w", err)
	}
	nonce, _ := secret.New()
	id := fmt.Sprintf("consult-%d.%d.%d.%s@%s", l.booking.ID, l.booking.Sequence, idx, nonce[:10], l.host)
	msg := mail.Message{From: l.from, To: []mail.Address{to}, Subject: subject(v), Date: l.now, MessageID: id,
		Text: text.String(), HTML: html.String(), Calendar: cal, CalendarMethod: string(inv.Method)}
	raw, err := msg.Bytes()
	if err != nil {
		return outbox.Message{}, fmt.Errorf("compose email: %w", err)
	}
	bookingID, intakeID := l.booking.ID, l.booking.IntakeID
	return outbox.Message{MessageID: id, From: l.from.Email, To: msg.Recipients(), Subject: msg.Subject, Raw: raw,
		BookingID: &bookingID, IntakeID: &intakeID}, nil
}

func subject(v emailView) string {
	switch v.Kind {
	case kindCancel, kindMovedAway:
		return "Cancelled: consultation on " + v.When
	case kindUpdate:
		return "New time: consultation on " + v.When
	default:
		return "Consultation booked: " + v.When
	}
}
