package booking

import (
	"encoding/json"
	"strconv"
	"time"
)

// appendSlotsJSON appends the body of GET /api/v1/slots,
// {"slots":[{"clinician_id","clinician_name","start","end"}]} with times in
// loc, byte for byte what encoding/json makes of []slotJSON, newline
// included. A listing is thousands of slots: encoding them by reflection
// through a map and formatting each time into its own string cost more than
// computing them.
func appendSlotsJSON(b []byte, list []OpenSlot, loc *time.Location) []byte {
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
		b = s.Start.In(loc).AppendFormat(b, time.RFC3339)
		b = append(b, `","end":"`...)
		b = s.End.In(loc).AppendFormat(b, time.RFC3339)
		b = append(b, `"}`...)
	}
	return append(b, "]}\n"...)
}
