package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// Bytes validates the message and returns it ready for SMTP DATA: every line
// ends in CRLF and none is longer than 78 characters, except a header whose
// value offers no single space to fold at (RFC 5322 still allows up to 998).
//
// Without HTML or Calendar the body is a single text/plain part. Otherwise it
// is multipart/alternative with text/plain, then text/html, then the inline
// text/calendar: clients show the last alternative they understand, and the
// calendar must come last for Outlook and Gmail to treat the message as an
// invitation. With a Calendar, that multipart/alternative is the first part
// of a multipart/mixed whose second part is the same calendar attached as
// invite.ics (application/ics).
func (m Message) Bytes() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	writeField(&b, "From", formatAddress(m.From))
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = formatAddress(a)
	}
	writeField(&b, "To", strings.Join(to, ", "))
	writeField(&b, "Subject", mime.QEncoding.Encode("UTF-8", m.Subject))
	writeField(&b, "Date", m.Date.Format(time.RFC1123Z))
	writeField(&b, "Message-ID", "<"+m.MessageID+">")
	writeField(&b, "MIME-Version", "1.0")

	extra := map[string]string{"Auto-Submitted": "auto-generated"}
	for name, value := range m.Headers {
		extra[textproto.CanonicalMIMEHeaderKey(name)] = value
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		writeField(&b, name, extra[name])
	}

	if m.HTML == "" && len(m.Calendar) == 0 {
		writeField(&b, "Content-Type", "text/plain; charset=UTF-8")
		writeField(&b, "Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQuotedPrintable(&b, m.Text); err != nil {
			return nil, err
		}
		if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
			b.WriteString("\r\n")
		}
		return b.Bytes(), nil
	}

	alternative, boundary, err := m.alternative()
	if err != nil {
		return nil, err
	}
	if len(m.Calendar) == 0 {
		writeField(&b, "Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
		b.WriteString("\r\n")
		b.Write(alternative)
		return b.Bytes(), nil
	}

	// An invitation also carries the calendar as an attachment, as
	// CalConnect's iMIP guidance recommends: some clients (and mobile
	// apps) read only the inline part, others only an attached .ics. The
	// multipart/mixed holds the alternatives first, then the attachment.
	mixed := boundaryFor("multipart/mixed\x00" + m.MessageID)
	writeField(&b, "Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mixed}))
	b.WriteString("\r\n")
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(mixed); err != nil {
		return nil, fmt.Errorf("mail: boundary: %w", err)
	}
	// multipart.Writer writes part headers as given: the boundary parameter
	// goes on a continuation line to keep within 78 characters.
	alt := strings.Replace(mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}), "; ", ";\r\n ", 1)
	w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {alt}})
	if err != nil {
		return nil, fmt.Errorf("mail: alternative part: %w", err)
	}
	if _, err := w.Write(alternative); err != nil {
		return nil, fmt.Errorf("mail: alternative part: %w", err)
	}
	w, err = mw.CreatePart(textproto.MIMEHeader{
		// Quoted, as Gmail and Outlook write them, though a token would do.
		"Content-Type":              {`application/ics; name="` + AttachmentName + `"`},
		"Content-Disposition":       {`attachment; filename="` + AttachmentName + `"`},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, fmt.Errorf("mail: calendar attachment: %w", err)
	}
	if err := writeBase64(w, m.Calendar); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: close multipart: %w", err)
	}
	return b.Bytes(), nil
}

// AttachmentName is the file name of the attached copy of the calendar.
const AttachmentName = "invite.ics"

// alternative returns the body of the multipart/alternative (text, HTML,
// inline calendar) and its boundary.
func (m Message) alternative() ([]byte, string, error) {
	var b bytes.Buffer
	boundary := boundaryFor(m.MessageID)
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, "", fmt.Errorf("mail: boundary: %w", err)
	}
	if err := writeTextPart(mw, "text/plain", m.Text); err != nil {
		return nil, "", err
	}
	if m.HTML != "" {
		if err := writeTextPart(mw, "text/html", m.HTML); err != nil {
			return nil, "", err
		}
	}
	if len(m.Calendar) > 0 {
		ct := mime.FormatMediaType("text/calendar", map[string]string{"charset": "UTF-8", "method": m.CalendarMethod})
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {ct},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, "", fmt.Errorf("mail: calendar part: %w", err)
		}
		if err := writeBase64(w, m.Calendar); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", fmt.Errorf("mail: close multipart: %w", err)
	}
	return b.Bytes(), boundary, nil
}

// formatAddress leaves quoting of the display name, and RFC 2047 encoding of
// non-ASCII names, to net/mail.
func formatAddress(a Address) string {
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

// boundaryFor derives the MIME boundary from the Message-ID so that the same
// message always has the same bytes. The "=_" prefix can never occur in
// quoted-printable or base64 output — the only encodings used for parts — so
// no body can contain the boundary, whatever its text.
func boundaryFor(seed string) string {
	sum := sha256.Sum256([]byte("firststep multipart/alternative\x00" + seed))
	return "=_" + hex.EncodeToString(sum[:16])
}

func writeTextPart(mw *multipart.Writer, mediaType, text string) error {
	w, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mediaType + "; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return fmt.Errorf("mail: %s part: %w", mediaType, err)
	}
	return writeQuotedPrintable(w, text)
}

// writeQuotedPrintable encodes text with CRLF line breaks whatever breaks the
// caller used, and lines of at most 76 characters.
func writeQuotedPrintable(w io.Writer, text string) error {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(text)); err != nil {
		return fmt.Errorf("mail: quoted-printable: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mail: quoted-printable: %w", err)
	}
	return nil
}

// writeBase64 writes standard base64 in lines of 76 characters (RFC 2045
// §6.8), each ended by CRLF.
func writeBase64(w io.Writer, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(enc) + len(enc)/76*2 + 2)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("mail: base64: %w", err)
	}
	return nil
}
