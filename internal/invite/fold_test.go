package invite

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

func TestFoldLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		want string // empty: only the invariants are checked
	}{
		{name: "empty", line: "", want: ""},
		{name: "exactly 75 octets", line: strings.Repeat("a", 75), want: strings.Repeat("a", 75)},
		{name: "76 octets", line: strings.Repeat("a", 76), want: strings.Repeat("a", 75) + "\r\n a"},
		{
			name: "continuation holds 74 octets plus the space",
			line: strings.Repeat("a", 75+74+1),
			want: strings.Repeat("a", 75) + "\r\n " + strings.Repeat("a", 74) + "\r\n a",
		},
		{
			name: "two-octet character straddling octet 75 moves whole",
			line: strings.Repeat("a", 74) + "Ü" + "b",
			want: strings.Repeat("a", 74) + "\r\n Üb",
		},
		{name: "long ASCII", line: "DESCRIPTION:" + strings.Repeat("The quick brown fox jumps over the lazy dog. ", 20)},
		{name: "long German text", line: "DESCRIPTION:" + strings.Repeat("Überweisung für die Erstberatung … ", 15)},
		{name: "emoji", line: "SUMMARY:" + strings.Repeat("🙂🌿👩🏽‍⚕️", 30)},
		{name: "CJK", line: "LOCATION:" + strings.Repeat("東京都渋谷区", 25)},
		{name: "space right at a fold point survives", line: strings.Repeat("a", 75) + " " + strings.Repeat("b", 80)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := foldLine(tt.line)
			if tt.want != "" && got != tt.want {
				t.Errorf("foldLine() =\n%q\nwant\n%q", got, tt.want)
			}
			for i, phys := range strings.Split(got, "\r\n") {
				if len(phys) > maxLineOctets {
					t.Errorf("physical line %d has %d octets: %q", i, len(phys), phys)
				}
				if !utf8.ValidString(phys) {
					t.Errorf("physical line %d is not valid UTF-8: %q", i, phys)
				}
				if i > 0 && !strings.HasPrefix(phys, " ") {
					t.Errorf("continuation line %d does not start with a space: %q", i, phys)
				}
			}
			if u := unfold(got); u != tt.line {
				t.Errorf("unfold(foldLine()) =\n%q\nwant\n%q", u, tt.line)
			}
		})
	}
}

func TestFoldLinesKeepsLineStructure(t *testing.T) {
	t.Parallel()
	in := "BEGIN:VCALENDAR\r\nDESCRIPTION:" + strings.Repeat("x", 100) + "\r\nEND:VCALENDAR\r\n"
	got := string(foldLines([]byte(in)))
	want := "BEGIN:VCALENDAR\r\nDESCRIPTION:" + strings.Repeat("x", 63) + "\r\n " + strings.Repeat("x", 37) + "\r\nEND:VCALENDAR\r\n"
	if got != want {
		t.Errorf("foldLines() =\n%q\nwant\n%q", got, want)
	}
}

func TestQuoteParam(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line, want string
	}{
		{name: "no parameters", line: "ORGANIZER:mailto:a@example.org", want: "ORGANIZER:mailto:a@example.org"},
		{name: "bare CN", line: "ORGANIZER;CN=Ann Lee:mailto:a@example.org", want: `ORGANIZER;CN="Ann Lee":mailto:a@example.org`},
		{name: "already quoted CN", line: `ORGANIZER;CN="Lee, Ann":mailto:a@example.org`, want: `ORGANIZER;CN="Lee, Ann":mailto:a@example.org`},
		{
			name: "CN among other parameters",
			line: `ATTENDEE;CN=Ann;PARTSTAT=NEEDS-ACTION;DELEGATED-TO="mailto:b@x.org","mailto:c@x.org";RSVP=TRUE:mailto:a@x.org`,
			want: `ATTENDEE;CN="Ann";PARTSTAT=NEEDS-ACTION;DELEGATED-TO="mailto:b@x.org","mailto:c@x.org";RSVP=TRUE:mailto:a@x.org`,
		},
		{name: "CN last", line: "ATTENDEE;ROLE=CHAIR;CN=Bo:mailto:b@x.org", want: `ATTENDEE;ROLE=CHAIR;CN="Bo":mailto:b@x.org`},
		{name: "malformed left alone", line: "ATTENDEE;CN", want: "ATTENDEE;CN"},
		{name: "unterminated quote left alone", line: `ATTENDEE;CN="Bo:mailto:b@x.org`, want: `ATTENDEE;CN="Bo:mailto:b@x.org`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := quoteParam(tt.line, "CN"); got != tt.want {
				t.Errorf("quoteParam() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
