package mailbox

import (
	"strings"
	"testing"
)

// The spaces and separators of #7.18: each passed intake and then made
// booking fail.
var hostileSpaces = []string{"\u00a0", "\u2028", "\u3000", "\u1680", "\u2029", "\u200b", "\u202f", "\t", "\n", "\r", "\x00", "\x7f", "\u0085", "\ufeff"}

func TestAddressOK(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"jo@example.org", true},
		{"jo.smith+therapy@mail.example.co.uk", true},
		{"josé@example.org", true},
		{"admin@localhost", true},
		{"", false},
		{"jo", false},
		{"jo@", false},
		{"@example.org", false},
		{"jo@example", false},
		{"jo@@example.org", false},
		{"Jo <jo@example.org>", false},
		{"jo@example.org (Jo)", false},
		{`"jo smith"@example.org`, false},
		{"jo,al@example.org", false},
		{"jo@[192.0.2.1]", false},
		{strings.Repeat("a", 250) + "@example.org", false},
		{"jo\xff@example.org", false},
		{"jo@exa\u202emple.org", false},
	} {
		if got := AddressOK(tc.addr); got != tc.ok {
			t.Errorf("AddressOK(%q) = %v, want %v", tc.addr, got, tc.ok)
		}
	}
	for _, sp := range hostileSpaces {
		for _, addr := range []string{"jo" + sp + "@example.org", "jo@example.org" + sp, sp + "jo@example.org", "jo@exa" + sp + "mple.org"} {
			if AddressOK(addr) {
				t.Errorf("AddressOK(%q) = true", addr)
			}
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, norm string
		ok       bool
	}{
		{"Dr. Avery Stone", "Dr. Avery Stone", true},
		{"  Zoë  O'Brien ", "Zoë O'Brien", true},
		{"Jo\u00a0Smith", "Jo Smith", true},
		{"山田\u3000太郎", "山田 太郎", true},
		{"Ana\u1680María", "Ana María", true},
		{`Jo "JJ" Smith`, `Jo "JJ" Smith`, true},
		{"", "", true},
		{"Jo\nSmith", "Jo\nSmith", false},
		{"Jo\rSmith", "Jo\rSmith", false},
		{"Jo\tSmith", "Jo\tSmith", false},
		{"Jo\x00", "Jo\x00", false},
		{"Jo\x1b[31m", "Jo\x1b[31m", false},
		{"Jo\u2028Smith", "Jo\u2028Smith", false},
		{"Jo\u0085Smith", "Jo\u0085Smith", false},
		{"\u202egnitset", "\u202egnitset", false},
		{"Jo\xffSmith", "Jo\uFFFDSmith", true}, // invalid UTF-8 shows as the replacement character
		{strings.Repeat("x", MaxName+1), strings.Repeat("x", MaxName+1), false},
	} {
		norm := NormalName(tc.in)
		if norm != tc.norm {
			t.Errorf("NormalName(%q) = %q, want %q", tc.in, norm, tc.norm)
		}
		if got := NameOK(norm); got != tc.ok {
			t.Errorf("NameOK(%q) = %v, want %v", norm, got, tc.ok)
		}
	}
	if NameOK("Jo\xffSmith") {
		t.Error("NameOK accepted invalid UTF-8")
	}
}
