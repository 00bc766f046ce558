package invite

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST case must not depend on the host's zone database
	"unicode/utf8"

	"github.com/firststep/firststep/internal/golden"

	"github.com/emersion/go-ical"
)

// newYorkAt returns the instant a New York wall clock shows the given time.
func newYorkAt(t *testing.T, year int, month time.Month, day, hour, min int) time.Time {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(year, month, day, hour, min, 0, 0, ny)
}

func TestEncodeGolden(t *testing.T) {
	t.Parallel()

	// The first booking is on Thursday 6 March 2025, 09:00 in New York (EST,
	// UTC-5). It is then moved to Monday 10 March, 09:00 — the day after the
	// US switch to daylight time (EDT, UTC-4) — so the same wall clock is a
	// different UTC hour. Then it is cancelled.
	first := validInvitation()
	first.Start = newYorkAt(t, 2025, time.March, 6, 9, 0)
	first.End = first.Start.Add(20 * time.Minute)
	first.Description = "Your free 20-minute consultation with Riverbend Therapy.\n" +
		"Join by video: https://meet.riverbend.example/r/7f3k-29qa\n" +
		"To reschedule or cancel, use the link in your email or call 555-0100."
	first.URL = "https://riverbend.example/b/42"
	first.Conference = "https://meet.riverbend.example/r/7f3k-29qa?pwd=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0"

	moved := first
	moved.Sequence = 1
	moved.Stamp = time.Date(2025, 3, 4, 10, 30, 0, 0, time.UTC)
	moved.Start = newYorkAt(t, 2025, time.March, 10, 9, 0)
	moved.End = moved.Start.Add(20 * time.Minute)

	cancelled := moved
	cancelled.Method = MethodCancel
	cancelled.Sequence = 2
	cancelled.Stamp = time.Date(2025, 3, 7, 8, 0, 0, 0, time.UTC)
	cancelled.Description = "This consultation has been cancelled."

	tests := []struct {
		name       string
		inv        Invitation
		wantStart  string // DTSTART as written
		wantStatus string
	}{
		{name: "request", inv: first, wantStart: "20250306T140000Z", wantStatus: "CONFIRMED"},
		{name: "reschedule", inv: moved, wantStart: "20250310T130000Z", wantStatus: "CONFIRMED"},
		{name: "cancel", inv: cancelled, wantStart: "20250310T130000Z", wantStatus: "CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.inv.Encode()
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, filepath.Join("testdata", tt.name+".ics"), got)
			checkWireFormat(t, got)

			unfolded := unfold(string(got))
			for _, want := range []string{
				"DTSTART:" + tt.wantStart + "\r\n",
				`ORGANIZER;CN="Riverbend Therapy":mailto:appointments@riverbend.example` + "\r\n",
				`ATTENDEE;CN="Jordan Reyes";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:jordan.reyes@example.com` + "\r\n",
				"URL:https://riverbend.example/b/42\r\n",
				"CONFERENCE;FEATURE=VIDEO;VALUE=URI:" + first.Conference + "\r\n",
				"CLASS:PRIVATE\r\n",
			} {
				if !strings.Contains(unfolded, want) {
					t.Errorf("output lacks line %q", want)
				}
			}

			cal := decode(t, got)
			checkDecoded(t, cal, tt.inv, tt.wantStatus)
		})
	}
}

