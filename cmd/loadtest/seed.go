package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/schedule"
	"gorm.io/gorm"
)

// The practice every run measures.
const (
	seedClinicians        = 10
	seedBookings          = 200
	seedHorizonDays       = 60
	seedMinNoticeHours    = 24
	bookingsPerClinician  = seedBookings / seedClinicians
	outboxDrainLimit      = 2 * time.Minute
	seedAttemptsPerBooked = 20
)

var clinicianNames = []string{
	"Dr. Maya Lindqvist", "Sam Okafor, LMFT", "Priya Raman, LCSW", "Jonah Whitfield, PsyD", "Elena Duarte, LPC",
	"Kwame Mensah, LMFT", "Hannah Stolz, LCSW", "Tomás Ferreira, PhD", "Aisha Karim, LPC", "Grace Oyelaran, LMFT",
}

var seedZones = []string{"America/New_York", "America/Chicago", "Europe/London"}

// seeded is the practice as seeded.
type seeded struct {
	clinicians []booking.Clinician
	bookings   int
	took       time.Duration
}

// seedPractice adds the clinicians — weekdays 09:00–17:00, 50-minute
// consultations with 10-minute buffers, 24 hours' notice, 60 days ahead, in
// New York, Chicago and London, all offering individual consultations and
// every other one couples too — and books 20 random open slots of each
// through the booking service, as the public API would.
func seedPractice(ctx context.Context, a *app.App, rng *rand.Rand) (seeded, error) {
	start := time.Now()
	var out seeded
	var weekly []schedule.WeeklyWindowInput
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		weekly = append(weekly, schedule.WeeklyWindowInput{Weekday: d, Start: "09:00", End: "17:00"})
	}
	for i := range seedClinicians {
		offers := []string{"individual"}
		if i%2 == 0 {
			offers = append(offers, "couple")
		}
		zone := seedZones[i%len(seedZones)]
		c, err := a.Booking.CreateClinician(ctx, booking.ClinicianInput{Name: clinicianNames[i],
			Email: fmt.Sprintf("clinician%02d@practice.example.org", i+1), Offers: offers, TimeZone: zone})
		if err != nil {
			return out, fmt.Errorf("seed clinician: %w", err)
		}
		if _, err := a.Booking.SetAvailability(ctx, c.ID, schedule.AvailabilityInput{TimeZone: zone, SlotMinutes: 50,
			BufferMinutes: 10, MinNoticeHours: seedMinNoticeHours, HorizonDays: seedHorizonDays, Weekly: weekly}); err != nil {
			return out, fmt.Errorf("seed availability: %w", err)
		}
		out.clinicians = append(out.clinicians, c)
	}

	now := time.Now()
	open, err := a.Booking.Slots(ctx, "individual", now, now.AddDate(0, 0, seedHorizonDays))
	if err != nil {
		return out, fmt.Errorf("seed: list slots: %w", err)
	}
	byClinician := map[int64][]booking.OpenSlot{}
	for _, s := range open {
		byClinician[s.ClinicianID] = append(byClinician[s.ClinicianID], s)
	}
	client := 0
	for _, c := range out.clinicians {
		list := byClinician[c.ID]
		booked, attempts := 0, 0
		token := ""
		for _, i := range rng.Perm(len(list)) {
			if booked == bookingsPerClinician || attempts == bookingsPerClinician*seedAttemptsPerBooked {
				break
			}
			attempts++
			if token == "" {
				client++
				r, err := a.Intakes.Submit(ctx, intake.Input{Kind: "individual", Name: fmt.Sprintf("Seeded Client %d", client),
					Email: fmt.Sprintf("seeded%d@example.org", client), Consent: true, TimeZone: "America/New_York"})
				if err != nil {
					return out, fmt.Errorf("seed intake: %w", err)
				}
				token = r.Token
			}
			_, err := a.Booking.Book(ctx, token, booking.Request{ClinicianID: c.ID, Start: list[i].Start}, nil)
			switch {
			case err == nil:
				booked, token = booked+1, ""
			case apperr.KindOf(err) == apperr.Conflict || apperr.KindOf(err) == apperr.Invalid:
				// Too close to a booking already made; the intake is still free.
			default:
				return out, fmt.Errorf("seed booking: %w", err)
			}
		}
		if booked != bookingsPerClinician {
			return out, fmt.Errorf("seed: booked %d slots of %s, want %d", booked, c.Name, bookingsPerClinician)
		}
		out.bookings += booked
	}
	out.took = time.Since(start)
	return out, nil
}

// waitOutbox waits until the mail worker has delivered every queued
// message, so that seeding's emails are not written during a measurement.
func waitOutbox(ctx context.Context, db *gorm.DB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var pending int64
		if err := db.WithContext(ctx).Raw("SELECT COUNT(*) FROM outbox_messages WHERE status = 'pending'").Scan(&pending).Error; err != nil {
			return fmt.Errorf("count pending emails: %w", err)
		}
		if pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d emails still pending after %s", pending, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
