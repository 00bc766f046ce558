// Package config reads Firststep's configuration from environment variables
// and command-line flags (a flag wins over its variable) into one struct.
package config

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/mailbox"
)

// Config is everything the server needs to know about its surroundings.
type Config struct {
	Addr        string // FIRSTSTEP_ADDR
	DataDir     string // FIRSTSTEP_DATA
	DatabaseURL string // FIRSTSTEP_DATABASE_URL; empty means SQLite in DataDir
	BaseURL     string // FIRSTSTEP_BASE_URL; absolute base for links in emails
	SMTPURL     string // FIRSTSTEP_SMTP_URL; empty writes .eml files under DataDir/outbox
	MailFrom    string // FIRSTSTEP_MAIL_FROM
	RateLimit   int    // FIRSTSTEP_RATE_LIMIT: public submissions per IP per hour; 0 = off

	SessionIdle     time.Duration // FIRSTSTEP_SESSION_IDLE: staff sign-out after this much inactivity
	SessionAbsolute time.Duration // FIRSTSTEP_SESSION_MAX: staff sign-out after this long regardless
	FrameAncestors  string        // FIRSTSTEP_FRAME_ANCESTORS: origin allowed to embed the public pages
	SecretKey       string        // FIRSTSTEP_SECRET_KEY: hex server key; empty: generated in DataDir
	// TrustedProxies (FIRSTSTEP_TRUSTED_PROXIES) are the peers whose
	// X-Forwarded-For and X-Forwarded-Proto are believed; empty: none.
	TrustedProxies []*net.IPNet

	Demo bool // --demo: seed a demo practice into an empty database
}

// MailFromAddress is the bare address of MailFrom, used as the envelope
// sender and the invitations' ORGANIZER.
func (c Config) MailFromAddress() *mail.Address {
	a, err := mail.ParseAddress(c.MailFrom)
	if err != nil { // Parse has validated it; keep a usable value anyway.
		return &mail.Address{Address: "no-reply@localhost"}
	}
	return a
}

// Secure reports whether links are served over HTTPS (cookies then carry Secure).
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Parse reads the configuration for one subcommand. args are the flags after
// the subcommand; getenv supplies the environment; extra lets a subcommand
// define flags of its own beside the configuration flags.
func Parse(name string, args []string, getenv func(string) string, stderr io.Writer, extra ...func(*flag.FlagSet)) (Config, []string, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", env("FIRSTSTEP_ADDR", "127.0.0.1:8080"), "listen address (FIRSTSTEP_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("FIRSTSTEP_DATA", "data"), "folder for the SQLite file, keys and file-mailer output (FIRSTSTEP_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("FIRSTSTEP_DATABASE_URL", ""), "postgres:// URL; empty for SQLite (FIRSTSTEP_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("FIRSTSTEP_BASE_URL", ""), "absolute base URL for links in emails (FIRSTSTEP_BASE_URL)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("FIRSTSTEP_SMTP_URL", ""), "smtp:// or smtps:// URL; empty writes .eml files (FIRSTSTEP_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", env("FIRSTSTEP_MAIL_FROM", "Firststep <no-reply@localhost>"), "From address (FIRSTSTEP_MAIL_FROM)")
	rate := fs.String("rate-limit", env("FIRSTSTEP_RATE_LIMIT", "30"), "public submissions per client IP per hour, 0 for none (FIRSTSTEP_RATE_LIMIT)")
	idle := fs.String("session-idle", env("FIRSTSTEP_SESSION_IDLE", "30m"), "staff session idle timeout (FIRSTSTEP_SESSION_IDLE)")
	absolute := fs.String("session-max", env("FIRSTSTEP_SESSION_MAX", "12h"), "staff session absolute limit (FIRSTSTEP_SESSION_MAX)")
	fs.StringVar(&c.FrameAncestors, "frame-ancestors", env("FIRSTSTEP_FRAME_ANCESTORS", ""), "origin of the practice's site allowed to embed the public pages (FIRSTSTEP_FRAME_ANCESTORS)")
	fs.StringVar(&c.SecretKey, "secret-key", env("FIRSTSTEP_SECRET_KEY", ""), "hex server key shared by all instances; empty: generated in the data folder (FIRSTSTEP_SECRET_KEY)")
	proxies := fs.String("trusted-proxies", env("FIRSTSTEP_TRUSTED_PROXIES", ""), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed (FIRSTSTEP_TRUSTED_PROXIES)")
	fs.BoolVar(&c.Demo, "demo", false, "seed a demo practice into an empty database")
	for _, f := range extra {
		f(fs)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	var err error
	if c.RateLimit, err = strconv.Atoi(*rate); err != nil || c.RateLimit < 0 {
		return Config{}, nil, fmt.Errorf("FIRSTSTEP_RATE_LIMIT must be a whole number of at least 0, got %q", *rate)
	}
	if c.SessionIdle, err = time.ParseDuration(*idle); err != nil || c.SessionIdle <= 0 {
		return Config{}, nil, fmt.Errorf("FIRSTSTEP_SESSION_IDLE must be a duration like 30m, got %q", *idle)
	}
	if c.SessionAbsolute, err = time.ParseDuration(*absolute); err != nil || c.SessionAbsolute <= 0 {
		return Config{}, nil, fmt.Errorf("FIRSTSTEP_SESSION_MAX must be a duration like 12h, got %q", *absolute)
	}
	if c.TrustedProxies, err = parseCIDRs(*proxies); err != nil {
		return Config{}, nil, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Config{}, nil, fmt.Errorf("FIRSTSTEP_BASE_URL must be an absolute http(s) URL, got %q", c.BaseURL)
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || !mailbox.AddressOK(a.Address) || !mailbox.NameOK(a.Name) || a.Name != mailbox.NormalName(a.Name) {
		return Config{}, nil, fmt.Errorf("FIRSTSTEP_MAIL_FROM must be an address like %q, with a name on one line and no spaces in the address; got %q",
			"Practice Name <no-reply@example.org>", c.MailFrom)
	}
	return c, fs.Args(), nil
}

// parseCIDRs reads FIRSTSTEP_TRUSTED_PROXIES: CIDRs separated by commas; a
// bare address stands for itself alone (/32 or /128).
func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if ip := net.ParseIP(part); ip != nil {
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("FIRSTSTEP_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8 or an IP address", part)
		}
		out = append(out, n)
	}
	return out, nil
}
