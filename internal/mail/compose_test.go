package mail

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/golden"

	"github.com/emersion/go-ical"

	"github.com/firststep/firststep/internal/invite"
)

var testDate = time.Date(2025, 3, 1, 15, 4, 5, 0, time.UTC)

func testInvitation(method invite.Method, seq int) invite.Invitation {
	return invite.Invitation{
		Method:      method,
		UID:         "booking-42@riverbend.example",
		Sequence:    seq,
		Stamp:       testDate,
		Start:       time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC),
		End:         time.Date(2025, 3, 10, 13, 20, 0, 0, time.UTC),
		Summary:     "Consultation — Riverbend Therapy",
		Location:    "https://meet.riverbend.example/r/7f3k-29qa",
		Description: "Your free 20-minute consultation with Riverbend Therapy.\nJoin by video: https://meet.riverbend.example/r/7f3k-29qa",
		Organizer:   invite.Person{Name: "Riverbend Therapy", Email: "appointments@riverbend.example"},
		Attendees: []invite.Person{
			{Name: "Dr. Maya Lindqvist", Email: "maya.lindqvist@riverbend.example"},
			{Name: "Zoë Ångström", Email: "zoe@example.com"},
		},
	}
}

// inviteMessage is the confirmation a client receives for a new booking.
func inviteMessage(t *testing.T, method invite.Method, seq int) Message {
	t.Helper()
	cal, err := testInvitation(method, seq).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return Message{
		From: Address{Name: "Riverbend Therapy", Email: "appointments@riverbend.example"},
		To: []Address{
			{Name: "Dr. Maya Lindqvist", Email: "maya.lindqvist@riverbend.example"},
			{Name: "Zoë Ångström", Email: "zoe@example.com"},
		},
		Subject:   "Consultation — Riverbend Therapy",
		Date:      testDate,
		MessageID: "booking-42.request.0@riverbend.example",
		Text: "Hello Zoë,\n\nYour consultation is booked for Monday 10 March, 9:00 am (New York time).\n" +
			"Join by video: https://meet.riverbend.example/r/7f3k-29qa\n\nRiverbend Therapy\n",
		HTML: "<!doctype html>\n<p>Hello Zoë,</p>\n<p>Your consultation is booked for <strong>Monday 10 March, 9:00 am</strong> (New York time).</p>\n" +
			`<p><a href="https://meet.riverbend.example/r/7f3k-29qa">Join by video</a></p>` + "\n",
		Calendar:       cal,
		CalendarMethod: string(method),
	}
}

func plainMessage() Message {
	return Message{
		From:      Address{Name: "Riverbend Therapy", Email: "appointments@riverbend.example"},
		To:        []Address{{Name: "O'Brien, Ann", Email: "ann.obrien@example.com"}},
		Subject:   "Your sign-in link",
		Date:      testDate,
		MessageID: "login-7f3k@riverbend.example",
		Text:      "Use this link within 15 minutes to sign in:\nhttps://riverbend.example/login/7f3k29qa\n",
	}
}

type part struct {
	mediaType   string
	params      map[string]string
	body        string // after transfer decoding
	within      string // the enclosing multipart's type
	disposition string // Content-Disposition, with its parameters in dispParams
	dispParams  map[string]string
}

// parse reads the message the way a mail client does.
func parse(t *testing.T, raw []byte) (*mail.Message, []part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("top-level Content-Type: %v", err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		body := decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
		return msg, []part{{mediaType: mediaType, params: params, body: body}}
	}
	return msg, readParts(t, msg.Body, mediaType, params["boundary"])
}

// readParts returns the leaf parts of a multipart body, depth first, as a
// mail client lists them.
func readParts(t *testing.T, body io.Reader, mediaType, boundary string) []part {
	t.Helper()
	var parts []part
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type: %v", err)
		}
		if strings.HasPrefix(pt, "multipart/") {
			parts = append(parts, readParts(t, p, pt, pp["boundary"])...)
			continue
		}
		// multipart.Reader decodes quoted-printable itself and drops the header.
		leaf := part{mediaType: pt, params: pp, within: mediaType, body: decodeBody(t, p.Header.Get("Content-Transfer-Encoding"), p)}
		if cd := p.Header.Get("Content-Disposition"); cd != "" {
			if leaf.disposition, leaf.dispParams, err = mime.ParseMediaType(cd); err != nil {
				t.Fatalf("Content-Disposition %q: %v", cd, err)
			}
		}
		parts = append(parts, leaf)
	}
	return parts
}

