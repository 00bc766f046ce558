package app

import (
	"context"
	"fmt"
	"io"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/secret"
	"github.com/firststep/firststep/internal/staff"
)

// SeedDemo fills an empty database with a demo practice so a newcomer sees
// the whole journey at once: the practice's settings, two clinicians (one
// offering couples consultations) with weekday hours, and an admin whose
// password is printed once. A database that already has staff accounts is
// left alone.
//
// The admin account is created first: its unique email is the claim on the
// empty database, so of several instances started with --demo at once, one
// seeds and the others find the account taken and seed nothing.
func (a *App) SeedDemo(ctx context.Context, out io.Writer) error {
	const alreadySeeded = "demo: the database already has accounts; nothing seeded"
	n, err := a.Staff.Count(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintln(out, alreadySeeded)
		return nil
	}
	password, _ := secret.New()
	password = password[:20]
	acc, err := a.Staff.Add(ctx, staff.NewAccount{Email: "admin@demo.firststep.test", Name: "Demo Admin", Role: staff.Admin, Password: password})
	if apperr.KindOf(err) == apperr.Conflict {
		fmt.Fprintln(out, alreadySeeded)
		return nil
	}
	if err != nil {
		return err
	}
	settings := practice.Defaults()
	settings.Name, settings.SenderName = "Riverbend Therapy (demo)", "Riverbend Therapy"
	settings.Address = "12 River Street, Suite 3, Hudson, NY 12534"
	settings.VideoLink = "https://video.example.org/riverbend"
	if err := a.Practice.Save(a.DB.WithContext(ctx), settings); err != nil {
		return err
	}
	hours := []schedule.WeeklyWindowInput{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		hours = append(hours, schedule.WeeklyWindowInput{Weekday: d, Start: "09:00", End: "12:00"},
			schedule.WeeklyWindowInput{Weekday: d, Start: "13:00", End: "17:00"})
	}
	clinicians := []booking.ClinicianInput{
		{Name: "Dr. Maya Lindqvist", Email: "maya@demo.firststep.test", Offers: []string{"individual", "couple"}, TimeZone: settings.TimeZone},
		{Name: "Sam Okafor, LMFT", Email: "sam@demo.firststep.test", Offers: []string{"individual"}, TimeZone: "America/Chicago"},
	}
	for _, in := range clinicians {
		c, err := a.Booking.CreateClinician(ctx, in)
		if err != nil {
			return err
		}
		rules := schedule.AvailabilityInput{TimeZone: in.TimeZone, SlotMinutes: 30, BufferMinutes: 15, MinNoticeHours: 12, HorizonDays: 60, Weekly: hours}
		if _, err := a.Booking.SetAvailability(ctx, c.ID, rules); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "demo: practice %q with %d clinicians\n", settings.Name, len(clinicians))
	fmt.Fprintf(out, "demo: admin account %s, password %s (shown only now)\n", acc.Email, password)
	return nil
}
