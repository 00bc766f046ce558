// Package invite writes the iCalendar objects (RFC 5545) that Firststep sends
// as iTIP scheduling messages (RFC 5546) inside email (iMIP, RFC 6047).
//
// Gmail, Outlook and Apple Calendar only offer "add to calendar" and only
// apply later updates to the same event when the object follows iTIP to the
// letter: a METHOD on the calendar, one stable UID per booking, a SEQUENCE
// that grows with every message, an ORGANIZER and ATTENDEEs as mailto: URIs,
// and STATUS:CANCELLED on a METHOD:CANCEL. This package owns those rules so
// that callers only describe the consultation.
package invite

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Method is the iTIP method of the scheduling message.
type Method string

const (
	// MethodRequest invites the attendees; it is sent for a new booking and,
	// with the same UID and a higher Sequence, for every reschedule.
	MethodRequest Method = "REQUEST"
	// MethodCancel removes the event from the attendees' calendars.
	MethodCancel Method = "CANCEL"
)

// ProdID names the product that wrote the calendar (PRODID, RFC 5545 §3.7.3).
const ProdID = "-//Firststep//Consultations//EN"

// Person is the organizer or an attendee. Name becomes the CN parameter that
// calendar clients show; Email is the bare address (no display name, no angle
// brackets) that they match against the user's own addresses.
type Person struct {
	Name  string
	Email string
}

// Invitation describes one iTIP message about one booking.
//
// UID must stay the same for every message about the booking and Sequence
// must grow with every message after the first: clients drop messages whose
// SEQUENCE is not newer than the one they already applied.
//
// Times may be in any location; they are written in UTC so that no VTIMEZONE
// is needed and every client shows the same instant.
type Invitation struct {
	Method      Method
	UID         string    // stable per booking, e.g. "booking-42@example.org"
	Sequence    int       // 0 for the first message, higher on every later one
	Stamp       time.Time // DTSTAMP: when this message was created
	Start, End  time.Time
	Summary     string // generic title; it is visible to anyone who sees the calendar
	Location    string // video link or street address; optional
	Description string // short text, may span lines; optional
	// URL is the recipient's own page about the consultation (a client's
	// manage link, the clinician's staff page): absolute http(s); optional.
	URL string
	// Conference is the video meeting's address, when there is one; it is
	// written as RFC 7986 CONFERENCE;VALUE=URI;FEATURE=VIDEO so that clients
	// show a "join" button. Absolute http(s); optional.
	Conference string
	Organizer  Person // the practice's sending address
	// Attendees are written once per distinct address; see attendees.
	Attendees []Person
}

// Validate reports the first structural problem that would make calendar
// clients reject or misapply the invitation. Free text (names, summary,
// location, description) is not rejected for stray control characters or
// quotes: Encode cleans those up.
func (inv Invitation) Validate() error {
	switch inv.Method {
	case MethodRequest, MethodCancel:
	default:
		return fmt.Errorf("invite: unsupported method %q", inv.Method)
	}
	if strings.TrimSpace(inv.UID) == "" {
		return fmt.Errorf("invite: UID is empty")
	}
	if !utf8.ValidString(inv.UID) || strings.ContainsFunc(inv.UID, unicode.IsControl) {
		return fmt.Errorf("invite: UID %q contains control characters or invalid UTF-8", inv.UID)
	}
	if inv.Sequence < 0 {
		return fmt.Errorf("invite: negative sequence %d", inv.Sequence)
	}
	// A CANCEL always follows at least one REQUEST (SEQUENCE 0), so a CANCEL
	// at SEQUENCE 0 means the caller forgot to increment and clients would
	// ignore it as stale.
	if inv.Method == MethodCancel && inv.Sequence < 1 {
		return fmt.Errorf("invite: CANCEL needs a sequence above the original REQUEST's, got %d", inv.Sequence)
	}
	if inv.Stamp.IsZero() {
		return fmt.Errorf("invite: stamp (DTSTAMP) is zero")
	}
	if inv.Start.IsZero() || inv.End.IsZero() {
		return fmt.Errorf("invite: start and end are required")
	}
	if !inv.End.After(inv.Start) {
		return fmt.Errorf("invite: end %s is not after start %s", inv.End.UTC().Format(time.RFC3339), inv.Start.UTC().Format(time.RFC3339))
	}
	if cleanLine(inv.Summary) == "" {
		return fmt.Errorf("invite: summary is empty")
	}
	for _, u := range []string{inv.URL, inv.Conference} {
		if u != "" {
			if err := checkURL(u); err != nil {
				return err
			}
		}
	}
	if err := checkEmail(inv.Organizer.Email); err != nil {
		return fmt.Errorf("invite: organizer: %w", err)
	}
	if len(inv.Attendees) == 0 {
		return fmt.Errorf("invite: no attendees")
	}
	for i, a := range inv.Attendees {
		if err := checkEmail(a.Email); err != nil {
			return fmt.Errorf("invite: attendee %d: %w", i, err)
		}
	}
	if len(inv.attendees()) == 0 {
		return fmt.Errorf("invite: no attendees besides the organizer")
	}
	return nil
}

// attendees returns the ATTENDEEs to write: one per distinct address, with
// the first name given for it, and none at the organizer's own address.
//
// People share addresses in real life (a couple with one mailbox, a
// clinician trying the booking page with their own address, a practice
// whose sending address is a clinician's), and a calendar knows a
// participant only by address: a second ATTENDEE with the same address is
// ambiguous, and the organizer listed again as an attendee is asked to
// answer its own invitation. So, as Outlook writes invitations, an address
// is either the organizer or one attendee.
func (inv Invitation) attendees() []Person {
	out := make([]Person, 0, len(inv.Attendees))
	for _, a := range inv.Attendees {
		if sameAddress(a.Email, inv.Organizer.Email) || slices.ContainsFunc(out, func(p Person) bool { return sameAddress(p.Email, a.Email) }) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Invites reports whether an email to address should carry this
// invitation. Only attendees are invited: a message to the organizer's own
// address would show its reader as the organizer of the consultation (with
// no way to accept it, and every reply addressed to themselves), so that
// reader is told by the email's text alone.
func (inv Invitation) Invites(address string) bool {
	return slices.ContainsFunc(inv.attendees(), func(p Person) bool { return sameAddress(p.Email, address) })
}

// sameAddress compares two bare addresses as mail systems in practice do:
// without regard to case.
func sameAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// checkEmail accepts only a bare addr-spec that can be written after
// "mailto:" as is: no display name, no whitespace, quotes or control
// characters.
func checkEmail(email string) error {
	if email == "" {
		return fmt.Errorf("email is empty")
	}
	if strings.ContainsFunc(email, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || r == '"' || r == '<' || r == '>'
	}) {
		return errors.New("email contains whitespace, quotes, angle brackets or control characters")
	}
	// The errors name no address: they end up in logs.
	a, err := mail.ParseAddress(email)
	if err != nil {
		return errors.New("email is not an address")
	}
	if a.Name != "" || a.Address != email {
		return errors.New("email is not a bare address")
	}
	return nil
}

func checkURL(raw string) error {
	if strings.ContainsFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) {
		// The URL is not quoted: it is a manage link, and errors reach the log.
		return errors.New("invite: URL contains whitespace or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invite: URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("invite: URL is not an absolute http(s) URL")
	}
	return nil
}
