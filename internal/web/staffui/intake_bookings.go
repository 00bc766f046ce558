package staffui

import (
	"context"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/zone"
)

// IntakeBookings is what the staff intake page needs to know of an
// intake's consultations and the emails each one caused. internal/app
// adapts the booking and outbox services to it.
type IntakeBookings interface {
	ForIntake(ctx context.Context, intakeID int64) ([]IntakeBooking, error)
	// RequestEmails are the emails about the request itself rather than a
	// consultation: the receipt sent when it arrived.
	RequestEmails(ctx context.Context, intakeID int64) ([]IntakeEmail, error)
}

// IntakeBooking is one consultation of an intake, newest first.
type IntakeBooking struct {
	ID             int64
	ClinicianName  string
	Start, End     time.Time
	ClientTimeZone string
	Cancelled      bool
	// Changeable: it could still be rescheduled or cancelled when it was
	// read; package booking decides.
	Changeable bool
	Sequence   int // the invitation's SEQUENCE: 0 when booked, higher on every change
	Emails     []IntakeEmail
}

// IntakeEmail is one email a consultation caused, as far as staff need to know
// whether it arrived: never its body. The adapter gives the words staff
// read for its codes (what it is, its delivery, its problem).
type IntakeEmail struct {
	Recipients  []string
	Subject     string
	About       string // what the email is: "Invitation to the client"; "" if not known
	Status      string // "pending", "sent" or "failed"
	StatusWords string // "Delivered"
	Attempts    int
	LastError   string // the mail server's reply, as it sent it
	Problem     string // what went wrong, in words
}

// IntakeBookingView is one consultation on the intake page.
type IntakeBookingView struct {
	ID          int64
	Clinician   string
	When        string // in the practice's zone
	ClientWhen  string // in the client's zone, with the zone's name
	StatusLabel string
	Sequence    int
	Emails      []IntakeEmailView
	CanChange   bool // the viewer may move or cancel it, and it can still be changed
}

// IntakeEmailView is one email of a consultation on the intake page.
type IntakeEmailView struct {
	To          string
	About       string // what it is, or its subject
	Status      string
	StatusLabel string
	Attempts    int
	LastError   string
	Problem     string
}

// fillBookings lists the intake's consultations on v. Only those who may
// manage bookings get the links to book, move and cancel.
func (h *IntakePages) fillBookings(ctx context.Context, v *IntakeView, acc staff.Account, loc *time.Location) error {
	list, err := h.bookings.ForIntake(ctx, v.ID)
	if err != nil {
		return err
	}
	manage := acc.Can(staff.ManageBookings)
	now := h.now()
	upcoming := false
	for _, b := range list {
		v.Bookings = append(v.Bookings, intakeBookingView(b, loc, manage))
		upcoming = upcoming || !b.Cancelled && now.Before(b.End)
	}
	v.CanBook = manage && !upcoming
	emails, err := h.bookings.RequestEmails(ctx, v.ID)
	if err != nil {
		return err
	}
	for _, e := range emails {
		v.RequestEmails = append(v.RequestEmails, intakeEmailView(e))
	}
	return nil
}

// intakeBookingView is how b reads on the intake page, its times in loc
// (the practice's zone) and in the client's.
func intakeBookingView(b IntakeBooking, loc *time.Location, manage bool) IntakeBookingView {
	const when = "Mon, Jan 2, 2006 at 3:04 PM MST"
	v := IntakeBookingView{ID: b.ID, Clinician: b.ClinicianName, When: b.Start.In(loc).Format(when), Sequence: b.Sequence}
	if cl, err := zone.Load(b.ClientTimeZone); err == nil {
		v.ClientWhen = b.Start.In(cl).Format(when) + " (" + b.ClientTimeZone + ")"
	}
	switch {
	case b.Cancelled:
		v.StatusLabel = "Cancelled"
	case !b.Changeable:
		v.StatusLabel = "Past"
	default:
		v.StatusLabel = "Booked"
		v.CanChange = manage
	}
	for _, e := range b.Emails {
		v.Emails = append(v.Emails, intakeEmailView(e))
	}
	return v
}

// intakeEmailView is how one email reads on the intake page.
func intakeEmailView(e IntakeEmail) IntakeEmailView {
	about := e.About
	if about == "" {
		about = e.Subject
	}
	label := e.StatusWords
	if label == "" {
		label = e.Status
	}
	return IntakeEmailView{To: strings.Join(e.Recipients, ", "), About: about, Status: e.Status,
		StatusLabel: label, Attempts: e.Attempts, LastError: e.LastError, Problem: e.Problem}
}
