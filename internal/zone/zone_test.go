package zone

import (
	"archive/zip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"America/New_York", true},
		{"Europe/London", true},
		{"UTC", true},
		{"Etc/UTC", true},
		{"Asia/Calcutta", true}, // a backward link browsers still report
		{"", false},             // time.LoadLocation reads it as UTC
		{"Local", false},        // the server's zone, not the client's
		{"Factory", false},
		{"America/./New_York", false},
		{"America//New_York", false},
		{"america/new_york", false},
		{"America/New_York/", false},
		{"/usr/share/zoneinfo/UTC", false},
		{"../../etc/passwd", false},
	} {
		if got := Valid(tc.name); got != tc.ok {
			t.Errorf("Valid(%q) = %v, want %v", tc.name, got, tc.ok)
		}
		_, err := Load(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("Load(%q) error = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// The attack of #7.16: every spelling time.LoadLocation accepts used to be
// cached for ever, and 75,000 of them took the process near a gigabyte.
func TestFirst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		names []string
		want  string
	}{
		{"none given", nil, "UTC"},
		{"the first", []string{"Europe/Berlin", "America/Chicago"}, "Europe/Berlin"},
		{"empty skipped", []string{"", "America/Chicago"}, "America/Chicago"},
		{"unknown skipped", []string{"Mars/Olympus", "Local", "America/./New_York", "Asia/Tokyo"}, "Asia/Tokyo"},
		{"none known", []string{"", "Local", "Factory"}, "UTC"},
	} {
		if got := First(tc.names...); got != tc.want {
			t.Errorf("%s: First(%q) = %q, want %q", tc.name, tc.names, got, tc.want)
		}
		if got := OrUTC(tc.names...).String(); got != tc.want {
			t.Errorf("%s: OrUTC(%q) = %q, want %q", tc.name, tc.names, got, tc.want)
		}
	}
}

func TestManySpellingsDoNotGrowTheCache(t *testing.T) {
	if _, err := Load("America/New_York"); err != nil {
		t.Fatal(err)
	}
	before := cached()
	for i := 0; i < 5000; i++ {
		spelling := "America/" + strings.Repeat("./", i%50+1) + strings.Repeat("/", i/50) + "New_York"
		if _, err := time.LoadLocation(spelling); err != nil {
			t.Fatalf("time.LoadLocation(%q) = %v; the attack needs spellings it accepts", spelling, err)
		}
		if _, err := Load(spelling); err == nil {
			t.Fatalf("Load(%q) accepted a non-canonical spelling", spelling)
		}
	}
	if after := cached(); after != before {
		t.Errorf("cache grew from %d to %d entries", before, after)
	}
	for n := range known {
		if _, err := Load(n); err != nil {
			t.Errorf("Load(%q) = %v", n, err)
		}
	}
	if got := cached(); got > len(known) {
		t.Errorf("cache holds %d entries, more than the %d zones", got, len(known))
	}
}

func cached() int {
	n := 0
	loaded.Range(func(any, any) bool { n++; return true })
	return n
}

// TestNamesMatchToolchain notices a Go upgrade that changed the zone
// database: run `go generate ./internal/zone` then.
func TestNamesMatchToolchain(t *testing.T) {
	t.Parallel()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("no go command to find the toolchain's zone database: %v", err)
	}
	z, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		t.Skipf("no zoneinfo.zip in GOROOT: %v", err)
	}
	defer z.Close()
	n := 0
	for _, f := range z.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		n++
		if !known[f.Name] && !notZones[f.Name] {
			t.Errorf("%s is in the toolchain's database but not in names.txt; run go generate ./internal/zone", f.Name)
		}
	}
	if n != len(known)+len(notZones) {
		t.Errorf("toolchain has %d zones, names.txt %d; run go generate ./internal/zone", n, len(known)+len(notZones))
	}
}
