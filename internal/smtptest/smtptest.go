// Package smtptest is the one in-process SMTP server of Firststep's tests: a
// real go-smtp server on loopback that keeps what it accepts and can be told
// to refuse (at RCPT or DATA, with a given code), to require AUTH PLAIN, to
// offer STARTTLS or SMTPUTF8, or to take a message and then hang. Tests wait
// for what they expect with Await, which wakes on every message the server
// sees instead of sleeping.
package smtptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Timeout bounds Await and the server's own shutdown.
const Timeout = 30 * time.Second

// Message is one message as the server accepted it.
type Message struct {
	From string   // envelope sender
	To   []string // envelope recipients
	Data []byte   // the message as sent, after dot-unstuffing
	User string   // the authenticated user, if any
	TLS  bool     // whether it came over TLS
}

// Server is a running test SMTP server. Its methods are safe to call from
// any goroutine.
type Server struct {
	Addr string // host:port it listens on

	srv        *smtp.Server
	user, pass string // when set, AUTH PLAIN is required

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every DATA
	got      []Message
	attempts int   // DATA commands seen, accepted or not
	replies  []int // codes to answer the next DATA commands with

	refused     string // see Refuse
	refusedCode int

	holdMarker string // see HoldFirst
	holdUntil  <-chan struct{}
	held       bool
	marked     []time.Time

	rcptReply func(to string) error // see ReplyToRcpt
}

// Option changes how the server is set up.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with user and pass.
func WithAuth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// WithSMTPUTF8 makes the server offer the SMTPUTF8 extension.
func WithSMTPUTF8() Option {
	return func(s *Server) { s.srv.EnableSMTPUTF8 = true }
}

// WithTLS makes the server offer STARTTLS with cfg.
func WithTLS(cfg *tls.Config) Option {
	return func(s *Server) { s.srv.TLSConfig = cfg }
}

// Start runs a server on 127.0.0.1 with a free port until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return StartAt(t, "127.0.0.1:0", opts...)
}

// StartAt runs a server on addr until the test ends; a test that restarts a
// server on the address another one had uses it.
func StartAt(t testing.TB, addr string, opts ...Option) *Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("smtptest: listen %s: %v", addr, err)
	}
	return Serve(t, l, opts...)
}

// Serve runs a server on l until the test ends.
func Serve(t testing.TB, l net.Listener, opts ...Option) *Server {
	t.Helper()
	s := &Server{Addr: l.Addr().String(), changed: make(chan struct{})}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mail.test"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	for _, o := range opts {
		o(s)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.srv.Serve(l)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		select {
		case <-done:
		case <-time.After(Timeout):
			t.Error("smtptest: server did not stop")
		}
	})
	return s
}

// URL is the server's address as FIRSTSTEP_SMTP_URL takes it.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Refuse makes the server answer every DATA whose message contains marker
// with code, whichever order concurrent deliveries arrive in; an empty
// marker stops it.
func (s *Server) Refuse(marker string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused, s.refusedCode = marker, code
}

// FailNext makes the server answer the next n DATA commands with code.
func (s *Server) FailNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.replies = append(s.replies, code)
	}
}

// ReplyToRcpt makes the server answer each RCPT TO with reply(to): nil
// accepts the recipient, an error (see Reply) refuses it.
func (s *Server) ReplyToRcpt(reply func(to string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcptReply = reply
}

// RefuseMailbox makes the server refuse the recipient mailbox (any case)
// at RCPT TO with 550 5.1.1 and message.
func (s *Server) RefuseMailbox(mailbox, message string) {
	s.ReplyToRcpt(func(to string) error {
		if strings.EqualFold(to, mailbox) {
			return Reply(550, smtp.EnhancedCode{5, 1, 1}, message)
		}
		return nil
	})
}

// Reply is an SMTP reply for ReplyToRcpt.
func Reply(code int, enhanced smtp.EnhancedCode, message string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: message}
}

// HoldFirst makes the server take the whole message of the first DATA that
// contains marker and then say nothing until the test ends, as a hanging
// server does (it then answers 451).
func (s *Server) HoldFirst(t testing.TB, marker string) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holdMarker, s.holdUntil = marker, release
}

// MarkedArrivals returns when each DATA containing the hold marker arrived.
func (s *Server) MarkedArrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.marked)
}

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// Accepted counts the accepted messages that contain text.
func (s *Server) Accepted(text string) int {
	n := 0
	for _, m := range s.Messages() {
		if strings.Contains(string(m.Data), text) {
			n++
		}
	}
	return n
}

// DataAttempts counts the DATA commands seen, accepted or not.
func (s *Server) DataAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Await waits until cond holds for the accepted messages and returns them;
// cond is checked now and again each time the server sees a DATA. It fails
// the test, naming what, after Timeout.
func (s *Server) Await(t testing.TB, what string, cond func([]Message) bool) []Message {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := slices.Clone(s.got), s.changed
		s.mu.Unlock()
		if cond(got) {
			return got
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: after %v, still waiting for %s (%d messages accepted)", Timeout, what, len(got))
			return nil
		}
	}
}

// AwaitCount waits until at least n messages have been accepted.
func (s *Server) AwaitCount(t testing.TB, n int) []Message {
	t.Helper()
	return s.Await(t, fmt.Sprintf("%d messages", n), func(got []Message) bool { return len(got) >= n })
}

// AwaitArrivals waits until n DATA commands containing the hold marker have
// arrived.
func (s *Server) AwaitArrivals(t testing.TB, n int) {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.marked), s.changed
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("smtptest: after %v, %d of %d held-marker arrivals", Timeout, got, n)
			return
		}
	}
}

// notify wakes every Await; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{server: b.s, tls: isTLS}, nil
}

type session struct {
	server *Server
	tls    bool
	user   string
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if s.server.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.server.user || pass != s.server.pass {
			return Reply(535, smtp.EnhancedCode{5, 7, 8}, "Authentication credentials invalid")
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.user != "" && s.user == "" {
		return Reply(530, smtp.EnhancedCode{5, 7, 0}, "Authentication required")
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.server.mu.Lock()
	reply := s.server.rcptReply
	s.server.mu.Unlock()
	if reply != nil {
		if err := reply(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.server
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.notify()
	m.attempts++
	if m.holdMarker != "" && strings.Contains(string(data), m.holdMarker) {
		m.marked = append(m.marked, time.Now())
		if !m.held {
			m.held = true
			m.notify()
			m.mu.Unlock()
			<-m.holdUntil
			m.mu.Lock()
			return Reply(451, smtp.EnhancedCode{4, 0, 0}, "too late")
		}
	}
	if len(m.replies) > 0 || (m.refused != "" && strings.Contains(string(data), m.refused)) {
		code := m.refusedCode
		if len(m.replies) > 0 {
			code = m.replies[0]
			m.replies = m.replies[1:]
		}
		return Reply(code, smtp.EnhancedCode{code / 100, 0, 0}, fmt.Sprintf("test server says %d", code))
	}
	m.got = append(m.got, Message{From: s.from, To: slices.Clone(s.to), Data: data, User: s.user, TLS: s.tls})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
