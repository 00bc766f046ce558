package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/staff"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// intakeBookings lets the staff intake page list an intake's consultations
// and the delivery of each one's emails, without intake importing booking
// or outbox.
type intakeBookings struct {
	bookings *booking.Service
	emails   *outbox.Service
}

var _ intake.Bookings = intakeBookings{}

func (a intakeBookings) ForIntake(ctx context.Context, intakeID int64) ([]intake.Booking, error) {
	list, err := a.bookings.ForIntake(ctx, intakeID)
	if err != nil {
		return nil, err
	}
	out := make([]intake.Booking, len(list))
	for i, b := range list {
		emails, err := a.emails.ForBooking(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		out[i] = intake.Booking{ID: b.ID, ClinicianName: b.ClinicianName, Start: b.Start, End: b.End,
			ClientTimeZone: b.ClientTimeZone, Cancelled: b.Status == booking.StatusCancelled, Changeable: b.CanChange, Sequence: b.Sequence}
		for _, e := range emails {
			out[i].Emails = append(out[i].Emails, intake.Email{Recipients: e.Recipients, Subject: e.Subject,
				About: booking.EmailWords(e.Purpose), Status: e.Status, StatusWords: outbox.StatusWords(e.Status),
				Attempts: e.Attempts, LastError: e.LastError, Problem: outbox.ProblemWords(e.LastError)})
		}
	}
	return out, nil
}

// bookingActions names the audit action of each change made on a client's
// behalf.
var bookingActions = map[string]string{
	booking.OnBehalfBook:         audit.BookingCreate,
	booking.OnBehalfReschedule:   audit.BookingReschedule,
	booking.OnBehalfCancel:       audit.BookingCancel,
	booking.OnBehalfAllowPartner: audit.IntakePartnerContact,
}

// auditOnBehalf returns the hook that records a change the signed-in staff
// member of c makes to a consultation, in the change's own transaction: the
// change and its audit entry commit together or not at all. The entry
// names the booking, the request, the clinician and the time.
func (a *App) auditOnBehalf(c echo.Context) booking.AuditHook {
	by, actorErr := staff.ActorOf(c)
	return func(tx *gorm.DB, ch booking.StaffChange) error {
		if actorErr != nil {
			return actorErr
		}
		action, known := bookingActions[ch.Kind]
		if !known {
			return fmt.Errorf("audit booking change: unknown kind %q", ch.Kind)
		}
		if ch.Kind == booking.OnBehalfAllowPartner {
			return audit.Record(tx, a.Now(), by.Entry(action, audit.TypeIntake, strconv.FormatInt(ch.IntakeID, 10),
				fmt.Sprintf("partner may now be contacted; booking %d", ch.BookingID)))
		}
		return audit.Record(tx, a.Now(), by.Entry(action, audit.TypeBooking, strconv.FormatInt(ch.BookingID, 10),
			fmt.Sprintf("intake %d, clinician %d, %s, sequence %d", ch.IntakeID, ch.ClinicianID,
				ch.Start.UTC().Format(time.RFC3339), ch.Sequence)))
	}
}
