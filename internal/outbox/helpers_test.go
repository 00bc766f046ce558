package outbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/store"
	"github.com/firststep/firststep/internal/store/storetest"
	"gorm.io/gorm"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 30 * time.Second

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

// waitFor checks cond, a condition on the database that nothing signals,
// every 20 ms until it holds, and fails the test after testTimeout. What
// the mail server sees is awaited with its Await instead.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(testTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
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
