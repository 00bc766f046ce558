package staffui

import (
	"testing"

	"github.com/firststep/firststep/internal/audit"
)

func TestAdminEveryKnownCodeHasWords(t *testing.T) {
	t.Parallel()
	for _, a := range adminKnownActions {
		if audit.ActionWords(a) == a {
			t.Errorf("action %s has no words", a)
		}
	}
	for _, r := range adminKnownRecordTypes {
		if audit.RecordTypeWords(r) == r {
			t.Errorf("record type %s has no words", r)
		}
	}
}

func TestAdminEntryWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, action, detail   string
		wantAction, wantDetail string
	}{
		{"view", audit.IntakeView, "", "Viewed a request", ""},
		{"status", audit.IntakeStatus, "status new → in_review", "Changed status to In review", "From New"},
		{"status after a cancellation", audit.IntakeStatus, "status consult_booked → in_review: consultation cancelled by the client",
			"Changed status to In review", "From Consult booked: consultation cancelled by the client"},
		{"odd status detail", audit.IntakeStatus, "something else", "Changed a request's status", "something else"},
		{"new account", audit.AccountCreate, "role frontdesk", "Added a staff account", "Role: Front desk"},
		{"unknown action", "future.thing", "x", "future.thing", "x"},
	}
	for _, c := range cases {
		a, d := adminEntryWords(audit.Item{Entry: audit.Entry{Action: c.action, Detail: c.detail}})
		if a != c.wantAction || d != c.wantDetail {
			t.Errorf("%s: %q, %q; want %q, %q", c.name, a, d, c.wantAction, c.wantDetail)
		}
	}
}
