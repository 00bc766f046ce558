package web

import (
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Proxies are the peers (FIRSTSTEP_TRUSTED_PROXIES) whose X-Forwarded-For
// and X-Forwarded-Proto are believed: the client address of rate limits,
// sign-in throttling, audit entries and the request log, and whether the
// client reached the site over HTTPS. From any other peer those headers
// are anybody's invention and are ignored. Empty: no peer is trusted.
type Proxies []*net.IPNet

// Trust reports whether the request came straight from a trusted proxy.
func (p Proxies) Trust(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, n := range p {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// IPExtractor is Echo's X-Forwarded-For walk, trusting the proxies and
// nothing else (Echo's own default also trusts loopback and private
// addresses, which would let anyone on the same network choose their IP).
func (p Proxies) IPExtractor() echo.IPExtractor {
	if len(p) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range p {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// SchemeExtractor answers c.Scheme(): "https" for a TLS connection, or for
// a trusted proxy's request whose X-Forwarded-Proto says https; otherwise
// "http". Echo's default believes the header from anyone.
func (p Proxies) SchemeExtractor() echo.SchemeExtractor {
	return func(r *http.Request) string {
		if r.TLS != nil {
			return "https"
		}
		if len(p) > 0 && p.Trust(r) {
			// The proxy nearest to us appends its value last.
			vals := strings.Split(r.Header.Get(echo.HeaderXForwardedProto), ",")
			if strings.EqualFold(strings.TrimSpace(vals[len(vals)-1]), "https") {
				return "https"
			}
		}
		return "http"
	}
}

// SecureCookies marks every cookie a response sets as Secure when the
// site's address is https (always) or the request reached us over HTTPS
// (directly, or through a trusted proxy): one rule for the session, CSRF
// and every other cookie.
func SecureCookies(always bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if always || c.Scheme() == "https" {
				res := c.Response()
				res.Before(func() {
					cookies := res.Header()["Set-Cookie"]
					for i, ck := range cookies {
						if !strings.Contains(ck, "; Secure") {
							cookies[i] = ck + "; Secure"
						}
					}
				})
			}
			return next(c)
		}
	}
}
