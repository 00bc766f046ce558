package invite

import (
	"strings"
	"unicode"
)

// Free text reaches the invitation from people (client names, addresses typed
// into forms), so it is cleaned rather than rejected: a stray control
// character must not stop a confirmation from going out, and it must never
// reach the wire where it could end a content line early.

// cleanText keeps line breaks (written as \n by the TEXT escaping) and turns
// every other control character into a space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// cleanLine is cleanText for values that clients show on one line; runs of
// whitespace, line breaks included, become one space.
func cleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// cleanParam prepares a parameter value such as CN. RFC 5545 has no escape
// for DQUOTE inside a parameter value (quoted-string cannot contain one), so
// a double quote becomes an apostrophe, which keeps a quoted nickname
// readable.
func cleanParam(s string) string {
	return strings.ReplaceAll(cleanLine(s), `"`, "'")
}