func decodeBody(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	switch strings.ToLower(cte) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s body: %v", cte, err)
	}
	return string(b)
}

// crlfToLF undoes the canonical CRLF line breaks of MIME text, as mail
// clients do before display.
func crlfToLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	s := string(raw)
	if !strings.HasSuffix(s, "\r\n") {
		t.Error("message does not end with CRLF")
	}
	if strings.Count(s, "\n") != strings.Count(s, "\r\n") || strings.Count(s, "\r") != strings.Count(s, "\r\n") {
		t.Error("message has a bare CR or LF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > maxHeaderLine {
			t.Errorf("line %d has %d characters: %q", i+1, len(line), line)
		}
		for _, r := range line {
			if r > '~' {
				t.Errorf("line %d holds non-ASCII %q: %q", i+1, r, line)
				break
			}
		}
	}
}

func TestBytesGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		msg       Message
		wantTypes []string
	}{
		{name: "invite-request", msg: inviteMessage(t, invite.MethodRequest, 0), wantTypes: []string{"text/plain", "text/html", "text/calendar", "application/ics"}},
		{name: "plain", msg: plainMessage(), wantTypes: []string{"text/plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, err := tt.msg.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, filepath.Join("testdata", tt.name+".eml"), raw)
			checkLines(t, raw)

			again, err := tt.msg.Bytes()
			if err != nil || !bytes.Equal(raw, again) {
				t.Error("Bytes() is not deterministic")
			}

			msg, parts := parse(t, raw)
			checkHeaders(t, msg.Header, tt.msg)

			var types []string
			for _, p := range parts {
				types = append(types, p.mediaType)
				if p.mediaType != "application/ics" && p.params["charset"] != "UTF-8" {
					t.Errorf("%s charset = %q, want UTF-8", p.mediaType, p.params["charset"])
				}
			}
			if strings.Join(types, ",") != strings.Join(tt.wantTypes, ",") {
				t.Fatalf("parts = %v, want %v", types, tt.wantTypes)
			}
			if got := crlfToLF(parts[0].body); got != tt.msg.Text {
				t.Errorf("text body = %q, want %q", got, tt.msg.Text)
			}
			if tt.msg.HTML != "" && crlfToLF(parts[1].body) != tt.msg.HTML {
				t.Errorf("HTML body = %q, want %q", parts[1].body, tt.msg.HTML)
			}
			if tt.msg.Calendar != nil {
				checkCalendarPart(t, parts[2], tt.msg)
				checkAttachment(t, parts[3], tt.msg)
			}
		})
	}
}