func TestEncodeEscaping(t *testing.T) {
	t.Parallel()
	const awkward = `O'Brien, Ann; "A\B"`
	inv := validInvitation()
	inv.Organizer.Name = awkward
	inv.Attendees[1].Name = awkward
	inv.Summary = `Consultation; intro, part 1 \ 2`
	inv.Location = "12 Main St., Suite 3; Springfield"
	inv.Description = "Line one, with a comma; and a semicolon.\n" +
		`Back\slash and C:\path\n (a literal backslash-n)` + "\n" +
		"Windows line end\r\nand a lone CR\rend.\n\nÜberweisung: bitte bis Freitag 💶"

	got, err := inv.Encode()
	if err != nil {
		t.Fatal(err)
	}
	checkWireFormat(t, got)
	unfolded := unfold(string(got))

	// DQUOTE cannot appear inside a parameter value, so it becomes an
	// apostrophe; ";" and "," are safe inside the quotes; a parameter value
	// has no backslash escaping.
	const wantCN = `CN="O'Brien, Ann; 'A\B'"`
	for _, want := range []string{
		"ORGANIZER;" + wantCN + ":mailto:",
		"ATTENDEE;" + wantCN + ";PARTSTAT=",
		`SUMMARY:Consultation\; intro\, part 1 \\ 2` + "\r\n",
		`LOCATION:12 Main St.\, Suite 3\; Springfield` + "\r\n",
		`DESCRIPTION:Line one\, with a comma\; and a semicolon.\nBack\\slash and C:\\path\\n (a literal backslash-n)\nWindows line end\nand a lone CR\nend.\n\nÜberweisung: bitte bis Freitag 💶` + "\r\n",
	} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("output lacks %q\n%s", want, unfolded)
		}
	}

	ev := onlyEvent(t, decode(t, got))
	tests := []struct {
		name string
		prop string
		want string
	}{
		{name: "summary", prop: ical.PropSummary, want: inv.Summary},
		{name: "location", prop: ical.PropLocation, want: inv.Location},
		{name: "description", prop: ical.PropDescription, want: strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(inv.Description)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text, err := ev.Props.Text(tt.prop)
			if err != nil {
				t.Fatal(err)
			}
			if text != tt.want {
				t.Errorf("decoded %s = %q, want %q", tt.prop, text, tt.want)
			}
		})
	}
	wantName := `O'Brien, Ann; 'A\B'`
	if cn := ev.Props.Get(ical.PropOrganizer).Params.Get(ical.ParamCommonName); cn != wantName {
		t.Errorf("decoded organizer CN = %q, want %q", cn, wantName)
	}
	if cn := ev.Props.Values(ical.PropAttendee)[1].Params.Get(ical.ParamCommonName); cn != wantName {
		t.Errorf("decoded attendee CN = %q, want %q", cn, wantName)
	}
}

func TestEncodeCleansControlCharacters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(*Invitation)
		prop     string
		wantText string // decoded TEXT value, or CN for ORGANIZER/ATTENDEE
	}{
		{
			name:     "line break in attendee name cannot start a new property",
			edit:     func(i *Invitation) { i.Attendees[0].Name = "Maya\r\nX-INJECTED:1" },
			prop:     ical.PropAttendee,
			wantText: "Maya X-INJECTED:1",
		},
		{
			name:     "line break in summary becomes a space",
			edit:     func(i *Invitation) { i.Summary = "Consultation\r\nMETHOD:PUBLISH" },
			prop:     ical.PropSummary,
			wantText: "Consultation METHOD:PUBLISH",
		},
		{
			name:     "NUL and escape in location",
			edit:     func(i *Invitation) { i.Location = "Room\x00 4\x1b[31m" },
			prop:     ical.PropLocation,
			wantText: "Room 4 [31m",
		},
		{
			name:     "invalid UTF-8 in description",
			edit:     func(i *Invitation) { i.Description = "caf\xe9" },
			prop:     ical.PropDescription,
			wantText: "caf\uFFFD",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := validInvitation()
			tt.edit(&inv)
			got, err := inv.Encode()
			if err != nil {
				t.Fatal(err)
			}
			checkWireFormat(t, got)
			for _, line := range strings.Split(unfold(string(got)), "\r\n") {
				if strings.HasPrefix(line, "X-INJECTED") || strings.HasPrefix(line, "METHOD:PUBLISH") {
					t.Errorf("injected content line %q", line)
				}
			}
			ev := onlyEvent(t, decode(t, got))
			var text string
			if tt.prop == ical.PropAttendee {
				text = ev.Props.Get(tt.prop).Params.Get(ical.ParamCommonName)
			} else if text, err = ev.Props.Text(tt.prop); err != nil {
				t.Fatal(err)
			}
			if text != tt.wantText {
				t.Errorf("%s = %q, want %q", tt.prop, text, tt.wantText)
			}
		})
	}
}

