package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/firststep/firststep/internal/smtptest"
)

// MailServer is the shared test SMTP server (internal/smtptest) with the
// invitation-reading helpers of these journeys.
type MailServer struct{ *smtptest.Server }

// Received is one accepted message: envelope and raw bytes.
type Received = smtptest.Message

// StartMailServer listens on 127.0.0.1 with a random port and stops when
// the test ends.
func StartMailServer(t *testing.T) *MailServer {
	t.Helper()
	return &MailServer{smtptest.Start(t)}
}

// IsInvitation reports whether r carries a calendar invitation; the
// receipt of a request does not.
func IsInvitation(r Received) bool {
	return bytes.Contains(r.Data, []byte("\r\nContent-Type: text/calendar"))
}

// WaitForReceipt waits for the "We received your request" email to to and
// returns its subject and decoded text part.
func (m *MailServer) WaitForReceipt(t *testing.T, to string) (subject, text string) {
	t.Helper()
	var found Received
	m.Await(t, "the receipt of the request to "+to, func(msgs []Received) bool {
		for _, r := range msgs {
			if !IsInvitation(r) && slices.Equal(r.To, []string{to}) {
				found = r
				return true
			}
		}
		return false
	})
	msg, err := mail.ReadMessage(bytes.NewReader(found.Data))
	if err != nil {
		t.Fatalf("receipt does not parse: %v", err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("receipt content type: %v", err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("receipt has no text/plain part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatalf("receipt text: %v", err)
			}
			return subject, string(b)
		}
	}
}

// Invitation is a received email parsed the way a mail client reads it.
type Invitation struct {
	Received
	Header mail.Header
	// Text and HTML are the decoded bodies; Calendar is the raw text/calendar part.
	Text, HTML, Calendar string
	// PartMethod is the method parameter of the text/calendar part's type.
	PartMethod string
	// InAlternative says the calendar part sits in a multipart/alternative
	// beside text/plain and text/html.
	InAlternative bool

	Method   string // the VCALENDAR's METHOD
	UID      string
	Sequence int
	Status   string
	Start    time.Time
	// Organizer and Attendees are the mailto: values of ORGANIZER and ATTENDEE.
	Organizer string
	Attendees []string
}

// Recipient is the single envelope recipient of the message.
func (inv Invitation) Recipient() string {
	if len(inv.To) != 1 {
		return strings.Join(inv.To, ",")
	}
	return inv.To[0]
}

// Decoded is everything a reader of the email could see: headers and every
// decoded part.
func (inv Invitation) Decoded() string {
	var b strings.Builder
	for k, vs := range inv.Header {
		for _, v := range vs {
			if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
				v = d
			}
			b.WriteString(k + ": " + v + "\n")
		}
	}
	b.WriteString(inv.Text + "\n" + inv.HTML + "\n" + inv.Calendar)
	return b.String()
}

// ParseInvitation reads a received message with net/mail and
// mime/multipart, finds its calendar part and reads it with go-ical.
func ParseInvitation(t *testing.T, r Received) Invitation {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("message to %v does not parse: %v", r.To, err)
	}
	inv := Invitation{Received: r, Header: msg.Header}
	walkPart(t, &inv, msg.Header, msg.Body, "")
	if inv.Calendar == "" {
		t.Fatalf("message to %v has no text/calendar part:\n%s", r.To, r.Data)
	}
	cal, err := ical.NewDecoder(strings.NewReader(inv.Calendar)).Decode()
	if err != nil {
		t.Fatalf("calendar of the message to %v does not parse: %v\n%s", r.To, err, inv.Calendar)
	}
	if p := cal.Props.Get(ical.PropMethod); p != nil {
		inv.Method = p.Value
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("calendar of the message to %v has %d events, want 1", r.To, len(events))
	}
	ev := events[0]
	if p := ev.Props.Get(ical.PropUID); p != nil {
		inv.UID = p.Value
	}
	if p := ev.Props.Get(ical.PropStatus); p != nil {
		inv.Status = p.Value
	}
	if p := ev.Props.Get(ical.PropSequence); p != nil {
		if inv.Sequence, err = strconv.Atoi(p.Value); err != nil {
			t.Fatalf("SEQUENCE %q: %v", p.Value, err)
		}
	} else {
		inv.Sequence = -1
	}
	if p := ev.Props.Get(ical.PropOrganizer); p != nil {
		inv.Organizer = p.Value
	}
	for _, p := range ev.Props.Values(ical.PropAttendee) {
		inv.Attendees = append(inv.Attendees, p.Value)
	}
	if inv.Start, err = ev.DateTimeStart(time.UTC); err != nil {
		t.Fatalf("DTSTART of the message to %v: %v", r.To, err)
	}
	return inv
}

// walkPart visits one MIME part; parent is the media type of the
// multipart it sits in.
func walkPart(t *testing.T, inv *Invitation, h map[string][]string, body io.Reader, parent string) {
	t.Helper()
	ct := first(h, "Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		var kinds []string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("read a part of %s: %v", media, err)
			}
			kind, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			kinds = append(kinds, kind)
			walkPart(t, inv, p.Header, p, media)
		}
		if media == "multipart/alternative" && slices.Contains(kinds, "text/calendar") {
			inv.InAlternative = slices.Contains(kinds, "text/plain") && slices.Contains(kinds, "text/html")
		}
		return
	}
	// multipart.Reader already decodes quoted-printable and drops the header.
	if strings.EqualFold(first(h, "Content-Transfer-Encoding"), "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read %s part: %v", media, err)
	}
	disposition, _, _ := mime.ParseMediaType(first(h, "Content-Disposition"))
	switch {
	case media == "text/plain" && disposition != "attachment":
		inv.Text = string(data)
	case media == "text/html" && disposition != "attachment":
		inv.HTML = string(data)
	case media == "text/calendar" && parent == "multipart/alternative":
		inv.Calendar, inv.PartMethod = string(data), params["method"]
	case media == "text/calendar" || media == "application/ics":
		// An attachment copy: it must say the same as the inline part.
		if inv.Calendar != "" && string(data) != inv.Calendar {
			t.Errorf("the .ics attachment differs from the inline calendar")
		}
	}
}

func first(h map[string][]string, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// WaitForInvitations waits until the server has accepted one message for
// each of recipients whose calendar carries sequence, and returns them by
// recipient. It fails the test after smtptest.Timeout.
func (m *MailServer) WaitForInvitations(t *testing.T, sequence int, recipients ...string) map[string]Invitation {
	t.Helper()
	var found map[string]Invitation
	m.Await(t, fmt.Sprintf("messages with SEQUENCE %d for %v", sequence, recipients), func(msgs []Received) bool {
		found = map[string]Invitation{}
		extra := 0
		for _, r := range msgs {
			if !IsInvitation(r) {
				continue
			}
			inv := ParseInvitation(t, r)
			if inv.Sequence != sequence {
				continue
			}
			if _, seen := found[inv.Recipient()]; seen {
				t.Errorf("two messages with SEQUENCE %d to %s", sequence, inv.Recipient())
			}
			if !slices.Contains(recipients, inv.Recipient()) {
				extra++
			}
			found[inv.Recipient()] = inv
		}
		if extra > 0 {
			t.Fatalf("messages with SEQUENCE %d went to %v, want exactly %v", sequence, slices.Sorted(maps.Keys(found)), recipients)
		}
		return len(found) == len(recipients)
	})
	return found
}
