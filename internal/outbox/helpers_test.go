package outbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 30 * time.Second

// received is one message as the test SMTP server accepted it.
type received struct {
	From string
	To   []string
	Data []byte
	User string // the authenticated user, if any
	TLS  bool
}

// mailServer is a real SMTP server on loopback that records what it accepts
// and can be told to refuse the next attempts with a given reply.
type mailServer struct {
	Addr string
	srv  *smtp.Server

	user, pass string // when set, AUTH PLAIN is required

	mu       sync.Mutex
	got      []received
	attempts int   // DATA commands seen, accepted or not
	replies  []int // codes to answer the next DATA commands with

	// holdMarker and holdUntil make the server take the whole message of
	// the first DATA that contains holdMarker and then say nothing until
	// holdUntil is closed, as a hanging server does; marked lists the
	// times at which each DATA containing the marker arrived.
	holdMarker string
	holdUntil  <-chan struct{}
	held       bool
	marked     []time.Time

	refused     string // see refuse
	refusedCode int

	// rcptReply, when set, answers RCPT TO (nil accepts).
	rcptReply func(to string) error
}

type serverOption func(*mailServer, *smtp.Server)

func withAuth(user, pass string) serverOption {
	return func(m *mailServer, _ *smtp.Server) { m.user, m.pass = user, pass }
}

// withSMTPUTF8 makes the server offer the SMTPUTF8 extension.
func withSMTPUTF8() serverOption {
	return func(_ *mailServer, s *smtp.Server) { s.EnableSMTPUTF8 = true }
}

func withTLS(cfg *tls.Config) serverOption {
	return func(_ *mailServer, s *smtp.Server) { s.TLSConfig = cfg }
}

// startMailServer listens on addr ("127.0.0.1:0" for any port) and stops
// when the test ends.
func startMailServer(t *testing.T, addr string, opts ...serverOption) *mailServer {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	return serveMail(t, l, opts...)
}

func serveMail(t *testing.T, l net.Listener, opts ...serverOption) *mailServer {
	t.Helper()
	m := &mailServer{Addr: l.Addr().String()}
	s := smtp.NewServer(m)
	s.Domain = "mail.test"
	s.AllowInsecureAuth = true
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	for _, o := range opts {
		o(m, s)
	}
	m.srv = s
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(l)
	}()
	t.Cleanup(func() {
		s.Close()
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Error("SMTP server did not stop")
		}
	})
	return m
}

// refuse makes the server answer every DATA whose message contains marker
// with code, whichever order concurrent deliveries arrive in.
func (m *mailServer) refuse(marker string, code int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refused = marker
	m.refusedCode = code
}

// failNext makes the server answer the next n DATA commands with code.
func (m *mailServer) failNext(n, code int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for range n {
		m.replies = append(m.replies, code)
	}
}

// holdFirst makes the server hang after the first DATA whose message
// contains marker, until the test ends.
func (m *mailServer) holdFirst(t *testing.T, marker string) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	m.mu.Lock()
	defer m.mu.Unlock()
	m.holdMarker, m.holdUntil = marker, release
}

// markedArrivals returns when each DATA containing the hold marker arrived.
func (m *mailServer) markedArrivals() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]time.Time(nil), m.marked...)
}

// accepted counts the accepted messages that contain s.
func (m *mailServer) accepted(s string) int {
	n := 0
	for _, r := range m.messages() {
		if strings.Contains(string(r.Data), s) {
			n++
		}
	}
	return n
}

func (m *mailServer) messages() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.got...)
}

func (m *mailServer) dataAttempts() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.attempts
}

func (m *mailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &mailSession{server: m, tls: isTLS}, nil
}

type mailSession struct {
	server *mailServer
	tls    bool
	user   string
	from   string
	to     []string
}

var _ smtp.AuthSession = (*mailSession)(nil)

func (s *mailSession) AuthMechanisms() []string {
	if s.server.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.server.user || pass != s.server.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.user = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.user != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.server.rcptReply != nil {
		if err := s.server.rcptReply(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.server
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attempts++
	if m.holdMarker != "" && strings.Contains(string(data), m.holdMarker) {
		m.marked = append(m.marked, time.Now())
		if !m.held {
			m.held = true
			m.mu.Unlock()
			<-m.holdUntil
			m.mu.Lock()
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 0, 0}, Message: "too late"}
		}
	}
	if len(m.replies) > 0 || (m.refused != "" && strings.Contains(string(data), m.refused)) {
		code := m.refusedCode
		if len(m.replies) > 0 {
			code = m.replies[0]
			m.replies = m.replies[1:]
		}
		return &smtp.SMTPError{
			Code:         code,
			EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0},
			Message:      fmt.Sprintf("test server says %d", code),
		}
	}
	m.got = append(m.got, received{From: s.from, To: s.to, Data: data, User: s.user, TLS: s.tls})
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

// newClock returns a clock the test moves by hand.
func newClock() *clocktest.Clock {
	return clocktest.New(time.Date(2026, 3, 7, 9, 30, 0, 0, time.UTC))
}

// testOptions make backoff short enough that one Advance(time.Minute)
// makes every retry due.
var testOptions = Options{
	PollInterval: 50 * time.Millisecond,
	SendTimeout:  10 * time.Second,
	BaseBackoff:  2 * time.Second,
	MaxBackoff:   30 * time.Second,
}

// smtpTo returns a transport for the server at addr with short timeouts.
func smtpTo(t *testing.T, addr string) *SMTPTransport {
	t.Helper()
	tr, err := NewSMTPTransport("smtp://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	tr.DialTimeout = 2 * time.Second
	tr.SendTimeout = 10 * time.Second
	return tr
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testWriter sends log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// rawMessage is a complete message with CRLF endings, including a line that
// starts with a dot (SMTP must stuff and unstuff it) and non-ASCII text.
func rawMessage(id string) []byte {
	return []byte("Message-ID: <" + id + ">\r\n" +
		"From: Practice <practice@firststep.test>\r\n" +
		"To: client@example.test\r\n" +
		"Subject: Consultation\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n" +
		"Your consultation — Tuesday at 10:00.\r\n" +
		".A line that starts with a dot.\r\n" +
		"\r\n" +
		"See you then.\r\n")
}

func newMessage(id string) Message {
	return Message{
		MessageID: "<" + id + ">",
		From:      "practice@firststep.test",
		To:        []string{"client@example.test"},
		Subject:   "Consultation",
		Raw:       rawMessage(id),
	}
}

// enqueue commits msgs in a transaction of their own.
func enqueue(t *testing.T, db *gorm.DB, now time.Time, msgs ...Message) {
	t.Helper()
	err := store.Transact(ctxFor(t), db, func(tx *gorm.DB) error { return Enqueue(tx, now, msgs...) })
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func rowOf(t *testing.T, db *gorm.DB, messageID string) messageRow {
	t.Helper()
	var row messageRow
	if err := db.Where("message_id = ?", messageID).Take(&row).Error; err != nil {
		t.Fatalf("load %s: %v", messageID, err)
	}
	return row
}

func countRows(t *testing.T, db *gorm.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Model(&messageRow{})
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func runOnce(t *testing.T, w *Worker) int {
	t.Helper()
	n, err := w.RunOnce(ctxFor(t))
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func newDB(t *testing.T) *gorm.DB {
	t.Helper()
	return storetest.New(t)
}

// selfSignedTLS returns a server config for 127.0.0.1 and a client config
// that trusts it.
func selfSignedTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mail.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startRun runs w until the returned stop is called or the test ends; stop
// waits for Run to return.
func startRun(t *testing.T, w *Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctxFor(t))
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Error("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}
