package audit

import "strings"

// actionWords is how staff read each action: the one place an action's code
// becomes words. Codes stay in the table (and in filters' values), where
// they are stable.
var actionWords = map[string]string{
	SignIn:                "Signed in",
	SignInFailed:          "Sign-in refused",
	SignOut:               "Signed out",
	AccountDisabled:       "Deactivated a staff account",
	IntakeView:            "Viewed a request",
	IntakeViewDenied:      "Was refused a request that is not theirs",
	IntakeList:            "Listed requests through the API",
	IntakeNote:            "Added a note to a request",
	IntakeAssign:          "Assigned a request",
	IntakeStatus:          "Changed a request's status",
	AccountCreate:         "Added a staff account",
	AccountRoleChange:     "Changed a staff account's role",
	AccountReactivate:     "Reactivated a staff account",
	AccountPasswordReset:  "Reset a staff account's password",
	AccountPasswordChange: "Changed their password",
	TokenCreate:           "Created an API token",
	TokenRevoke:           "Revoked an API token",
	ClinicianCreate:       "Added a clinician",
	ClinicianUpdate:       "Changed a clinician",
	SettingsUpdate:        "Changed the practice settings",
	EmailRetry:            "Sent a failed email again",
	BookingCreate:         "Booked a consultation for a client",
	BookingReschedule:     "Moved a client's consultation",
	BookingCancel:         "Cancelled a client's consultation",
	AvailabilityUpdate:    "Changed consultation hours",
	CalendarFeedRotate:    "Replaced a calendar feed address",
	IntakePartnerContact:  "Allowed the partner to be contacted",
}

// ActionWords is how staff read action: "Viewed a request" for
// "intake.view". An action without words reads as its code.
func ActionWords(action string) string {
	if w, ok := actionWords[action]; ok {
		return w
	}
	return action
}

// recordWords names each record type for staff.
var recordWords = map[string]string{
	TypeAccount:   "Staff account",
	TypeIntake:    "Request",
	TypeToken:     "API token",
	TypeClinician: "Clinician",
	TypeSettings:  "Practice settings",
	TypeEmail:     "Email",
	TypeBooking:   "Consultation",
}

// RecordTypeWords is how staff read a record type: "Request" for "intake".
func RecordTypeWords(recordType string) string {
	if w, ok := recordWords[recordType]; ok {
		return w
	}
	return recordType
}

// RecordWords names one record for staff: "Request 12", "Practice settings".
func RecordWords(recordType, id string) string {
	if recordType == "" && id == "" {
		return ""
	}
	if recordType == TypeSettings {
		return RecordTypeWords(recordType)
	}
	return strings.TrimSpace(RecordTypeWords(recordType) + " " + id)
}
