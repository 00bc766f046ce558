package mail

import (
	"bytes"
	"strings"
)

// maxHeaderLine is the line length RFC 5322 §2.1.1 asks senders to keep to.
const maxHeaderLine = 78

// writeField writes one header field, folded so that long subjects and
// recipient lists stay within maxHeaderLine. The value must already be free
// of CR and LF (Validate) and encoded (RFC 2047) where needed.
func writeField(b *bytes.Buffer, name, value string) {
	b.WriteString(foldField(name + ": " + value))
	b.WriteString("\r\n")
}

// foldField inserts CRLF before spaces so that no line is longer than
// maxHeaderLine, where a space allows it. Only a single space between two
// words is used: readers such as Go's textproto collapse the whitespace
// around a fold, which would lose one of two spaces. Folding right after the
// colon is the last resort, for a first word (such as a 75-character encoded
// word) that does not fit beside the field name. A word longer than a line is
// left whole; RFC 5322 only requires lines to stay under 998 characters.
func foldField(line string) string {
	if len(line) <= maxHeaderLine {
		return line
	}
	colon := strings.IndexByte(line, ':')
	var b strings.Builder
	start := colon // the first line keeps at least "Name:"
	for len(line) > maxHeaderLine {
		cut := -1
		for i := min(maxHeaderLine, len(line)-1); i > start; i-- {
			if foldableAt(line, i) {
				cut = i
				break
			}
		}
		if cut < 0 {
			for i := maxHeaderLine + 1; i < len(line); i++ {
				if foldableAt(line, i) {
					cut = i
					break
				}
			}
		}
		if cut < 0 {
			break
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n")
		line = line[cut:]
		start = 1 // a continuation keeps its leading space and one more character
	}
	b.WriteString(line)
	return b.String()
}

func foldableAt(line string, i int) bool {
	isWSP := func(c byte) bool { return c == ' ' || c == '\t' }
	return line[i] == ' ' && i+1 < len(line) && !isWSP(line[i-1]) && !isWSP(line[i+1])
}
