package audit

// The actions of changes staff make to a consultation on a client's behalf
// (booking, moving or cancelling it). Their record is the booking; the
// detail names the request, the clinician and the time, nothing a client
// wrote.
const (
	BookingCreate     = "booking.create"
	BookingReschedule = "booking.reschedule"
	BookingCancel     = "booking.cancel"
)

// TypeBooking is the record type of a consultation.
const TypeBooking = "booking"
