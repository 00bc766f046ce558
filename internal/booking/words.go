package booking

import (
	"fmt"
	"strings"
)

// An email's purpose is what it is, as a stable code stored with it in the
// outbox: the kind of change and who it is for ("new.client",
// "cancel.clinician"). EmailWords is the one place it becomes words.

// emailPurpose is the purpose of the email of letter kind k to the
// audience template's recipient number idx (clients first: the client,
// then the partner).
func emailPurpose(k letterKind, audience string, idx int) string {
	who := audience
	if audience == "client" && idx > 0 {
		who = "partner"
	}
	return string(k) + "." + who
}

// purposeKinds are the words of each kind of email, around whom it is to.
var purposeKinds = map[string]string{
	string(kindNew):       "Invitation %s",
	string(kindUpdate):    "Updated invitation %s",
	string(kindCancel):    "Cancellation %s",
	string(kindMovedAway): "Cancellation %s",
	string(kindPlace):     "Updated invitation %s (new place)",
	"receipt":             "Receipt %s", // "We received your request" (intake.ReceivedPurpose)
}

var purposeAudiences = map[string]string{"client": "to the client", "partner": "to the partner", "clinician": "to the clinician"}

// EmailWords is how staff read an email's purpose: "Invitation to the
// client" for "new.client"; "" for a purpose it does not know.
func EmailWords(purpose string) string {
	k, who, ok := strings.Cut(purpose, ".")
	kind, known := purposeKinds[k]
	to, knownTo := purposeAudiences[who]
	if !ok || !known || !knownTo {
		return ""
	}
	if k == string(kindMovedAway) {
		to = "to the previous clinician"
	}
	return fmt.Sprintf(kind, to)
}
