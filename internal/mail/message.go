// Package mail composes the RFC 5322 / MIME messages that Firststep sends:
// plain notifications, and invitations whose iCalendar object travels as an
// inline text/calendar alternative (iMIP, RFC 6047) so that calendar clients
// show them as real invitations.
//
// The package only builds bytes; delivery and retries belong to the outbox.
// Output is deterministic for a given Message (the MIME boundary is derived
// from the Message-ID), so a retried delivery sends the same octets and tests
// can compare against golden files.
package mail

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// Address is a mailbox. Name is free text shown by mail clients; Email is the
// bare address used both in the header and on the SMTP envelope.
type Address struct {
	Name  string
	Email string
}

// Message is one email. Every field except HTML, Calendar, CalendarMethod and
// Headers is required.
type Message struct {
	From Address
	To   []Address
	// Subject may hold any Unicode; it is RFC 2047-encoded when needed.
	Subject string
	// Date is written in its own location; callers pass their clock's now.
	Date time.Time
	// MessageID is the id-left@id-right part of Message-ID, without angle
	// brackets. It must be stable across delivery attempts so that receivers
	// can drop duplicates, and it seeds the MIME boundary.
	MessageID string
	Text      string // text/plain body, always sent
	HTML      string // text/html alternative; optional
	// Calendar is an iCalendar object sent as the inline text/calendar
	// alternative; CalendarMethod must equal its METHOD (e.g. "REQUEST").
	Calendar       []byte
	CalendarMethod string
	// Headers adds fields such as List-Unsubscribe, or overrides the default
	// "Auto-Submitted: auto-generated". Values must be printable ASCII; fields
	// the package writes itself (From, To, Content-Type, …) are refused.
	Headers map[string]string
}

// itipMethods are the METHOD values of RFC 5546 §1.4.
var itipMethods = map[string]bool{
	"PUBLISH": true, "REQUEST": true, "REPLY": true, "ADD": true,
	"CANCEL": true, "REFRESH": true, "COUNTER": true, "DECLINECOUNTER": true,
}

// reservedHeaders are written by Bytes (or must never be set by a sender,
// like Bcc) and so cannot be given in Message.Headers.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true,
	"Date": true, "Message-Id": true, "Mime-Version": true,
	"Return-Path": true, "Sender": true,
}

// Validate reports the first problem that would produce a malformed or
// dangerous message. CR and LF are refused in every header value and address
// so that no caller-supplied text can start a header of its own.
func (m Message) Validate() error {
	if err := checkAddress(m.From); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if len(m.To) == 0 {
		return fmt.Errorf("mail: no recipients")
	}
	for i, a := range m.To {
		if err := checkAddress(a); err != nil {
			return fmt.Errorf("mail: to %d: %w", i, err)
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		return fmt.Errorf("mail: subject is empty")
	}
	if err := checkHeaderText(m.Subject); err != nil {
		return fmt.Errorf("mail: subject: %w", err)
	}
	if m.Date.IsZero() {
		return fmt.Errorf("mail: date is zero")
	}
	if err := checkMessageID(m.MessageID); err != nil {
		return err
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("mail: text body is empty")
	}
	if !utf8.ValidString(m.Text) {
		return fmt.Errorf("mail: text body is not valid UTF-8")
	}
	if !utf8.ValidString(m.HTML) {
		return fmt.Errorf("mail: HTML body is not valid UTF-8")
	}
	if err := m.checkCalendar(); err != nil {
		return err
	}
	seen := make(map[string]bool, len(m.Headers))
	for name, value := range m.Headers {
		key := textproto.CanonicalMIMEHeaderKey(name)
		if !validFieldName(name) {
			return fmt.Errorf("mail: header name %q is not a valid field name", name)
		}
		if reservedHeaders[key] || strings.HasPrefix(key, "Content-") {
			return fmt.Errorf("mail: header %q is written by the package and cannot be set", name)
		}
		if seen[key] {
			return fmt.Errorf("mail: header %q given twice", key)
		}
		seen[key] = true
		if err := checkHeaderText(value); err != nil {
			return fmt.Errorf("mail: header %s: %w", key, err)
		}
		for _, r := range value {
			if r > '~' {
				return fmt.Errorf("mail: header %s: value must be ASCII", key)
			}
		}
	}
	return nil
}

// Recipients returns the bare addresses for the SMTP envelope (RCPT TO), in
// the order of To.
func (m Message) Recipients() []string {
	rcpts := make([]string, 0, len(m.To))
	for _, a := range m.To {
		rcpts = append(rcpts, a.Email)
	}
	return rcpts
}

// checkCalendar makes sure the text/calendar part's method parameter will
// agree with the object's METHOD: clients that see a mismatch ignore the
// invitation or show it as a plain attachment.
func (m Message) checkCalendar() error {
	if len(m.Calendar) == 0 {
		if m.CalendarMethod != "" {
			return fmt.Errorf("mail: calendar method %q given without a calendar", m.CalendarMethod)
		}
		return nil
	}
	if !itipMethods[m.CalendarMethod] {
		return fmt.Errorf("mail: calendar method %q is not an iTIP method", m.CalendarMethod)
	}
	if !utf8.Valid(m.Calendar) {
		return fmt.Errorf("mail: calendar is not valid UTF-8")
	}
	cal, err := ical.NewDecoder(bytes.NewReader(m.Calendar)).Decode()
	if err != nil {
		return fmt.Errorf("mail: calendar: %w", err)
	}
	method := cal.Props.Get(ical.PropMethod)
	if method == nil {
		return fmt.Errorf("mail: calendar has no METHOD")
	}
	if method.Value != m.CalendarMethod {
		return fmt.Errorf("mail: calendar METHOD %q does not match calendar method %q", method.Value, m.CalendarMethod)
	}
	return nil
}

func checkAddress(a Address) error {
	if err := checkHeaderText(a.Name); err != nil {
		return fmt.Errorf("name: %w", err)
	}
	if a.Email == "" {
		return fmt.Errorf("email is empty")
	}
	if err := checkHeaderText(a.Email); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	// The errors name no address or name: they end up in logs, and
	// recipients are clients.
	parsed, err := mail.ParseAddress(a.Email)
	if err != nil {
		return errors.New("email is not an address")
	}
	if parsed.Name != "" || parsed.Address != a.Email {
		return errors.New("email is not a bare address")
	}
	return nil
}

// checkHeaderText refuses what would break out of a header field: CR, LF and
// the other control characters (tab aside), and invalid UTF-8. Its errors
// do not quote the text, which may be a client's name.
func checkHeaderText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("text is not valid UTF-8")
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return errors.New("text contains a line break")
		}
		if (r < ' ' && r != '\t') || r == 0x7f {
			return fmt.Errorf("text contains control character %U", r)
		}
	}
	return nil
}

// validFieldName follows RFC 5322 §3.6.8: printable ASCII except colon.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < '!' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// checkMessageID accepts the dot-atom-text "@" dot-atom-text form of
// RFC 5322 §3.6.4, which is what every receiver understands.
func checkMessageID(id string) error {
	left, right, ok := strings.Cut(id, "@")
	if !ok || !isDotAtomText(left) || !isDotAtomText(right) {
		return fmt.Errorf("mail: message ID %q is not of the form left@right (no angle brackets)", id)
	}
	return nil
}

func isDotAtomText(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}
