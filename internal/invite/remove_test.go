package invite

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// Removing one attendee (a consultation moved to another clinician) is a
// CANCEL that lists only that attendee, keeps the UID, raises SEQUENCE and
// leaves the event's STATUS alone (RFC 5546 §3.2.5).
func TestEncodeRemovalCancelsOnlyForTheListedAttendee(t *testing.T) {
	t.Parallel()
	inv := validInvitation()
	inv.Method, inv.Sequence = MethodCancel, 3
	inv.Attendees = inv.Attendees[:1]
	inv.Location = "12 Harbour Street, Suite 4"
	raw, err := inv.EncodeRemoval()
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if strings.Contains(s, "STATUS:") {
		t.Errorf("a removal must not carry STATUS (that would cancel the event for everyone):\n%s", s)
	}
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Errorf("line endings are not CRLF:\n%q", s)
	}
	for _, line := range strings.Split(s, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
	if !strings.Contains(s, `ATTENDEE;CN="Dr. Maya Lindqvist"`) {
		t.Errorf("CN is not quoted:\n%s", s)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	if m, _ := cal.Props.Text(ical.PropMethod); m != "CANCEL" {
		t.Errorf("METHOD = %q", m)
	}
	ev := cal.Events()[0]
	uid, _ := ev.Props.Text(ical.PropUID)
	loc, _ := ev.Props.Text(ical.PropLocation)
	start, _ := ev.DateTimeStart(time.UTC)
	if uid != inv.UID || ev.Props.Get(ical.PropSequence).Value != "3" || !start.Equal(inv.Start) || loc != inv.Location {
		t.Errorf("uid %q seq %s start %v location %q", uid, ev.Props.Get(ical.PropSequence).Value, start, loc)
	}
	att := ev.Props.Values(ical.PropAttendee)
	if len(att) != 1 || att[0].Value != "mailto:maya.lindqvist@riverbend.example" {
		t.Errorf("attendees = %v, want only the one removed", att)
	}

	inv.Method = MethodRequest
	if _, err := inv.EncodeRemoval(); err == nil {
		t.Error("a REQUEST was encoded as a removal")
	}
}
