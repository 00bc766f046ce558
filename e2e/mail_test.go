package e2e

import (
	"bytes"
	"encoding/base64"
	"io"
	"log"
	"maps"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-smtp"
)

// mailWait bounds how long a test waits for emails to arrive.
const mailWait = 20 * time.Second

// MailServer is a real SMTP server on loopback that keeps every message it
// accepts, as the server sends it: envelope and raw bytes.
type MailServer struct {
	Addr string

	mu  sync.Mutex
	got []Received
}

// Received is one accepted message.
type Received struct {
	From string   // envelope sender
	To   []string // envelope recipients
	Raw  []byte
}

// StartMailServer listens on 127.0.0.1 with a random port and stops when
// the test ends.
func StartMailServer(t *testing.T) *MailServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	m := &MailServer{Addr: ln.Addr().String()}
	s := smtp.NewServer(m)
	s.Domain = "mail.test"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(ln)
	}()
	t.Cleanup(func() {
		s.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("SMTP server did not stop within 10s")
		}
	})
	return m
}

// URL is the server's address as FIRSTSTEP_SMTP_URL takes it.
func (m *MailServer) URL() string { return "smtp://" + m.Addr }

// Messages are the messages accepted so far, oldest first.
func (m *MailServer) Messages() []Received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.got)
}

// NewSession implements smtp.Backend.
func (m *MailServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{server: m}, nil
}

type mailSession struct {
	server *MailServer
	from   string
	to     []string
}

var _ smtp.Session = (*mailSession)(nil)

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.got = append(s.server.got, Received{From: s.from, To: slices.Clone(s.to), Raw: raw})
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

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
	msg, err := mail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatalf("message to %v does not parse: %v", r.To, err)
	}
	inv := Invitation{Received: r, Header: msg.Header}
	walkPart(t, &inv, msg.Header, msg.Body, "")
	if inv.Calendar == "" {
		t.Fatalf("message to %v has no text/calendar part:\n%s", r.To, r.Raw)
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
// recipient. It fails the test after mailWait.
func (m *MailServer) WaitForInvitations(t *testing.T, sequence int, recipients ...string) map[string]Invitation {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		found := map[string]Invitation{}
		extra := 0
		for _, r := range m.Messages() {
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
		got := slices.Sorted(maps.Keys(found))
		switch {
		case extra > 0:
			t.Fatalf("messages with SEQUENCE %d went to %v, want exactly %v", sequence, got, recipients)
		case len(found) == len(recipients):
			return found
		case time.Now().After(deadline):
			t.Fatalf("after %v, messages with SEQUENCE %d arrived for %v, want %v", mailWait, sequence, got, recipients)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
