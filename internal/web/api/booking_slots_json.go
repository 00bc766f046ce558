package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/firststep/firststep/internal/booking"
)

// appendSlotsJSON appends the body of GET /api/v1/slots,
// {"slots":[{"clinician_id","clinician_name","start","end"}]} with times in
// loc, byte for byte what encoding/json makes of []slotJSON, newline
// included. A listing is thousands of slots: encoding them by reflection
// through a map and formatting each time into its own string cost more than
// computing them.
func appendSlotsJSON(b []byte, list []booking.OpenSlot, loc *time.Location) []byte {
	if need := 64 + len(list)*128; cap(b)-len(b) < need {
		b = append(make([]byte, 0, len(b)+need), b...)
	}
	b = append(b, `{"slots":[`...)
	names := map[string][]byte{} // a few clinicians, thousands of slots
	for i, s := range list {
		name, ok := names[s.ClinicianName]
		if !ok {
			name, _ = json.Marshal(s.ClinicianName) // escaped as encoding/json does everywhere
			names[s.ClinicianName] = name
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"clinician_id":`...)
		b = strconv.AppendInt(b, s.ClinicianID, 10)
		b = append(b, `,"clinician_name":`...)
		b = append(b, name...)
		b = append(b, `,"start":"`...)
		b = appendRFC3339(b, s.Start.In(loc))
		b = append(b, `","end":"`...)
		b = appendRFC3339(b, s.End.In(loc))
		b = append(b, `"}`...)
	}
	return append(b, "]}\n"...)
}

// appendRFC3339 appends t as t.AppendFormat(b, time.RFC3339) does, in a
// third of the time, for the years 0–9999 (others go to AppendFormat).
func appendRFC3339(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	hour, minute, second := t.Clock()
	_, offset := t.Zone()
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, int(month), '-')
	b = append2(b, day, 'T')
	b = append2(b, hour, ':')
	b = append2(b, minute, ':')
	b = append2(b, second, 0)
	if offset == 0 {
		return append(b, 'Z')
	}
	zone := offset / 60 // minutes, as time.Time.AppendFormat does
	if zone < 0 {
		b, zone = append(b, '-'), -zone
	} else {
		b = append(b, '+')
	}
	b = append2(b, zone/60, ':')
	return append2(b, zone%60, 0)
}

// append2 appends n (0–99) as two digits, then sep unless it is 0.
func append2(b []byte, n int, sep byte) []byte {
	b = append(b, byte('0'+n/10), byte('0'+n%10))
	if sep != 0 {
		b = append(b, sep)
	}
	return b
}
