// Package mailbox is the one rule for the two things every email and
// invitation is addressed with: a person's display name and an email
// address. Names and addresses enter at many doors — the intake and the
// partner's form, a clinician's record, the practice's sender name, staff
// accounts (admin pages and `firststep user add`), FIRSTSTEP_MAIL_FROM —
// and each door checks them here, so that nothing accepted there can make
// a message or invitation fail to compose later.
package mailbox

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits, in characters for a name and in bytes for an address (RFC 5321's
// path limit less the angle brackets).
const (
	MaxName    = 200
	MaxAddress = 254
)

// NormalName is how a name is kept: every Unicode space (no-break, ideographic,
// ogham, thin …) becomes a plain space, runs of spaces one, and the ends are
// trimmed; invalid UTF-8 shows as U+FFFD. Line breaks and control
// characters are left for NameOK to refuse.
func NormalName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Zs, r) {
			return ' '
		}
		return r
	}, s)
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return strings.TrimSpace(s)
}

// NameOK reports whether a (normalized) name can stand in a From or To
// header and an invitation's CN: valid UTF-8, on one line, without control
// characters or the invisible characters that reorder text (which can
// make a name read as another), and at most MaxName characters. The empty
// name is OK here; whether a name is required is the caller's rule.
func NameOK(s string) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxName {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || lineOrBidi(r) })
}

// AddressOK reports whether addr is a bare email address that can be
// written as is into SMTP's RCPT TO, a To header and an invitation's
// mailto: — name@example.org, no display name, no comment, no quoted local
// part, and no space of any kind (a no-break or ideographic space is
// invisible to the person who typed it and breaks every one of those).
// Letters beyond ASCII are allowed (RFC 6531). The domain has a dot, or is
// localhost.
func AddressOK(addr string) bool {
	if addr == "" || len(addr) > MaxAddress || !utf8.ValidString(addr) {
		return false
	}
	if strings.ContainsFunc(addr, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || lineOrBidi(r) ||
			strings.ContainsRune(`"(),:;<>[\]`, r)
	}) {
		return false
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return false
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || strings.Count(addr, "@") != 1 {
		return false
	}
	domain := addr[at+1:]
	return strings.Contains(domain, ".") || domain == "localhost"
}

// lineOrBidi: the line and paragraph separators, and the bidirectional
// embeddings, overrides and isolates.
func lineOrBidi(r rune) bool {
	return r == '\u2028' || r == '\u2029' || r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}
