package schedule

import (
	"testing"
	"time"
)

func TestDateRange(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name, from, to string
		start, end     string // RFC 3339 or ""
		errField       string
	}{
		{"open", "", "", "", "", ""},
		{"both days included", "2026-03-07", "2026-03-08", "2026-03-07T00:00:00-05:00", "2026-03-09T00:00:00-04:00", ""},
		{"bad from", "March", "", "", "", "from"},
		{"to before from", "2026-03-09", "2026-03-07", "2026-03-09T00:00:00-04:00", "", "to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			errs := map[string]string{}
			s, e := DateRange(c.from, c.to, ny, errs)
			format := func(t time.Time) string {
				if t.IsZero() {
					return ""
				}
				return t.Format(time.RFC3339)
			}
			if format(s) != c.start || format(e) != c.end {
				t.Errorf("range = %s – %s, want %s – %s", format(s), format(e), c.start, c.end)
			}
			if (c.errField == "") != (len(errs) == 0) || (c.errField != "" && errs[c.errField] == "") {
				t.Errorf("errs = %v, want a message for %q", errs, c.errField)
			}
		})
	}
}
