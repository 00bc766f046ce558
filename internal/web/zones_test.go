package web

import (
	"testing"

	"github.com/firststep/firststep/internal/zone"
)

// Every zone offered in a picker is one the zone gate accepts.
func TestTimeZonesAreCanonical(t *testing.T) {
	t.Parallel()
	for _, z := range TimeZones {
		if !zone.Valid(z) {
			t.Errorf("%q is offered but not an IANA name", z)
		}
	}
}