func TestEncodeOmitsEmptyOptionalFields(t *testing.T) {
	t.Parallel()
	inv := validInvitation()
	inv.Location, inv.Description, inv.URL = "", " \n ", ""
	inv.Organizer.Name = ""
	got, err := inv.Encode()
	if err != nil {
		t.Fatal(err)
	}
	s := unfold(string(got))
	for _, absent := range []string{"\r\nLOCATION", "\r\nDESCRIPTION", "\r\nURL"} {
		if strings.Contains(s, absent) {
			t.Errorf("output contains %q", absent)
		}
	}
	if !strings.Contains(s, "\r\nORGANIZER:mailto:appointments@riverbend.example\r\n") {
		t.Errorf("organizer without a name should have no CN:\n%s", s)
	}
}

// checkWireFormat checks the octet-level rules of RFC 5545 §3.1.
func checkWireFormat(t *testing.T, b []byte) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Error("output does not end with CRLF")
	}
	if n := strings.Count(s, "\n"); n != strings.Count(s, "\r\n") || strings.Count(s, "\r") != n {
		t.Error("output has a bare CR or LF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > maxLineOctets {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not valid UTF-8: %q", i+1, line)
		}
		for _, r := range line {
			if r < ' ' || r == 0x7f {
				t.Errorf("line %d holds control character %q", i+1, r)
			}
		}
	}
}

func decode(t *testing.T, b []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, b)
	}
	return cal
}

func onlyEvent(t *testing.T, cal *ical.Calendar) ical.Event {
	t.Helper()
	events := cal.Events()
	if len(events) != 1 || len(cal.Children) != 1 {
		t.Fatalf("calendar has %d events and %d components, want exactly one VEVENT", len(events), len(cal.Children))
	}
	return events[0]
}

// checkDecoded reads the calendar back field by field, as a client would.
func checkDecoded(t *testing.T, cal *ical.Calendar, inv Invitation, wantStatus string) {
	t.Helper()
	text := func(props ical.Props, name string) string {
		t.Helper()
		p := props.Get(name)
		if p == nil {
			t.Errorf("missing %s", name)
			return ""
		}
		s, err := p.Text()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return s
	}
	for name, want := range map[string]string{
		ical.PropProductID:     ProdID,
		ical.PropVersion:       "2.0",
		ical.PropCalendarScale: "GREGORIAN",
		ical.PropMethod:        string(inv.Method),
	} {
		if got := text(cal.Props, name); got != want {
			t.Errorf("VCALENDAR %s = %q, want %q", name, got, want)
		}
	}

	ev := onlyEvent(t, cal)
	for name, want := range map[string]string{
		ical.PropUID:          inv.UID,
		ical.PropStatus:       wantStatus,
		ical.PropTransparency: "OPAQUE",
		ical.PropSummary:      inv.Summary,
		ical.PropLocation:     inv.Location,
		ical.PropDescription:  inv.Description,
	} {
		if got := text(ev.Props, name); got != want {
			t.Errorf("VEVENT %s = %q, want %q", name, got, want)
		}
	}
	if seq := ev.Props.Get(ical.PropSequence); seq == nil {
		t.Error("missing SEQUENCE")
	} else if n, err := seq.Int(); err != nil || n != inv.Sequence {
		t.Errorf("SEQUENCE = %d, %v; want %d", n, err, inv.Sequence)
	}
	if got := text(ev.Props, ical.PropClass); got != "PRIVATE" {
		t.Errorf("CLASS = %q, want PRIVATE", got)
	}
	if inv.Conference != "" {
		c := ev.Props.Get(propConference)
		if c == nil {
			t.Error("missing CONFERENCE")
		} else if u, err := c.URI(); err != nil || u.String() != inv.Conference || c.Params.Get(paramFeature) != "VIDEO" || c.ValueType() != ical.ValueURI {
			t.Errorf("CONFERENCE = %q (FEATURE=%q, VALUE=%q), want %s", c.Value, c.Params.Get(paramFeature), c.ValueType(), inv.Conference)
		}
	}
	if inv.URL != "" {
		u, err := ev.Props.URI(ical.PropURL)
		if err != nil || u.String() != inv.URL {
			t.Errorf("URL = %v, %v; want %s", u, err, inv.URL)
		}
	}
	for name, want := range map[string]time.Time{
		ical.PropDateTimeStamp: inv.Stamp,
		ical.PropDateTimeStart: inv.Start,
		ical.PropDateTimeEnd:   inv.End,
	} {
		p := ev.Props.Get(name)
		if p == nil {
			t.Errorf("missing %s", name)
			continue
		}
		if !strings.HasSuffix(p.Value, "Z") || p.Params.Get(ical.ParamTimezoneID) != "" {
			t.Errorf("%s = %q with TZID %q, want a UTC value", name, p.Value, p.Params.Get(ical.ParamTimezoneID))
		}
		got, err := p.DateTime(nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s = %v, want %v in UTC", name, got, want.UTC())
		}
	}

	org := ev.Props.Get(ical.PropOrganizer)
	if org == nil {
		t.Fatal("missing ORGANIZER")
	}
	if org.Value != "mailto:"+inv.Organizer.Email || org.Params.Get(ical.ParamCommonName) != inv.Organizer.Name {
		t.Errorf("ORGANIZER = %q CN=%q", org.Value, org.Params.Get(ical.ParamCommonName))
	}

	atts := ev.Props.Values(ical.PropAttendee)
	if len(atts) != len(inv.Attendees) {
		t.Fatalf("%d attendees, want %d", len(atts), len(inv.Attendees))
	}
	for i, a := range atts {
		want := inv.Attendees[i]
		if a.Value != "mailto:"+want.Email {
			t.Errorf("attendee %d = %q, want mailto:%s", i, a.Value, want.Email)
		}
		for param, wantValue := range map[string]string{
			ical.ParamCommonName:          want.Name,
			ical.ParamRole:                "REQ-PARTICIPANT",
			ical.ParamParticipationStatus: "NEEDS-ACTION",
			ical.ParamRSVP:                "FALSE",
		} {
			if got := a.Params.Get(param); got != wantValue {
				t.Errorf("attendee %d %s = %q, want %q", i, param, got, wantValue)
			}
		}
	}
}

