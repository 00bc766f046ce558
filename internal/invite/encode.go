package invite

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/emersion/go-ical"
)

// RFC 7986 names that go-ical does not define.
const (
	propConference = "CONFERENCE"
	paramFeature   = "FEATURE"
	propName       = "NAME"
)

// Encode validates the invitation and returns the whole VCALENDAR object,
// with CRLF line endings and lines folded at 75 octets, ready to be the
// text/calendar part of an iMIP message.
//
// TEXT values are escaped once, by go-ical's SetText (backslash, semicolon,
// comma and newline); they must not be escaped by the caller.
func (inv Invitation) Encode() ([]byte, error) {
	if err := inv.Validate(); err != nil {
		return nil, err
	}

	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, string(inv.Method))

	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, inv.UID)
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = strconv.Itoa(inv.Sequence)
	ev.Props.Set(seq)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, inv.Stamp.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeStart, inv.Start.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeEnd, inv.End.UTC())
	ev.Props.SetText(ical.PropSummary, cleanLine(inv.Summary))
	if loc := cleanLine(inv.Location); loc != "" {
		ev.Props.SetText(ical.PropLocation, loc)
	}
	if desc := cleanText(inv.Description); strings.TrimSpace(desc) != "" {
		ev.Props.SetText(ical.PropDescription, desc)
	}
	if err := setLinks(ev.Component, inv.URL, inv.Conference); err != nil {
		return nil, err
	}
	status := ical.EventConfirmed
	if inv.Method == MethodCancel {
		status = ical.EventCancelled
	}
	ev.Props.SetText(ical.PropStatus, string(status))
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	setPrivate(ev.Component)

	ev.Props.Set(calAddress(ical.PropOrganizer, inv.Organizer))
	for _, a := range inv.attendees() {
		p := calAddress(ical.PropAttendee, a)
		p.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
		p.Params.Set(ical.ParamParticipationStatus, "NEEDS-ACTION")
		// Firststep does not read iMIP REPLYs: the manage link is how a
		// client changes or cancels. RSVP=FALSE tells calendar clients that no
		// answer is expected (RFC 5545 §3.2.17), so none is sent into a void.
		p.Params.Set(ical.ParamRSVP, "FALSE")
		ev.Props.Add(p)
	}
	cal.Children = append(cal.Children, ev.Component)

	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("invite: encode %s: %w", inv.UID, err)
	}
	return foldLines(quoteCommonNames(buf.Bytes())), nil
}

// setLinks writes the event's URL (the reader's page about it) and, for a
// video consultation, its RFC 7986 CONFERENCE property. Both are URIs, not
// TEXT, so they are not escaped; checkURL has refused whitespace and
// control characters.
func setLinks(ev *ical.Component, page, conference string) error {
	if page != "" {
		u, err := url.Parse(page)
		if err != nil {
			return fmt.Errorf("invite: URL: %w", err)
		}
		ev.Props.SetURI(ical.PropURL, u)
	}
	if conference != "" {
		u, err := url.Parse(conference)
		if err != nil {
			return fmt.Errorf("invite: conference: %w", err)
		}
		// RFC 7986 requires VALUE=URI on CONFERENCE; go-ical leaves out a
		// VALUE it knows to be the default, so it is set directly.
		p := ical.NewProp(propConference)
		p.Value = u.String()
		p.Params.Set(ical.ParamValue, string(ical.ValueURI))
		p.Params.Set(paramFeature, "VIDEO")
		ev.Props.Set(p)
	}
	return nil
}

// setPrivate marks the event CLASS:PRIVATE. Invitations land in shared
// and delegated calendars; a therapy consultation is nobody else's business,
// and clients that honour CLASS show others only that the time is busy.
func setPrivate(ev *ical.Component) {
	ev.Props.SetText(ical.PropClass, "PRIVATE")
}

// calAddress builds an ORGANIZER or ATTENDEE property. The value is a
// CAL-ADDRESS (a URI), not TEXT, so it is not escaped; Validate has already
// made sure the address needs no escaping.
func calAddress(name string, p Person) *ical.Prop {
	prop := ical.NewProp(name)
	if cn := cleanParam(p.Name); cn != "" {
		prop.Params.Set(ical.ParamCommonName, cn)
	}
	prop.Value = "mailto:" + p.Email
	return prop
}

// quoteCommonNames rewrites every CN parameter of the (unfolded) content
// lines as a quoted-string. go-ical quotes a parameter value only when it
// holds ";", ":" or ","; quoting names always is what Outlook writes and
// keeps names with other punctuation unambiguous for lenient parsers.
func quoteCommonNames(unfolded []byte) []byte {
	lines := strings.SplitAfter(string(unfolded), "\r\n")
	var b strings.Builder
	b.Grow(len(unfolded) + 16)
	for _, line := range lines {
		if strings.HasPrefix(line, ical.PropOrganizer+";") || strings.HasPrefix(line, ical.PropAttendee+";") {
			line = quoteParam(line, ical.ParamCommonName)
		}
		b.WriteString(line)
	}
	return []byte(b.String())
}

// quoteParam returns the content line with every value of the named
// parameter written as a quoted-string. It follows the parameter grammar of
// RFC 5545 §3.1: a value is either a quoted-string or runs up to the next
// ";", ":" or ",". A line it cannot read is returned unchanged.
func quoteParam(line, param string) string {
	i := strings.IndexAny(line, ";:")
	if i < 0 || line[i] == ':' {
		return line
	}
	var b strings.Builder
	b.WriteString(line[:i])
	rest := line[i:]
	for strings.HasPrefix(rest, ";") {
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return line
		}
		name := rest[1:eq]
		b.WriteString(rest[:eq+1])
		rest = rest[eq+1:]
		for {
			var value string
			quoted := strings.HasPrefix(rest, `"`)
			if quoted {
				end := strings.IndexByte(rest[1:], '"')
				if end < 0 {
					return line
				}
				value, rest = rest[1:end+1], rest[end+2:]
			} else {
				end := strings.IndexAny(rest, ";:,")
				if end < 0 {
					return line
				}
				value, rest = rest[:end], rest[end:]
			}
			if quoted || strings.EqualFold(name, param) {
				value = `"` + value + `"`
			}
			b.WriteString(value)
			if !strings.HasPrefix(rest, ",") {
				break
			}
			b.WriteByte(',')
			rest = rest[1:]
		}
	}
	b.WriteString(rest)
	return b.String()
}
