package app

import (
	"context"

	"github.com/firststep/firststep/internal/web/auth"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/web/staffui"
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

var _ staffui.IntakeBookings = intakeBookings{}

func (a intakeBookings) ForIntake(ctx context.Context, intakeID int64) ([]staffui.IntakeBooking, error) {
	list, err := a.bookings.ForIntake(ctx, intakeID)
	if err != nil {
		return nil, err
	}
	out := make([]staffui.IntakeBooking, len(list))
	for i, b := range list {
		emails, err := a.emails.ForBooking(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		out[i] = staffui.IntakeBooking{ID: b.ID, ClinicianName: b.ClinicianName, Start: b.Start, End: b.End,
			ClientTimeZone: b.ClientTimeZone, Cancelled: b.Status == booking.StatusCancelled, Changeable: b.CanChange, Sequence: b.Sequence}
		for _, e := range emails {
			out[i].Emails = append(out[i].Emails, staffui.IntakeEmail{Recipients: e.Recipients, Subject: e.Subject,
				About: booking.EmailWords(e.Purpose), Status: e.Status, StatusWords: outbox.StatusWords(e.Status),
				Attempts: e.Attempts, LastError: e.LastError, Problem: outbox.ProblemWords(e.LastError)})
		}
	}
	return out, nil
}

// RequestEmails are the intake's emails that belong to no consultation:
// the receipt of the request.
func (a intakeBookings) RequestEmails(ctx context.Context, intakeID int64) ([]staffui.IntakeEmail, error) {
	emails, err := a.emails.ForIntake(ctx, intakeID)
	if err != nil {
		return nil, err
	}
	var out []staffui.IntakeEmail
	for _, e := range emails {
		if e.BookingID != nil {
			continue
		}
		out = append(out, staffui.IntakeEmail{Recipients: e.Recipients, Subject: e.Subject,
			About: booking.EmailWords(e.Purpose), Status: e.Status, StatusWords: outbox.StatusWords(e.Status),
			Attempts: e.Attempts, LastError: e.LastError, Problem: outbox.ProblemWords(e.LastError)})
	}
	return out, nil
}

// auditOnBehalf turns the request into the staff member who makes a change
// to a consultation; booking records it in the change's transaction.
func (a *App) auditOnBehalf(c echo.Context) booking.AuditHook {
	by, err := auth.ActorOf(c)
	if err != nil {
		return func(*gorm.DB, booking.StaffChange) error { return err }
	}
	return a.Booking.AuditOnBehalf(by.Audit())
}
