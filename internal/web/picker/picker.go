// Package picker is the one slot picker: the open consultation times of two
// weeks grouped by day, each a form button that posts the choice. The
// client's picker, the client's rescheduling and the front desk's booking
// on a client's behalf all use it, with one template partial
// ("slot-picker" in templates/partials/slot_picker.html).
package picker

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/consult"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/zone"
	"github.com/labstack/echo/v4"
)

// Slots lists the open times of kind in [from, to).
type Slots interface {
	Slots(ctx context.Context, kind consult.Kind, from, to time.Time) ([]booking.OpenSlot, error)
}

// View is the picker as a page shows it. Pages embed it beside web.Layout;
// the partial reads both.
type View struct {
	Action   string // where a chosen slot is posted
	Self     string // this page, for the paging links
	TimeZone string // the zone the times are listed in
	// ClientZone, when set, is the client's zone, whose time is shown
	// beside each slot (staff reading times in the practice's zone).
	ClientZone string
	// ClientChoosesZone: the zone is the client's own choice, kept in the
	// paging links and posted with the chosen slot as the client's zone.
	ClientChoosesZone bool
	Days              []Day
	Prev, Next        string // earlier and later two weeks
	Message           string // why the last choice could not be booked
}

// Day is one day of the picker.
type Day struct {
	Label string // "Monday, March 2"
	Slots []Slot
}

// Slot is one open time.
type Slot struct {
	ClinicianID   int64
	ClinicianName string
	Start         string // RFC 3339 in UTC, posted back
	Label         string // "9:00 AM"
	ClientLabel   string // "Tue 4:00 PM" in ClientZone; "" without one
}

// Fill lists the open slots of kind for the two weeks from the date from
// (YYYY-MM-DD; today when empty, not a date or past), grouped by day in
// v.TimeZone, and sets the paging links.
func (v *View) Fill(ctx context.Context, slots Slots, kind consult.Kind, from string, now time.Time) error {
	q, err := booking.ParseSlotQuery(string(kind), from, "", v.TimeZone, now)
	if err != nil {
		q, _ = booking.ParseSlotQuery(string(kind), "", "", v.TimeZone, now)
	}
	today := schedule.DateOf(now.In(q.Location))
	start := schedule.DateOf(q.From)
	if start.Compare(today) < 0 { // two weeks from today, not what is left of two past weeks
		start = today
		q, _ = booking.ParseSlotQuery(string(kind), "", "", v.TimeZone, now)
	}
	list, err := slots.Slots(ctx, kind, q.From, q.To)
	if err != nil {
		return err
	}
	var client *time.Location
	if v.ClientZone != "" {
		client, _ = zone.Load(v.ClientZone)
	}
	v.Days = days(list, q.Location, client)
	page := func(d schedule.Date) string {
		p := url.Values{"from": {d.String()}}
		if v.ClientChoosesZone {
			p.Set("tz", v.TimeZone)
		}
		return v.Self + "?" + p.Encode()
	}
	v.Prev = ""
	if start.Compare(today) > 0 {
		v.Prev = page(start.AddDays(-14))
	}
	v.Next = page(start.AddDays(14))
	return nil
}

// days groups slots by day in loc, each with its time in client (when not
// nil) beside it.
func days(slots []booking.OpenSlot, loc, client *time.Location) []Day {
	var out []Day
	var last schedule.Date
	for _, s := range slots {
		start := s.Start.In(loc)
		d := schedule.DateOf(start)
		if len(out) == 0 || d != last {
			out = append(out, Day{Label: start.Format("Monday, January 2")})
			last = d
		}
		sv := Slot{ClinicianID: s.ClinicianID, ClinicianName: s.ClinicianName,
			Start: s.Start.UTC().Format(time.RFC3339), Label: start.Format("3:04 PM")}
		if client != nil {
			sv.ClientLabel = s.Start.In(client).Format("Mon 3:04 PM")
		}
		out[len(out)-1].Slots = append(out[len(out)-1].Slots, sv)
	}
	return out
}

// Choice reads the chosen slot from the posted form. The client's zone is
// the one posted only when clientChoosesZone; otherwise it is left empty
// (the one the client gave, or kept from the booking, stays).
func Choice(c echo.Context, clientChoosesZone bool) (booking.Request, error) {
	id, err := strconv.ParseInt(c.FormValue("clinician_id"), 10, 64)
	if err != nil {
		return booking.Request{}, booking.ErrSlotNotOpen
	}
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		return booking.Request{}, booking.ErrSlotNotOpen
	}
	req := booking.Request{ClinicianID: id, Start: start}
	if clientChoosesZone {
		req.ClientTimeZone = c.FormValue("tz")
	}
	return req, nil
}

// Zone is the zone posted with a chosen slot, in which the picker is shown
// again after a refused choice.
func Zone(c echo.Context) string { return c.FormValue("tz") }

// slotTakenMessage replaces the service's sentence on the picker, which
// shows fresh times right below it.
const slotTakenMessage = "Someone else booked that time a moment ago. Here are the times that are still open."

// Refusal is how the picker shows a choice the service refused.
type Refusal struct {
	Message string
	// AlreadyBooked: the request has an upcoming consultation already.
	AlreadyBooked bool
}

// Refused tells whether err refuses the choice itself — the time was
// taken, is not open, or the request is booked already — so that the
// picker is shown again with the reason; any other error (the booking was
// cancelled or has started, not found, internal) is not the picker's to
// show and goes to the error page.
func Refused(err error) (Refusal, bool) {
	switch {
	case errors.Is(err, booking.ErrCancelled), errors.Is(err, booking.ErrPast):
		return Refusal{}, false
	case errors.Is(err, booking.ErrAlreadyBooked):
		return Refusal{Message: apperr.As(err).Message, AlreadyBooked: true}, true
	case errors.Is(err, booking.ErrSlotTaken):
		return Refusal{Message: slotTakenMessage}, true
	}
	switch k := apperr.KindOf(err); k {
	case apperr.Conflict, apperr.Invalid:
		return Refusal{Message: apperr.As(err).Message}, true
	}
	return Refusal{}, false
}
