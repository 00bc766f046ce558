package outbox

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"
)

// Transport hands one message to the world. It returns nil only when the
// message was accepted (by the mail server, or written to disk); any error
// means it may be tried again, unless IsPermanent reports otherwise.
type Transport interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// NewTransport returns the SMTP transport for smtpURL (smtp://user:pass@host:port,
// STARTTLS when offered, or smtps:// for implicit TLS), or, when smtpURL is
// empty, the file transport that writes each message under dataDir/outbox.
// Both implement fmt.Stringer with a description safe to log (no password).
func NewTransport(smtpURL, dataDir string) (Transport, error) {
	if strings.TrimSpace(smtpURL) == "" {
		if dataDir == "" {
			return nil, errors.New("mail: no SMTP URL and no data folder for the file mailer")
		}
		return NewFileTransport(dataDir), nil
	}
	return NewSMTPTransport(smtpURL)
}

// permanentError marks a failure that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a permanent failure: the message is marked failed
// and not tried again. Transports use it for refusals of the message itself
// (an SMTP 5xx reply to MAIL, RCPT or DATA); everything else — a refused
// connection, a timeout, a 4xx reply, bad credentials — is temporary.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// maxErrorLen bounds last_error; a server's reply is a line or two.
const maxErrorLen = 1000

// errorText is what is stored as last_error: the error's text (the server's
// reply for SMTP errors), on one line, bounded. Transports never put message
// bodies into errors.
func errorText(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) <= maxErrorLen {
		return s
	}
	s = s[:maxErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
