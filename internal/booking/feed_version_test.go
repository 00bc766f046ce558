package booking

import (
	"testing"
	"time"
)

// Last-Modified moves only when the feed's bytes change, and always to a
// later whole second, so that If-Modified-Since never matches a newer
// version.
func TestFeedLastModified(t *testing.T) {
	t.Parallel()
	var f feedVersions
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 400_000_000, time.UTC)
	steps := []struct {
		name       string
		clinician  int64
		etag       string
		now        time.Time
		wantSecond time.Time
	}{
		{"first served", 1, `"a"`, t0, t0.Truncate(time.Second)},
		{"unchanged later", 1, `"a"`, t0.Add(time.Hour), t0.Truncate(time.Second)},
		{"changed later", 1, `"b"`, t0.Add(2 * time.Hour), t0.Add(2 * time.Hour).Truncate(time.Second)},
		{"changed again within the second", 1, `"c"`, t0.Add(2*time.Hour + 300*time.Millisecond), t0.Add(2*time.Hour + time.Second).Truncate(time.Second)},
		{"another clinician", 2, `"c"`, t0, t0.Truncate(time.Second)},
	}
	for _, s := range steps {
		if got := f.modified(s.clinician, s.etag, s.now); !got.Equal(s.wantSecond) {
			t.Errorf("%s: Last-Modified %v, want %v", s.name, got, s.wantSecond)
		}
	}
}
