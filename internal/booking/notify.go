package booking

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"

	"github.com/firststep/firststep/internal/invite"
	"github.com/firststep/firststep/internal/mail"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/zone"
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
	previous  *previousBooking // on a reschedule to another clinician
	// only, when set, limits the emails to this one person's (a partner
	// who may now be contacted joins a booking that already exists).
	only    *issuedLink
	from    mail.Address
	baseURL string
	host    string
	now     time.Time
}

// previousBooking is a consultation as its previous clinician had it before
// it moved to a colleague: their cancellation names this time and place.
type previousBooking struct {
	clinician clinicianRow
	booking   bookingRow
}

func (s *Service) letter(settings practice.Settings, b bookingRow, clin clinicianRow, cl Client, links []issuedLink, kind letterKind, previous *previousBooking) letter {
	name := settings.EmailSender(s.cfg.FromName)
	settings.Name = settings.EmailName(s.cfg.FromName) // as the emails and the invitation name the practice
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
	Place         Place
	ManageURL     string
	StaffURL      string
	StartURL      string
	Invited       bool // the email carries the calendar invitation
	// Crisis is where to turn in a crisis, from the practice's resources:
	// "call or text 988, or call 911" ("" when it lists none for emails).
	Crisis string
}

func formatWhen(t time.Time, name string) string {
	return t.In(zone.OrUTC(name)).Format("Monday, January 2, 2006 at 3:04 PM MST")
}

// compose writes one email per recipient: each client with their own
// manage link, the clinician with a link to the request in the staff area,
// and — when a consultation moved to another clinician — a cancellation for
// the previous one. Every email carries the same event (UID, SEQUENCE) with
// all attendees, so each calendar shows the same invitation; the previous
// clinician's cancellation alone lists only them, with the time and place
// they had.
func (m *mailer) compose(l letter) ([]outbox.Message, error) {
	b := l.booking
	place := Location(b.SessionFormat, l.settings, l.clinician.clinician())
	attendees := []invite.Person{{Name: l.clinician.Name, Email: l.clinician.Email}}
	for _, p := range l.links {
		attendees = append(attendees, invite.Person{Name: p.name, Email: p.email})
	}
	method := invite.MethodRequest
	if l.kind == kindCancel {
		method = invite.MethodCancel
	}
	event := invite.Invitation{Method: method, UID: b.UID, Sequence: b.Sequence, Stamp: l.now, Start: b.StartAt, End: b.EndAt,
		Summary: "Consultation — " + l.settings.Name, Location: place.Text(), Organizer: invite.Person{Name: l.from.Name, Email: l.from.Email},
		Attendees: attendees}
	event.Conference = place.VideoLink
	base := emailView{Kind: l.kind, PracticeName: l.settings.Name, ClinicianName: l.clinician.Name,
		Minutes: int(b.EndAt.Sub(b.StartAt) / time.Minute), Place: place,
		StaffURL: fmt.Sprintf("%s/staff/intakes/%d", l.baseURL, b.IntakeID), StartURL: l.baseURL + "/", Crisis: l.settings.CrisisCallLine()}

	var out []outbox.Message
	for i, p := range l.links {
		if l.only != nil && p.token != l.only.token {
			continue
		}
		v := base
		v.RecipientName, v.When = p.name, formatWhen(b.StartAt, b.ClientTimezone)
		v.ManageURL = l.baseURL + "/bookings/" + p.token
		inv := event
		inv.URL = v.ManageURL
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
	if l.only != nil {
		return out, nil
	}
	v := base
	v.RecipientName, v.When = l.clinician.Name, formatWhen(b.StartAt, l.clinician.Timezone)
	inv := event
	inv.URL = v.StaffURL
	inv.Description = "Consultation request: " + v.StaffURL
	msg, err := m.message(l, len(l.links), "clinician", v, inv, mail.Address{Name: l.clinician.Name, Email: l.clinician.Email})
	if err != nil {
		return nil, err
	}
	out = append(out, msg)

	if p := l.previous; p != nil {
		// The previous clinician's calendar holds the consultation as it
		// was: their cancellation names that time and place and removes
		// only them from the event (RFC 5546 §3.2.5).
		old := p.booking
		oldPlace := Location(old.SessionFormat, l.settings, p.clinician.clinician())
		v := base
		v.Kind, v.RecipientName, v.ClinicianName = kindMovedAway, p.clinician.Name, p.clinician.Name
		v.When, v.Minutes, v.Place = formatWhen(old.StartAt, p.clinician.Timezone), int(old.EndAt.Sub(old.StartAt)/time.Minute), oldPlace
		inv := event
		inv.Method, inv.Start, inv.End, inv.Location = invite.MethodCancel, old.StartAt, old.EndAt, oldPlace.Text()
		inv.Conference = oldPlace.VideoLink
		inv.Attendees = []invite.Person{{Name: p.clinician.Name, Email: p.clinician.Email}}
		inv.URL = v.StaffURL
		inv.Description = "This consultation has moved to another clinician."
		msg, err := m.message(l, len(l.links)+1, "clinician", v, inv, mail.Address{Name: p.clinician.Name, Email: p.clinician.Email})
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}

func (m *mailer) message(l letter, idx int, audience string, v emailView, inv invite.Invitation, to mail.Address) (outbox.Message, error) {
	// A recipient at the practice's own sending address (a client who typed
	// it, or a clinician whose mailbox sends the practice's mail) is not
	// invited to the event: the invitation would show them as its organizer.
	// Their email still says when and where, with their links.
	var cal []byte
	var method string
	if inv.Invites(to.Email) {
		encode := inv.Encode
		if v.Kind == kindMovedAway {
			encode = inv.EncodeRemoval
		}
		var err error
		if cal, err = encode(); err != nil {
			return outbox.Message{}, fmt.Errorf("encode invitation: %w", err)
		}
		method = string(inv.Method)
	}
	v.Invited = cal != nil
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
		Text: text.String(), HTML: html.String(), Calendar: cal, CalendarMethod: method}
	raw, err := msg.Bytes()
	if err != nil {
		return outbox.Message{}, fmt.Errorf("compose email: %w", err)
	}
	bookingID, intakeID := l.booking.ID, l.booking.IntakeID
	return outbox.Message{MessageID: id, From: l.from.Email, To: msg.Recipients(), Subject: msg.Subject, Raw: raw,
		BookingID: &bookingID, IntakeID: &intakeID, Purpose: emailPurpose(v.Kind, audience, idx)}, nil
}

func subject(v emailView) string {
	switch v.Kind {
	case kindCancel, kindMovedAway:
		return "Cancelled: consultation on " + v.When
	case kindUpdate:
		return "New time: consultation on " + v.When
	case kindPlace:
		return "New place: consultation on " + v.When
	default:
		return "Consultation booked: " + v.When
	}
}
