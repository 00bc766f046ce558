package invite

import (
	"strings"
	"unicode/utf8"
)

// maxLineOctets is the longest a physical content line may be, excluding its
// CRLF (RFC 5545 §3.1). Some clients truncate or reject longer lines.
const maxLineOctets = 75

// foldLines folds every CRLF-terminated content line of an iCalendar stream.
// go-ical writes each property on one line however long, so this is done
// after encoding.
func foldLines(unfolded []byte) []byte {
	var b strings.Builder
	b.Grow(len(unfolded) + len(unfolded)/maxLineOctets*3)
	for _, line := range strings.SplitAfter(string(unfolded), "\r\n") {
		body, hasCRLF := strings.CutSuffix(line, "\r\n")
		b.WriteString(foldLine(body))
		if hasCRLF {
			b.WriteString("\r\n")
		}
	}
	return []byte(b.String())
}

// foldLine splits one content line (without its CRLF) into physical lines of
// at most maxLineOctets octets joined by CRLF and a single space; the space
// counts toward the continuation line's length. It cuts only between UTF-8
// characters, as RFC 5545 asks, so that no physical line holds a broken
// character. Unfolding (removing every CRLF followed by one space) gives the
// line back.
func foldLine(line string) string {
	if len(line) <= maxLineOctets {
		return line
	}
	var b strings.Builder
	limit := maxLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8 at all: cut by octets rather than loop
			cut = limit
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLineOctets - 1
	}
	b.WriteString(line)
	return b.String()
}
