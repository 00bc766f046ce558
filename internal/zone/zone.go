// Package zone is the one gate through which a time-zone name enters
// Firststep: from the slots query, the intake form, a clinician's hours and
// the practice settings.
//
// A name is a zone when it is spelled exactly as in the IANA database that
// the binary embeds (time/tzdata), "UTC" included. time.LoadLocation is
// more lenient — it accepts "America/./New_York", "America//New_York" and
// "Local" (the server's own zone) — so every name is checked against that
// list before anything loads or caches it. The empty name is no zone
// either (time.LoadLocation would read it as UTC): a field that may be
// left out checks for "" itself before asking here.
package zone

import (
	_ "embed"
	"errors"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the zone list below is the embedded database's
)

//go:generate go run mknames.go

// names.txt lists every file of $GOROOT/lib/time/zoneinfo.zip, from which
// time/tzdata is built; TestNamesMatchToolchain notices when they drift.
//
//go:embed names.txt
var namesTxt string

// ErrUnknown is returned for a name that is not an IANA zone name.
var ErrUnknown = errors.New("not an IANA time zone name")

// notZones are entries of the database that name no place: "Factory" is a
// placeholder whose abbreviation is "-00".
var notZones = map[string]bool{"Factory": true}

var known = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Split(strings.TrimSpace(namesTxt), "\n") {
		if !notZones[n] {
			m[n] = true
		}
	}
	return m
}()

// Valid reports whether name is an IANA zone name, spelled exactly.
func Valid(name string) bool { return known[name] }

// loaded caches parsed zones: time.LoadLocation parses the zone data on
// every call, and zones are loaded on every slot listing. Only names that
// passed Valid are stored, so the cache holds at most len(known) entries
// whatever is asked of it.
var loaded sync.Map // string → *time.Location

// Load returns the zone called name, or ErrUnknown.
func Load(name string) (*time.Location, error) {
	if !known[name] {
		return nil, ErrUnknown
	}
	if l, ok := loaded.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	l, _ := loaded.LoadOrStore(name, loc)
	return l.(*time.Location), nil
}

// First is the one rule for the zone a time is shown in when the one
// preferred may be missing or unknown: the first of names that is a zone,
// in the order given (say the zone the client asked for, then the one on
// their request, then the practice's), or "UTC" when none is.
func First(names ...string) string {
	for _, n := range names {
		if known[n] {
			return n
		}
	}
	return "UTC"
}

// OrUTC returns the zone called by the first of names that is one, or UTC
// when none is (for showing a stored time whose zone is missing); see
// First.
func OrUTC(names ...string) *time.Location {
	if loc, err := Load(First(names...)); err == nil {
		return loc
	}
	return time.UTC
}
