package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/booking"
)

// The hand-written body of GET /api/v1/slots is byte for byte what
// encoding/json made of the same slots (as Echo's c.JSON wrote it).
func TestSlotsJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	london, _ := time.LoadLocation("Europe/London")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	chatham, _ := time.LoadLocation("Pacific/Chatham")
	start := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC) // across the DST change in New York
	var list []booking.OpenSlot
	names := []string{"Dr. Maya Lindqvist", `Sam "Sammy" O'Kafor <LMFT> & Co.`, "Tomás Ferreira, PhD", "Line\nbreak\u2028"}
	for i := range 40 {
		s := start.Add(time.Duration(i) * 50 * time.Minute)
		list = append(list, booking.OpenSlot{ClinicianID: int64(i%4 + 1), ClinicianName: names[i%4], Start: s, End: s.Add(50 * time.Minute)})
	}
	for name, tc := range map[string]struct {
		list []booking.OpenSlot
		loc  *time.Location
	}{
		"none":           {nil, time.UTC},
		"new york":       {list, ny},
		"utc":            {list, time.UTC},
		"one, in a zone": {list[:1], ny},
		"london":         {list, london},  // offset 0 outside UTC: Z
		"kolkata":        {list, kolkata}, // +05:30
		"chatham":        {list, chatham}, // +13:45 / +12:45
	} {
		t.Run(name, func(t *testing.T) {
			out := make([]slotJSON, len(tc.list))
			for i, s := range tc.list {
				out[i] = slotJSON{ClinicianID: s.ClinicianID, ClinicianName: s.ClinicianName,
					Start: s.Start.In(tc.loc).Format(time.RFC3339), End: s.End.In(tc.loc).Format(time.RFC3339)}
			}
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(map[string]any{"slots": out}); err != nil {
				t.Fatal(err)
			}
			if got := appendSlotsJSON(nil, tc.list, tc.loc); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("got  %s\nwant %s", got, want.Bytes())
			}
		})
	}
}
