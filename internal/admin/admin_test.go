package admin

import (
	"reflect"
	"testing"

	"github.com/firststep/firststep/internal/practice"
)

func TestChangedSettings(t *testing.T) {
	t.Parallel()
	a := practice.Defaults()
	b := a
	if got := ChangedSettings(a, b); len(got) != 0 {
		t.Errorf("no change: %v", got)
	}
	b.CrisisText, b.TimeZone = "Call 988.", "UTC"
	if got := ChangedSettings(a, b); !reflect.DeepEqual(got, []string{"timezone", "crisis_text"}) {
		t.Errorf("changed %v", got)
	}
}
