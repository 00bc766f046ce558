package invite

import (
	"bytes"
	"fmt"

	"github.com/emersion/go-ical"
)

// EncodeRemoval returns a METHOD:CANCEL that takes only inv's attendees off
// the event, in RFC 5546 §3.2.5's form for removing attendees from an event
// that goes on for everyone else: it lists only the attendees being removed
// and carries no STATUS:CANCELLED, which would cancel the whole event. The
// UID stays the booking's and Sequence must be above the one those attendees
// last received. Start, End, Location and Summary should be the ones they
// have in their calendars, so that the message describes what disappears.
func (inv Invitation) EncodeRemoval() ([]byte, error) {
	if inv.Method != MethodCancel {
		return nil, fmt.Errorf("invite: a removal is a CANCEL, got %q", inv.Method)
	}
	raw, err := inv.Encode()
	if err != nil {
		return nil, err
	}
	// Encode writes STATUS:CANCELLED on every CANCEL; the removal is that
	// message without it, so every other property stays as Encode writes it.
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		return nil, fmt.Errorf("invite: removal %s: %w", inv.UID, err)
	}
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			c.Props.Del(ical.PropStatus)
		}
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("invite: encode removal %s: %w", inv.UID, err)
	}
	return foldLines(quoteCommonNames(buf.Bytes())), nil
}
