package config

import (
	"fmt"
	"io"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr bool
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:8080" || c.DataDir != "data" || c.RateLimit != 30 || c.BaseURL != "http://127.0.0.1:8080" {
				t.Errorf("defaults = %+v", c)
			}
			if c.SessionIdle != 30*time.Minute || c.SessionAbsolute != 12*time.Hour {
				t.Errorf("session defaults = %v %v", c.SessionIdle, c.SessionAbsolute)
			}
			if c.MailFromAddress().Address != "no-reply@localhost" {
				t.Errorf("mail from = %v", c.MailFromAddress())
			}
		}},
		{name: "env", env: map[string]string{"FIRSTSTEP_ADDR": ":9000", "FIRSTSTEP_RATE_LIMIT": "0", "FIRSTSTEP_BASE_URL": "https://book.example.org/"},
			check: func(t *testing.T, c Config) {
				if c.Addr != ":9000" || c.RateLimit != 0 || c.BaseURL != "https://book.example.org" || !c.Secure() {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "flag wins over env", args: []string{"--addr", "127.0.0.1:1", "--demo"}, env: map[string]string{"FIRSTSTEP_ADDR": ":9000"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:1" || !c.Demo {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "bad rate limit", env: map[string]string{"FIRSTSTEP_RATE_LIMIT": "lots"}, wantErr: true},
		{name: "negative rate limit", env: map[string]string{"FIRSTSTEP_RATE_LIMIT": "-1"}, wantErr: true},
		{name: "relative base url", env: map[string]string{"FIRSTSTEP_BASE_URL": "book.example.org"}, wantErr: true},
		{name: "bad from", env: map[string]string{"FIRSTSTEP_MAIL_FROM": "nobody"}, wantErr: true},
		{name: "from with a name", env: map[string]string{"FIRSTSTEP_MAIL_FROM": "Hearth Counseling <hello@hearth.example>"}, check: func(t *testing.T, c Config) {
			if a := c.MailFromAddress(); a.Name != "Hearth Counseling" || a.Address != "hello@hearth.example" {
				t.Errorf("mail from = %v", a)
			}
		}},
		// #7.18: a sender name or address that passes net/mail but breaks every email.
		{name: "from name with a line break", env: map[string]string{"FIRSTSTEP_MAIL_FROM": "=?utf-8?q?Hearth=0ABcc:_x?= <hello@hearth.example>"}, wantErr: true},
		{name: "from name with a control character", env: map[string]string{"FIRSTSTEP_MAIL_FROM": "=?utf-8?q?Hearth=07?= <hello@hearth.example>"}, wantErr: true},
		{name: "from address with a no-break space", env: map[string]string{"FIRSTSTEP_MAIL_FROM": "hello\u00a0x@hearth.example"}, wantErr: true},
		{name: "from address with an ideographic space", env: map[string]string{"FIRSTSTEP_MAIL_FROM": "Hearth <hello\u3000@hearth.example>"}, wantErr: true},
		{name: "bad idle", env: map[string]string{"FIRSTSTEP_SESSION_IDLE": "soon"}, wantErr: true},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: true},
		{name: "no trusted proxies by default", check: func(t *testing.T, c Config) {
			if len(c.TrustedProxies) != 0 {
				t.Errorf("trusted proxies = %v", c.TrustedProxies)
			}
		}},
		{name: "trusted proxies", env: map[string]string{"FIRSTSTEP_TRUSTED_PROXIES": " 10.0.0.0/8, 192.0.2.7 ,fd00::/8"},
			check: func(t *testing.T, c Config) {
				got := fmt.Sprint(c.TrustedProxies)
				if got != "[10.0.0.0/8 192.0.2.7/32 fd00::/8]" {
					t.Errorf("trusted proxies = %s", got)
				}
			}},
		{name: "trusted proxies flag", args: []string{"--trusted-proxies", "127.0.0.1/32"}, check: func(t *testing.T, c Config) {
			if fmt.Sprint(c.TrustedProxies) != "[127.0.0.1/32]" {
				t.Errorf("trusted proxies = %v", c.TrustedProxies)
			}
		}},
		{name: "bad trusted proxy", env: map[string]string{"FIRSTSTEP_TRUSTED_PROXIES": "10.0.0.0/33"}, wantErr: true},
		{name: "trusted proxy by name", env: map[string]string{"FIRSTSTEP_TRUSTED_PROXIES": "proxy.internal"}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := Parse("serve", tc.args, env(tc.env), io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}
