package audit

// Actions of a clinician's own settings, changed by the clinician or by an
// admin on their behalf. Their record is the clinician (TypeClinician); the
// entry has no detail.
const (
	AvailabilityUpdate = "availability.update"
	CalendarFeedRotate = "calendar_feed.rotate"
)
