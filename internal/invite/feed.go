package invite

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/emersion/go-ical"
)

// FeedEvent is one consultation in a clinician's subscribed calendar.
type FeedEvent struct {
	UID      string
	Sequence int
	// Revised is when the consultation last changed, written as DTSTAMP
	// (RFC 5545 §3.8.7.2: without METHOD, DTSTAMP is the last revision).
	// Zero means the feed's stamp. Stable stamps keep an unchanged feed
	// byte for byte the same, so its ETag only changes with its content.
	Revised     time.Time
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string // the clinician's staff page for the request; optional
	Conference  string // the video meeting's address; optional
}

// FeedTTL is how often subscribers are asked to fetch the feed again.
const FeedTTL = "PT15M"

// EncodeFeed returns a subscribable calendar of events, in UTC, with CRLF
// line endings and lines folded at 75 octets. Calendar apps poll it; name is
// the calendar's display name (RFC 7986 NAME, and X-WR-CALNAME for Apple
// and Google), and X-PUBLISHED-TTL with REFRESH-INTERVAL say how often.
//
// The feed carries no METHOD: it is not an iTIP message (RFC 5545 §3.7.2
// ties METHOD to iTIP transport), and METHOD:PUBLISH would require an
// ORGANIZER on every event (RFC 5546 §3.2.1), which would make calendar
// apps present the clinician's own consultations as invitations from the
// practice's no-reply address, to be accepted or declined.
func EncodeFeed(name string, stamp time.Time, events []FeedEvent) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(propName, cleanLine(name))
	cal.Props.SetText("X-WR-CALNAME", cleanLine(name))
	ttl := ical.NewProp("X-PUBLISHED-TTL")
	ttl.Value = FeedTTL
	cal.Props.Set(ttl)
	refresh := ical.NewProp(ical.PropRefreshInterval)
	refresh.Value = FeedTTL
	refresh.Params.Set(ical.ParamValue, "DURATION")
	cal.Props.Set(refresh)
	for _, e := range events {
		if e.UID == "" || !e.End.After(e.Start) {
			return nil, fmt.Errorf("invite: feed event %q has no UID or no duration", e.UID)
		}
		for _, u := range []string{e.URL, e.Conference} {
			if u != "" {
				if err := checkURL(u); err != nil {
					return nil, err
				}
			}
		}
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, e.UID)
		seq := ical.NewProp(ical.PropSequence)
		seq.Value = strconv.Itoa(e.Sequence)
		ev.Props.Set(seq)
		revised := e.Revised
		if revised.IsZero() {
			revised = stamp
		}
		ev.Props.SetDateTime(ical.PropDateTimeStamp, revised.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeStart, e.Start.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeEnd, e.End.UTC())
		ev.Props.SetText(ical.PropSummary, cleanLine(e.Summary))
		if loc := cleanLine(e.Location); loc != "" {
			ev.Props.SetText(ical.PropLocation, loc)
		}
		if d := cleanText(e.Description); d != "" {
			ev.Props.SetText(ical.PropDescription, d)
		}
		if err := setLinks(ev.Component, e.URL, e.Conference); err != nil {
			return nil, err
		}
		ev.Props.SetText(ical.PropStatus, string(ical.EventConfirmed))
		setPrivate(ev.Component)
		cal.Children = append(cal.Children, ev.Component)
	}
	if len(events) == 0 {
		// A calendar needs at least one component (RFC 5545, 3.4): a
		// clinician who subscribes before their first consultation gets an
		// empty calendar that names only the zone its times are in.
		cal.Children = append(cal.Children, utcZone())
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("invite: encode feed: %w", err)
	}
	return foldLines(buf.Bytes()), nil
}

// utcZone is a VTIMEZONE for UTC, the zone every time in a feed is in.
func utcZone() *ical.Component {
	std := ical.NewComponent(ical.CompTimezoneStandard)
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Value = "19700101T000000"
	std.Props.Set(start)
	for _, name := range []string{ical.PropTimezoneOffsetFrom, ical.PropTimezoneOffsetTo} {
		p := ical.NewProp(name)
		p.Value = "+0000"
		std.Props.Set(p)
	}
	std.Props.SetText(ical.PropTimezoneName, "UTC")
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, "UTC")
	tz.Children = append(tz.Children, std)
	return tz
}
