package outbox

import (
	"bytes"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/smtptest"
)

func TestFileTransport(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	tr, err := NewTransport("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawMessage("file-1@firststep.test")
	for range 2 {
		if err := tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, raw); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dataDir, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "file-1@firststep.test.eml" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("outbox folder holds %v, want exactly file-1@firststep.test.eml", names)
	}
	got, err := os.ReadFile(filepath.Join(dataDir, "outbox", entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, raw) {
		t.Errorf("file holds\n%q\nwant\n%q", got, raw)
	}
	if info, err := entries[0].Info(); err != nil || info.Mode().Perm()&0o077 != 0 {
		t.Errorf("file mode = %v (%v), want readable by the owner only", info.Mode(), err)
	}
}

func TestFileTransportThroughWorker(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dataDir := t.TempDir()
	tr, err := NewTransport("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	enqueue(t, db, clock.Now(), newMessage("file-2@firststep.test"), newMessage("file-3@firststep.test"))
	w := NewWorker(db, tr, clock.Now, testLogger(t), testOptions)
	if n := runOnce(t, w); n != 2 {
		t.Fatalf("sent %d, want 2", n)
	}
	for _, name := range []string{"file-2@firststep.test.eml", "file-3@firststep.test.eml"} {
		if _, err := os.Stat(filepath.Join(dataDir, "outbox", name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEMLName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id string
		want     func(string) bool
	}{
		{"plain", "<abc.123@firststep.test>", func(s string) bool { return s == "abc.123@firststep.test.eml" }},
		{"path characters", "<../../etc/passwd@x>", func(s string) bool {
			return !strings.ContainsAny(s, `/\`) && strings.HasPrefix(s, "_._.._etc_passwd@x-") && strings.HasSuffix(s, ".eml")
		}},
		{"long", "<" + strings.Repeat("a", 400) + "@x>", func(s string) bool { return len(s) < 150 }},
		{"none", "", func(s string) bool { return strings.HasPrefix(s, "message-") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte("Subject: x\r\n\r\nbody\r\n")
			if tt.id != "" {
				raw = []byte("Message-ID: " + tt.id + "\r\n" + string(raw))
			}
			if got := emlName(raw); !tt.want(got) {
				t.Errorf("emlName = %q", got)
			}
		})
	}
	// IDs that sanitize alike still get their own files.
	a := emlName([]byte("Message-ID: <a/b@x>\r\n\r\n"))
	b := emlName([]byte("Message-ID: <a_b@x>\r\n\r\n"))
	c := emlName([]byte("Message-ID: <a:b@x>\r\n\r\n"))
	if a == b || a == c || b == c {
		t.Errorf("distinct IDs share a file name: %q %q %q", a, b, c)
	}
}

func TestBadSMTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
	}{
		{"http://mail.example.org", "must start with smtp:// or smtps://"},
		{"mail.example.org:587", "must start with smtp:// or smtps://"},
		{"smtp://", "no host"},
		{"smtp://:587", "no host"},
		{"smtp://mail.example.org:99999", "not a port number"},
		{"smtp://mail.example.org:0", "not a port number"},
		{"smtp://mail.example.org:abc", "not a valid URL"},
		{"smtp://user@mail.example.org", "no password"},
		{"smtp://:secret@mail.example.org", "no user name"},
		{"smtp://mail.example.org/inbox", "must not have a path"},
		{"smtp://mail.example.org?tls=off", "must not have a query"},
		{"smtp://us er:se%zzcret@mail.example.org", "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tr, err := NewTransport(tt.url, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewTransport(%q) = %v, %v; want an error containing %q", tt.url, tr, err, tt.want)
			}
			if strings.Contains(err.Error(), "cret") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

func TestSMTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, addr, user, pass string
		implicitTLS           bool
		str                   string
	}{
		{"smtp://mail.example.org", "mail.example.org:587", "", "", false, "smtp://mail.example.org:587"},
		{"smtps://mail.example.org", "mail.example.org:465", "", "", true, "smtps://mail.example.org:465"},
		{"SMTP://mail.example.org:2525/", "mail.example.org:2525", "", "", false, "smtp://mail.example.org:2525"},
		{"smtp://me%40example.org:p%40ss@[::1]:25", "[::1]:25", "me@example.org", "p@ss", false, "smtp://me@example.org@[::1]:25"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tr, err := NewSMTPTransport(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if tr.addr != tt.addr || tr.username != tt.user || tr.password != tt.pass || tr.implicitTLS != tt.implicitTLS {
				t.Errorf("got addr %s user %q pass %q tls %v", tr.addr, tr.username, tr.password, tr.implicitTLS)
			}
			if s := tr.String(); s != tt.str {
				t.Errorf("String = %q, want %q", s, tt.str)
			}
		})
	}
}

func TestSMTPAuthOnLoopback(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithAuth("frontdesk", "s3cret"))
	good := smtpTo(t, srv.Addr)
	good.username, good.password = "frontdesk", "s3cret"
	raw := rawMessage("auth-1@firststep.test")
	if err := good.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, raw); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].User != "frontdesk" {
		t.Fatalf("server received %+v, want one message from the authenticated user", got)
	}

	bad := smtpTo(t, srv.Addr)
	bad.username, bad.password = "frontdesk", "wrong"
	err := bad.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, raw)
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: err = %v (permanent %v); want a temporary 535", err, IsPermanent(err))
	}

	anonymous := smtpTo(t, srv.Addr)
	err = anonymous.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, raw)
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "530") {
		t.Errorf("no credentials: err = %v (permanent %v); want a temporary 530", err, IsPermanent(err))
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages, want only the authenticated one", n)
	}
}

func TestSMTPRefusesPasswordInClear(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithAuth("frontdesk", "s3cret"))
	tr := smtpTo(t, srv.Addr)
	tr.username, tr.password = "frontdesk", "s3cret"
	tr.host = "mail.example.org" // as if the server were remote
	err := tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, rawMessage("clear-1@firststep.test"))
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("err = %v, want a temporary refusal to send the password unencrypted", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestSMTPStartTLS(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSignedTLS(t)
	srv := smtptest.Start(t, smtptest.WithTLS(serverTLS), smtptest.WithAuth("frontdesk", "s3cret"))
	tr := smtpTo(t, srv.Addr)
	tr.username, tr.password = "frontdesk", "s3cret"
	tr.host = "mail.example.org" // remote: the password needs TLS
	tr.tlsConfig = clientTLS
	tr.tlsConfig.ServerName = "127.0.0.1"
	for i := range 2 { // the second send upgrades at once
		raw := rawMessage("tls-" + string(rune('a'+i)) + "@firststep.test")
		if err := tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, raw); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	got := srv.Messages()
	if len(got) != 2 || !got[0].TLS || !got[1].TLS || got[0].User != "frontdesk" {
		t.Fatalf("server received %+v, want two messages over TLS from the authenticated user", got)
	}
}

func TestSMTPStartTLSUntrusted(t *testing.T) {
	t.Parallel()
	serverTLS, _ := selfSignedTLS(t)
	srv := smtptest.Start(t, smtptest.WithTLS(serverTLS))
	tr := smtpTo(t, srv.Addr) // system roots: the test certificate is not trusted
	err := tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, rawMessage("untrusted@firststep.test"))
	if err == nil || IsPermanent(err) {
		t.Errorf("err = %v, want a temporary TLS failure", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server received %d messages over an untrusted connection", n)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSignedTLS(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Serve(t, l)
	tr, err := NewSMTPTransport("smtps://" + srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	tr.tlsConfig = clientTLS
	raw := rawMessage("smtps-1@firststep.test")
	if err := tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, raw); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || !bytes.Equal(got[0].Data, raw) {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
}

func TestSMTPSendTimeout(t *testing.T) {
	t.Parallel()
	// A server that accepts the connection and never says a word.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tr := smtpTo(t, l.Addr().String())
	tr.SendTimeout = 300 * time.Millisecond
	start := time.Now()
	err = tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, rawMessage("slow@firststep.test"))
	if err == nil || IsPermanent(err) {
		t.Errorf("err = %v, want a temporary timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v, want about the 300ms timeout", d)
	}
}

func TestSMTPReplyClassification(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	srv.FailNext(1, 452)
	tr := smtpTo(t, srv.Addr)
	err := tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, rawMessage("rcpt@firststep.test"))
	if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "452") {
		t.Errorf("452: err = %v, want temporary", err)
	}
	srv.FailNext(1, 552)
	err = tr.Send(ctxFor(t), "practice@firststep.test", []string{"client@example.test"}, rawMessage("rcpt@firststep.test"))
	if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), "552") {
		t.Errorf("552: err = %v, want permanent", err)
	}
}
