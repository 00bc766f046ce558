package staffui

import (
	"strings"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
)

// adminEntryWords is how an admin reads an audit entry: what was done and its
// detail, in words. Actions and record types read as audit names them
// (audit.ActionWords); the codes inside a detail — a request's statuses, a
// role — as their owners name them. The stored entry keeps its codes.
func adminEntryWords(it audit.Item) (action, detail string) {
	action, detail = audit.ActionWords(it.Action), it.Detail
	switch it.Action {
	case audit.IntakeStatus:
		if from, to, why, ok := adminStatusDetail(it.Detail); ok {
			action = "Changed status to " + intake.Label(intake.Statuses, to)
			detail = "From " + intake.Label(intake.Statuses, from)
			if why != "" {
				detail += ": " + why
			}
		}
	case audit.AccountCreate:
		if r, ok := strings.CutPrefix(it.Detail, "role "); ok {
			detail = "Role: " + adminRoleLabel(staff.Role(r))
		}
	}
	return action, detail
}

// adminStatusDetail reads the detail of a status change, "status new → in_review"
// with perhaps ": why" after it.
func adminStatusDetail(d string) (from, to, why string, ok bool) {
	rest, ok := strings.CutPrefix(d, "status ")
	if !ok {
		return "", "", "", false
	}
	from, rest, ok = strings.Cut(rest, " → ")
	if !ok {
		return "", "", "", false
	}
	to, why, _ = strings.Cut(rest, ": ")
	return from, to, why, from != "" && to != ""
}

// AdminOption words for the audit log's filters: the codes it filters by, read
// as words.
func adminActionOptions(selected string) []AdminOption {
	return adminWordOptions(adminKnownActions, selected, audit.ActionWords)
}

func adminRecordTypeOptions(selected string) []AdminOption {
	return adminWordOptions(adminKnownRecordTypes, selected, audit.RecordTypeWords)
}

// adminWordOptions lists codes as options; a selected code that is not among
// them (typed into the address) is kept as one.
func adminWordOptions(codes []string, selected string, words func(string) string) []AdminOption {
	out := make([]AdminOption, 0, len(codes)+1)
	known := false
	for _, c := range codes {
		out = append(out, AdminOption{Value: c, Label: words(c)})
		known = known || c == selected
	}
	if selected != "" && !known {
		out = append(out, AdminOption{Value: selected, Label: words(selected)})
	}
	return out
}