func checkHeaders(t *testing.T, h mail.Header, m Message) {
	t.Helper()
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != m.From.Name || from[0].Address != m.From.Email {
		t.Errorf("From = %v, %v; want %+v", from, err, m.From)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != len(m.To) {
		t.Fatalf("To = %v, %v; want %d addresses", to, err, len(m.To))
	}
	for i, a := range to {
		if a.Name != m.To[i].Name || a.Address != m.To[i].Email {
			t.Errorf("To[%d] = %q <%s>, want %q <%s>", i, a.Name, a.Address, m.To[i].Name, m.To[i].Email)
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q, %v; want %q", subject, err, m.Subject)
	}
	date, err := h.Date()
	if err != nil || !date.Equal(m.Date) {
		t.Errorf("Date = %v, %v; want %v", date, err, m.Date)
	}
	for name, want := range map[string]string{
		"Message-Id":     "<" + m.MessageID + ">",
		"Mime-Version":   "1.0",
		"Auto-Submitted": "auto-generated",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

// checkCalendarPart checks what makes clients show an invitation: the part's
// method parameter equals the object's METHOD, and the object parses.
func checkCalendarPart(t *testing.T, p part, m Message) {
	t.Helper()
	if p.body != string(m.Calendar) {
		t.Errorf("calendar part does not decode to the calendar given")
	}
	cal, err := ical.NewDecoder(strings.NewReader(p.body)).Decode()
	if err != nil {
		t.Fatalf("calendar part does not parse: %v", err)
	}
	method := cal.Props.Get(ical.PropMethod)
	if method == nil {
		t.Fatal("calendar has no METHOD")
	}
	if p.params["method"] != method.Value || method.Value != m.CalendarMethod {
		t.Errorf("part method=%q, VCALENDAR METHOD %q, message CalendarMethod %q", p.params["method"], method.Value, m.CalendarMethod)
	}
	if len(cal.Events()) != 1 {
		t.Errorf("calendar has %d events, want 1", len(cal.Events()))
	}
}

// checkAttachment checks the attached copy of the calendar: the same bytes
// as the inline part, as invite.ics, beside (not inside) the alternatives.
func checkAttachment(t *testing.T, p part, m Message) {
	t.Helper()
	if p.mediaType != "application/ics" || p.params["name"] != "invite.ics" {
		t.Errorf("attachment Content-Type = %s %v, want application/ics; name=invite.ics", p.mediaType, p.params)
	}
	if p.disposition != "attachment" || p.dispParams["filename"] != "invite.ics" {
		t.Errorf("attachment Content-Disposition = %s %v, want attachment; filename=invite.ics", p.disposition, p.dispParams)
	}
	if p.within != "multipart/mixed" {
		t.Errorf("attachment is inside %s, want the multipart/mixed", p.within)
	}
	if p.body != string(m.Calendar) {
		t.Error("attachment is not the same calendar as the inline part")
	}
}

// An invitation is multipart/mixed: the alternatives (text, HTML, the
// inline calendar) first, then the calendar again as an attachment.
func TestBytesAttachesTheCalendar(t *testing.T) {
	t.Parallel()
	m := inviteMessage(t, invite.MethodRequest, 0)
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	msg, parts := parse(t, raw)
	if mt, _, _ := mime.ParseMediaType(msg.Header.Get("Content-Type")); mt != "multipart/mixed" {
		t.Fatalf("Content-Type = %s, want multipart/mixed", mt)
	}
	var layout []string
	for _, p := range parts {
		layout = append(layout, p.within+">"+p.mediaType+":"+p.disposition)
	}
	want := []string{"multipart/alternative>text/plain:", "multipart/alternative>text/html:",
		"multipart/alternative>text/calendar:", "multipart/mixed>application/ics:attachment"}
	if strings.Join(layout, " ") != strings.Join(want, " ") {
		t.Fatalf("layout = %v, want %v", layout, want)
	}
	if parts[2].params["method"] != "REQUEST" {
		t.Errorf("inline calendar method = %q, want REQUEST", parts[2].params["method"])
	}
	checkAttachment(t, parts[3], m)

	plain := plainMessage()
	plain.HTML = "<p>Hello</p>"
	raw, err = plain.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if msg, _ := parse(t, raw); !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative;") {
		t.Errorf("a message without a calendar is %s, want multipart/alternative", msg.Header.Get("Content-Type"))
	}
}

func TestBytesCancel(t *testing.T) {
	t.Parallel()
	m := inviteMessage(t, invite.MethodCancel, 2)
	m.MessageID = "booking-42.cancel.2@riverbend.example"
	m.HTML = ""
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	_, parts := parse(t, raw)
	if len(parts) != 3 || parts[0].mediaType != "text/plain" || parts[1].mediaType != "text/calendar" || parts[2].mediaType != "application/ics" {
		t.Fatalf("parts = %+v, want text/plain then text/calendar, then the attachment", parts)
	}
	checkCalendarPart(t, parts[1], m)
	checkAttachment(t, parts[2], m)
	if !bytes.Contains(raw, []byte("Content-Type: text/calendar; charset=UTF-8; method=CANCEL\r\n")) {
		t.Errorf("calendar part header not as expected:\n%s", raw)
	}
}

func TestBytesRoundTrip(t *testing.T) {
	t.Parallel()
	base := plainMessage()
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{name: "non-ASCII subject", edit: func(m *Message) { m.Subject = "Consultation — Riverbend Therapy" }},
		{name: "long non-ASCII subject is folded", edit: func(m *Message) {
			m.Subject = strings.Repeat("Überweisung für die Erstberatung — bitte bestätigen ", 4)
		}},
		{name: "long ASCII subject is folded", edit: func(m *Message) {
			m.Subject = strings.Repeat("Your consultation with Riverbend Therapy is confirmed ", 3) + "end"
		}},
		{name: "double spaces survive folding", edit: func(m *Message) {
			m.Subject = strings.Repeat("two  spaces, then one ", 8) + "end"
		}},
		{name: "non-ASCII names", edit: func(m *Message) {
			m.From.Name = "Praxis Müller & Söhne"
			m.To = []Address{{Name: "Zoë Ångström", Email: "zoe@example.com"}, {Name: "李小龍", Email: "li@example.com"}}
		}},
		{name: "punctuation in names", edit: func(m *Message) {
			m.To = []Address{{Name: `O'Brien, Ann; "A\B"`, Email: "ann@example.com"}, {Email: "no.name@example.com"}}
		}},
		{name: "many recipients are folded", edit: func(m *Message) {
			m.To = nil
			for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
				m.To = append(m.To, Address{Name: "Client " + n, Email: "client." + n + "@example.com"})
			}
		}},
		{name: "text that mimics the boundary", edit: func(m *Message) {
			m.HTML = "<p>x</p>"
			m.Text = "--" + boundaryFor(m.MessageID) + "\r\nContent-Type: text/html\r\n\r\n--" + boundaryFor(m.MessageID) + "--\n"
		}},
		{name: "long lines, trailing spaces and = in text", edit: func(m *Message) {
			m.HTML = `<p style="color: red">` + strings.Repeat("long line ", 30) + "</p>   \n"
			m.Text = "a=b   \n" + strings.Repeat("€", 60) + "\n"
		}},
		{name: "tab in subject", edit: func(m *Message) { m.Subject = "Intake\tform" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := base
			m.To = append([]Address(nil), base.To...)
			tt.edit(&m)
			raw, err := m.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, raw)
			msg, parts := parse(t, raw)
			checkHeaders(t, msg.Header, m)
			want := crlfToLF(m.Text)
			if parts[0].mediaType != "text/plain" || crlfToLF(parts[0].body) != want {
				t.Errorf("text part = %s %q, want %q", parts[0].mediaType, parts[0].body, want)
			}
			if m.HTML != "" && (len(parts) != 2 || crlfToLF(parts[1].body) != m.HTML) {
				t.Errorf("parts = %+v, want the HTML %q second", parts, m.HTML)
			}
		})
	}
}

