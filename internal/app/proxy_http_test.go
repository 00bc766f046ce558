package app_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/config"
)

func trustProxies(cidrs ...string) func(*config.Config) {
	return func(c *config.Config) {
		for _, s := range cidrs {
			_, n, err := net.ParseCIDR(s)
			if err != nil {
				panic(err)
			}
			c.TrustedProxies = append(c.TrustedProxies, n)
		}
	}
}

// forwarded sends a JSON intake from peer, claiming to be for client.
func forwarded(c *client, peer, client string) *http.Response {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/intakes", strings.NewReader(validJSON))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	c.addr = peer + ":443"
	return c.do(req)
}

// Behind a reverse proxy every request comes from the proxy's address;
// only a configured proxy's X-Forwarded-For names the client (#7.19).
func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	t.Run("rate limit behind a trusted proxy", func(t *testing.T) {
		t.Parallel()
		a := newApp(t, rateLimit(1), trustProxies("10.0.0.0/8"))
		c := newClient(t, a, "10.0.0.5")
		if res := forwarded(c, "10.0.0.5", "203.0.113.1"); res.StatusCode != http.StatusCreated {
			t.Fatalf("first client: %d", res.StatusCode)
		}
		if res := forwarded(c, "10.0.0.5", "203.0.113.2"); res.StatusCode != http.StatusCreated {
			t.Errorf("a second client behind the proxy shares the first one's limit: %d", res.StatusCode)
		}
		if res := forwarded(c, "10.0.0.5", "203.0.113.1"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the first client again: %d, want 429", res.StatusCode)
		}
		// A client cannot prepend addresses of its own: the proxy appends
		// the real one, and that is the one counted.
		if res := forwarded(c, "10.0.0.5", "198.51.100.77, 203.0.113.1"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a made-up address before the real one dodged the limit: %d", res.StatusCode)
		}
	})
	t.Run("anyone else's header is ignored", func(t *testing.T) {
		t.Parallel()
		// Echo's own default trusts loopback and private addresses; ours
		// trusts only what is configured.
		for _, peer := range []string{"192.0.2.9", "127.0.0.1", "10.0.0.5"} {
			a := newApp(t, rateLimit(1))
			c := newClient(t, a, peer)
			if res := forwarded(c, peer, "203.0.113.1"); res.StatusCode != http.StatusCreated {
				t.Fatalf("%s: first request: %d", peer, res.StatusCode)
			}
			if res := forwarded(c, peer, "203.0.113.2"); res.StatusCode != http.StatusTooManyRequests {
				t.Errorf("%s: a made-up X-Forwarded-For dodged the limit: %d", peer, res.StatusCode)
			}
		}
	})
}

// The audit log records the client's address as the trusted proxy reports
// it, and the connection's address otherwise.
func TestAuditIPBehindAProxy(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t, trustProxies("10.0.0.0/8"))
	signIn := func(peer, claimed string) string {
		before := fx.lastEntryID()
		form := url.Values{"email": {fx.accounts[asFrontdesk].Email}, "password": {"not the password"}, "_csrf": {testCSRF}}
		req := httptest.NewRequest(http.MethodPost, "/staff/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", claimed)
		req.AddCookie(&http.Cookie{Name: "_csrf", Value: testCSRF})
		req.RemoteAddr = peer + ":50000"
		rec := httptest.NewRecorder()
		fx.a.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("sign-in from %s: %d", peer, rec.Code)
		}
		for _, e := range fx.entriesSince(before) {
			if e.Action == audit.SignInFailed {
				return e.IP
			}
		}
		t.Fatalf("no failed sign-in recorded")
		return ""
	}
	if ip := signIn("10.0.0.5", "203.0.113.50"); ip != "203.0.113.50" {
		t.Errorf("through the trusted proxy: audit IP %q, want the client's 203.0.113.50", ip)
	}
	if ip := signIn("192.0.2.9", "203.0.113.51"); ip != "192.0.2.9" {
		t.Errorf("from an untrusted peer: audit IP %q, want the peer's 192.0.2.9", ip)
	}
}

// Cookies are Secure when the client reached the site over HTTPS, which
// behind a TLS-terminating proxy only its X-Forwarded-Proto tells.
func TestSecureCookiesBehindAProxy(t *testing.T) {
	t.Parallel()
	a := newApp(t, trustProxies("10.0.0.0/8"))
	csrfCookie := func(peer, proto string) *http.Cookie {
		req := httptest.NewRequest(http.MethodGet, "/request/individual", nil)
		req.RemoteAddr = peer + ":50000"
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		rec := httptest.NewRecorder()
		a.Echo.ServeHTTP(rec, req)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "_csrf" {
				return ck
			}
		}
		t.Fatalf("no _csrf cookie from %s", peer)
		return nil
	}
	if ck := csrfCookie("10.0.0.5", "https"); !ck.Secure {
		t.Error("HTTPS through the trusted proxy: the cookie is not Secure")
	}
	if ck := csrfCookie("10.0.0.5", "http"); ck.Secure {
		t.Error("plain HTTP through the trusted proxy: the cookie is Secure")
	}
	if ck := csrfCookie("192.0.2.9", "https"); ck.Secure {
		t.Error("an untrusted peer's X-Forwarded-Proto was believed")
	}
	b := newApp(t, func(c *config.Config) { c.BaseURL = "https://book.example.org" })
	req := httptest.NewRequest(http.MethodGet, "/request/individual", nil)
	rec := httptest.NewRecorder()
	b.Echo.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if !ck.Secure {
			t.Errorf("with an https base URL, cookie %s is not Secure", ck.Name)
		}
	}
}
