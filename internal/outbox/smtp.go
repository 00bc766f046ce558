package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Default SMTP timeouts: connecting, and the whole conversation of one send.
const (
	DefaultDialTimeout = 10 * time.Second
	DefaultSendTimeout = 30 * time.Second
)

// SMTPTransport delivers through a mail submission server.
type SMTPTransport struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	username    string
	password    string

	// DialTimeout bounds connecting; SendTimeout bounds one whole send
	// (connect, TLS, AUTH, MAIL, RCPT, DATA). The context passed to Send
	// may shorten both.
	DialTimeout time.Duration
	SendTimeout time.Duration

	tlsConfig *tls.Config // nil: system roots, ServerName = host

	// startTLSSeen remembers that the server offered STARTTLS once, so that
	// later sends upgrade straight away and refuse a connection that
	// suddenly stops offering it.
	startTLSSeen atomic.Bool
}

// NewSMTPTransport parses smtpURL: smtp://[user:pass@]host[:port] (port 587;
// STARTTLS whenever the server offers it) or smtps://[user:pass@]host[:port]
// (port 465; TLS from the first byte). With a user, it authenticates with
// AUTH PLAIN, and only over TLS unless the host is loopback. User and
// password are percent-decoded.
func NewSMTPTransport(smtpURL string) (*SMTPTransport, error) {
	u, err := url.Parse(strings.TrimSpace(smtpURL))
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("SMTP URL is not a valid URL: %v", err)
	}
	t := &SMTPTransport{DialTimeout: DefaultDialTimeout, SendTimeout: DefaultSendTimeout}
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		port = "587"
	case "smtps":
		port, t.implicitTLS = "465", true
	case "":
		return nil, errors.New("SMTP URL must start with smtp:// or smtps://")
	default:
		return nil, fmt.Errorf("SMTP URL must start with smtp:// or smtps://, not %s://", u.Scheme)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("SMTP URL must look like %s://host:port", u.Scheme)
	}
	t.host = u.Hostname()
	if t.host == "" {
		return nil, errors.New("SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("SMTP URL port %q is not a port number", p)
		}
		port = p
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("SMTP URL must not have a path")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("SMTP URL must not have a query or fragment")
	}
	if u.User != nil {
		t.username = u.User.Username()
		pass, hasPass := u.User.Password()
		switch {
		case t.username == "":
			return nil, errors.New("SMTP URL has a password but no user name")
		case !hasPass || pass == "":
			return nil, errors.New("SMTP URL has a user name but no password")
		}
		t.password = pass
	}
	t.addr = net.JoinHostPort(t.host, port)
	return t, nil
}

// String describes the transport for logs, without the password.
func (t *SMTPTransport) String() string {
	scheme := "smtp"
	if t.implicitTLS {
		scheme = "smtps"
	}
	if t.username != "" {
		return fmt.Sprintf("%s://%s@%s", scheme, t.username, t.addr)
	}
	return fmt.Sprintf("%s://%s", scheme, t.addr)
}