// An address is the organizer or one attendee: a client who shares the
// clinician's mailbox, or whose address is the practice's sending address,
// neither breaks the invitation nor appears twice.
func TestEncodeOneAttendeePerAddress(t *testing.T) {
	t.Parallel()
	inv := validInvitation()
	inv.Attendees = []Person{
		{Name: "Dr. Maya Lindqvist", Email: "maya.lindqvist@riverbend.example"},
		{Name: "Jordan Reyes", Email: "Maya.Lindqvist@Riverbend.example"}, // the clinician's mailbox
		{Name: "Sam Reyes", Email: "APPOINTMENTS@riverbend.example"},      // the organizer's
		{Name: "Alex Kim", Email: "alex@example.com"},
		{Name: "Alex K.", Email: "alex@example.com"},
	}
	got, err := inv.Encode()
	if err != nil {
		t.Fatal(err)
	}
	checkWireFormat(t, got)
	ev := onlyEvent(t, decode(t, got))
	var atts []string
	for _, a := range ev.Props.Values(ical.PropAttendee) {
		atts = append(atts, a.Params.Get(ical.ParamCommonName)+" <"+a.Value+">")
	}
	want := []string{"Dr. Maya Lindqvist <mailto:maya.lindqvist@riverbend.example>", "Alex Kim <mailto:alex@example.com>"}
	if strings.Join(atts, "|") != strings.Join(want, "|") {
		t.Errorf("attendees = %q, want %q", atts, want)
	}
	if org := ev.Props.Values(ical.PropOrganizer); len(org) != 1 || org[0].Value != "mailto:appointments@riverbend.example" {
		t.Errorf("ORGANIZER = %v, want the sending address once", org)
	}
	for addr, want := range map[string]bool{
		"maya.lindqvist@riverbend.example": true,
		"Maya.Lindqvist@Riverbend.example": true,
		"alex@example.com":                 true,
		"appointments@riverbend.example":   false, // would read as "you organised this"
		"APPOINTMENTS@riverbend.example":   false,
		"someone@else.example":             false,
	} {
		if got := inv.Invites(addr); got != want {
			t.Errorf("Invites(%q) = %v, want %v", addr, got, want)
		}
	}
}
