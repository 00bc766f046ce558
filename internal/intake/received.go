package intake

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	texttemplate "text/template"
	"time"

	"github.com/firststep/firststep/internal/mail"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/templates"
	"gorm.io/gorm"
)

// The "We received your request" email (#9.3): queued in the transaction
// that stores the intake, to the person who submitted it and to no one
// else — never the partner, whose safety may depend on not being written
// to, and never on the partner's own submission. It says the practice's
// name, what happens next and the private link back to choose a time,
// and where to turn in a crisis.
//
// It carries nothing the client wrote: email is not a secure channel and
// inboxes are shared. Not even their name: the greeting is generic and the
// To header is the bare address, because the name field holds whatever was
// typed (a nickname, a partner's name), and a generic greeting costs the
// reader nothing.

// ReceivedPurpose is the outbox purpose of the email; staff read it as
// "Receipt to the client" (booking.EmailWords).
const ReceivedPurpose = "receipt.client"

// Practice is what the received email needs of the practice's settings:
// read inside the intake's transaction. practice.Service answers it.
type Practice interface {
	GetTx(tx *gorm.DB) (practice.Settings, error)
}

// MailConfig is how the practice's emails are sent and linked.
type MailConfig struct {
	BaseURL  string // absolute; the link back to choose a time starts with it
	FromName string // sender name when the practice has not set one
	FromAddr string // bare sending address
}

// received writes the email; set by SendReceived.
type received struct {
	practice Practice
	cfg      MailConfig
	host     string
	notify   func() // wakes the mail worker after the commit
	text     *texttemplate.Template
	html     *htmltemplate.Template
}

// SendReceived makes Submit queue the "We received your request" email,
// with the practice's settings from pr; notify (may be nil) is called after
// each commit that queued one. Without it Submit sends nothing.
func (s *Service) SendReceived(pr Practice, cfg MailConfig, notify func()) error {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("intake: base URL %q has no host", cfg.BaseURL)
	}
	t, err := texttemplate.ParseFS(templates.FS, "email/received.txt")
	if err != nil {
		return fmt.Errorf("parse received email: %w", err)
	}
	h, err := htmltemplate.ParseFS(templates.FS, "email/received.html")
	if err != nil {
		return fmt.Errorf("parse received email: %w", err)
	}
	s.received = &received{practice: pr, cfg: cfg, host: u.Hostname(), notify: notify, text: t, html: h}
	return nil
}

// receivedView is all the email shows: nothing the client wrote.
type receivedView struct {
	PracticeName string
	// Contact is how the practice will be in touch, as the client asked:
	// "email", "phone" or "either".
	Contact   string
	PickerURL string
	CrisisURL string
	// Crisis is the practice's crisis lines for emails ("call or text
	// 988, or call 911"); "" points to the crisis page instead.
	Crisis string
}

// queue composes the email to the submitting client of intake r, reached
// with token, and queues it in tx.
func (m *received) queue(tx *gorm.DB, r row, token string, now time.Time) error {
	settings, err := m.practice.GetTx(tx)
	if err != nil {
		return err
	}
	name := settings.EmailName(m.cfg.FromName)
	from := mail.Address{Name: settings.EmailSender(m.cfg.FromName), Email: m.cfg.FromAddr}
	v := receivedView{PracticeName: name, Contact: r.ContactPreference,
		PickerURL: m.cfg.BaseURL + "/requests/" + url.PathEscape(token), CrisisURL: m.cfg.BaseURL + "/crisis",
		Crisis: settings.CrisisCallLine()}
	var text, html bytes.Buffer
	if err := m.text.ExecuteTemplate(&text, "received.txt", v); err != nil {
		return fmt.Errorf("render received email: %w", err)
	}
	if err := m.html.ExecuteTemplate(&html, "received.html", v); err != nil {
		return fmt.Errorf("render received email: %w", err)
	}
	nonce, _ := secret.New()
	id := fmt.Sprintf("received-%d.%s@%s", r.ID, nonce[:10], m.host)
	msg := mail.Message{From: from, To: []mail.Address{{Email: r.Email}}, Subject: ReceivedSubject(name),
		Date: now, MessageID: id, Text: text.String(), HTML: html.String()}
	raw, err := msg.Bytes()
	if err != nil {
		return fmt.Errorf("compose received email: %w", err)
	}
	intakeID := r.ID
	return outbox.Enqueue(tx, now, outbox.Message{MessageID: id, From: from.Email, To: msg.Recipients(),
		Subject: msg.Subject, Raw: raw, IntakeID: &intakeID, Purpose: ReceivedPurpose})
}

// ReceivedSubject is the email's subject: generic, since subjects show in
// notifications and shared inboxes.
func ReceivedSubject(practiceName string) string {
	return "We received your request — " + practiceName
}