// Send delivers raw to the recipients in one SMTP transaction: either every
// recipient is accepted and the message is sent, or nothing is sent. A 5xx
// reply to MAIL, RCPT or DATA is permanent (among them 553/550 5.6.7, an
// address that needs SMTPUTF8), and so is a non-ASCII address at a server
// without SMTPUTF8; failures before MAIL (connecting, TLS, AUTH) concern
// the server or its configuration, not the message, and are temporary
// whatever their code.
func (t *SMTPTransport) Send(ctx context.Context, from string, to []string, raw []byte) error {
	timeout := t.SendTimeout
	if timeout <= 0 {
		timeout = DefaultSendTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	c, secure, err := t.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()

	if t.username != "" {
		if !secure && !isLoopback(t.host) {
			return fmt.Errorf("SMTP server %s does not offer STARTTLS: refusing to send the password unencrypted", t.addr)
		}
		if !c.SupportsAuth(sasl.Plain) {
			return fmt.Errorf("SMTP server %s does not offer AUTH PLAIN", t.addr)
		}
		if err := c.Auth(sasl.NewPlainClient("", t.username, t.password)); err != nil {
			// Refused credentials are the configuration's fault, not the
			// message's: temporary, so that fixing them sends the mail.
			var se *smtp.SMTPError
			if errors.As(err, &se) {
				return &replyError{step: "AUTH", reply: se}
			}
			return fmt.Errorf("AUTH: %w", ctxErr(ctx, err))
		}
	}

	var opts *smtp.MailOptions
	if !isASCII(from) || !allASCII(to) {
		// An address with non-ASCII characters can only travel through a
		// server that offers SMTPUTF8; one that does not will not start to
		// for this message, so the failure is permanent and shows among
		// the failed emails. (The address stays out of the error: it is
		// logged.)
		if ok, _ := c.Extension("SMTPUTF8"); !ok {
			return Permanent(fmt.Errorf("MAIL FROM: %w", errNoSMTPUTF8))
		}
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(from, opts); err != nil {
		return classify("MAIL FROM", ctxErr(ctx, err))
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return classify("RCPT TO", ctxErr(ctx, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", ctxErr(ctx, err))
	}
	if _, err := w.Write(raw); err != nil {
		return classify("DATA", ctxErr(ctx, err))
	}
	if err := w.Close(); err != nil {
		return classify("DATA", ctxErr(ctx, err))
	}
	// Accepted. A failing QUIT changes nothing: the message must not be
	// reported as failed, or it would be sent again.
	_ = c.Quit()
	return nil
}

// errNoSMTPUTF8 says why a message to or from a non-ASCII address failed
// for good at a server without the extension.
var errNoSMTPUTF8 = errors.New("the mail server does not offer SMTPUTF8, which an address with non-ASCII characters needs (RFC 6531)")

// connect opens a client ready for MAIL: greeted, upgraded to TLS when
// possible. secure reports whether the connection is encrypted.
func (t *SMTPTransport) connect(ctx context.Context) (c *smtp.Client, secure bool, err error) {
	if t.implicitTLS {
		c, err := t.dial(ctx, true)
		if err != nil {
			return nil, false, err
		}
		if err := hello(ctx, c); err != nil {
			c.Close()
			return nil, false, err
		}
		return c, true, nil
	}
	if !t.startTLSSeen.Load() {
		c, err := t.dial(ctx, false)
		if err != nil {
			return nil, false, err
		}
		if err := hello(ctx, c); err != nil {
			c.Close()
			return nil, false, err
		}
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return c, false, nil
		}
		// go-smtp upgrades only a fresh connection; reconnect and remember.
		_ = c.Quit()
		c.Close()
		t.startTLSSeen.Store(true)
	}
	conn, err := t.dialConn(ctx, false)
	if err != nil {
		return nil, false, err
	}
	closeOnDone(ctx, conn)
	c, err = smtp.NewClientStartTLS(conn, t.tlsConf())
	if err != nil {
		return nil, false, fmt.Errorf("SMTP STARTTLS with %s: %w", t.addr, ctxErr(ctx, err))
	}
	t.setTimeouts(ctx, c)
	return c, true, nil
}

func (t *SMTPTransport) dial(ctx context.Context, implicitTLS bool) (*smtp.Client, error) {
	conn, err := t.dialConn(ctx, implicitTLS)
	if err != nil {
		return nil, err
	}
	closeOnDone(ctx, conn)
	c := smtp.NewClient(conn)
	t.setTimeouts(ctx, c)
	return c, nil
}

func (t *SMTPTransport) dialConn(ctx context.Context, implicitTLS bool) (net.Conn, error) {
	dialTimeout := t.DialTimeout
	if dialTimeout <= 0 {
		dialTimeout = DefaultDialTimeout
	}
	d := &net.Dialer{Timeout: dialTimeout}
	var (
		conn net.Conn
		err  error
	)
	if implicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: t.tlsConf()}).DialContext(ctx, "tcp", t.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", t.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to SMTP server %s: %w", t.addr, err)
	}
	return conn, nil
}

// setTimeouts keeps go-smtp's per-command deadlines within the send's
// deadline; closeOnDone enforces the deadline itself, since go-smtp resets
// the connection's deadline after every command.
func (t *SMTPTransport) setTimeouts(ctx context.Context, c *smtp.Client) {
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		c.CommandTimeout = left
		c.SubmissionTimeout = left
	}
}

// closeOnDone closes conn when ctx ends — at the latest when Send returns —
// interrupting any blocked read or write.
func closeOnDone(ctx context.Context, conn net.Conn) {
	context.AfterFunc(ctx, func() { conn.Close() })
}

func (t *SMTPTransport) tlsConf() *tls.Config {
	if t.tlsConfig != nil {
		cfg := t.tlsConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = t.host
		}
		return cfg
	}
	return &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}
}

// hello greets the server; go-smtp would otherwise do it lazily and hide
// its error behind the next command.
func hello(ctx context.Context, c *smtp.Client) error {
	if err := c.Hello("localhost"); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return &replyError{step: "SMTP greeting", reply: se}
		}
		return fmt.Errorf("SMTP greeting: %w", ctxErr(ctx, err))
	}
	return nil
}

// classify names the step that failed and marks a 5xx reply permanent —
// except 530 "authentication required", which says the configuration lacks
// a user and password, not that the message is unwelcome.
func classify(step string, err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", step, err)
	}
	reply := &replyError{step: step, reply: se}
	if se.Code >= 500 && se.Code <= 599 && se.Code != 530 {
		return Permanent(reply)
	}
	return reply
}

// replyError is a server's refusal, written as the server sent it
// ("RCPT TO: 550 5.1.1 No such user") since staff read it as last_error.
type replyError struct {
	step  string
	reply *smtp.SMTPError
}

func (e *replyError) Error() string {
	s := fmt.Sprintf("%s: %d", e.step, e.reply.Code)
	if ec := e.reply.EnhancedCode; ec != smtp.EnhancedCodeNotSet && ec != smtp.NoEnhancedCode {
		s += fmt.Sprintf(" %d.%d.%d", ec[0], ec[1], ec[2])
	}
	if e.reply.Message != "" {
		s += " " + e.reply.Message
	}
	return s
}

func (e *replyError) Unwrap() error { return e.reply }

// ctxErr explains an error caused by the send's deadline or cancellation
// (seen by go-smtp as a closed connection).
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("%w (%v)", err, context.Cause(ctx))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCII(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}