func TestBytesExtraHeaders(t *testing.T) {
	t.Parallel()
	m := plainMessage()
	m.Headers = map[string]string{
		"auto-submitted":   "auto-replied",
		"List-Unsubscribe": "<https://riverbend.example/unsubscribe/7f3k>",
	}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := parse(t, raw)
	if got := msg.Header["Auto-Submitted"]; len(got) != 1 || got[0] != "auto-replied" {
		t.Errorf("Auto-Submitted = %q, want the caller's single value", got)
	}
	if got := msg.Header.Get("List-Unsubscribe"); got != m.Headers["List-Unsubscribe"] {
		t.Errorf("List-Unsubscribe = %q", got)
	}
}

func TestBoundaryDependsOnMessageID(t *testing.T) {
	t.Parallel()
	a, b := boundaryFor("a@example.org"), boundaryFor("b@example.org")
	if a == b || a != boundaryFor("a@example.org") {
		t.Errorf("boundaries %q and %q", a, b)
	}
	if err := multipart.NewWriter(io.Discard).SetBoundary(a); err != nil {
		t.Errorf("boundary %q rejected: %v", a, err)
	}
}

func TestRecipients(t *testing.T) {
	t.Parallel()
	m := inviteMessage(t, invite.MethodRequest, 0)
	got := strings.Join(m.Recipients(), " ")
	if want := "maya.lindqvist@riverbend.example zoe@example.com"; got != want {
		t.Errorf("Recipients() = %q, want %q", got, want)
	}
}
