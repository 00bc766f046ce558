package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
)

// An admin changes a clinician's hours so that a booked consultation falls
// outside them: the page refuses, keeps what was typed, lists the
// consultation with links to move or cancel it (no serious accessibility
// faults), and saves only when "Save anyway" is ticked.
func TestHoursThatLeaveAConsultationOutAreRefusedOnThePage(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	s, _ := StartBookingServer(t) // every day 10:00–13:00 UTC
	ctx := context.Background()
	list, err := s.App.Booking.Clinicians(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("clinicians %v, %v", list, err)
	}
	clin := list[0].ID
	r, err := s.App.Intakes.Submit(ctx, intake.Input{Kind: "individual", Name: "Jo", Email: "jo@example.org", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	// A 10:00 consultation two days ahead.
	day := time.Now().UTC().Add(48 * time.Hour)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC)
	conf, err := s.App.Booking.Book(ctx, r.Token, booking.Request{ClinicianID: clin, Start: start}, nil)
	if err != nil {
		t.Fatalf("book %v: %v", start, err)
	}

	b := NewBrowser(t, s)
	b.StaffSignIn(AddStaffAccount(t, s, staff.Admin, "Ada Admin", nil))
	if status := b.Visit(fmt.Sprintf("/staff/clinicians/%d/availability", clin)); status != 200 {
		t.Fatalf("hours page: %d", status)
	}
	row := (int(start.Weekday()) + 6) % 7 // the rows are Monday first
	b.Replace(fmt.Sprintf("#f-weekly-%d-start", row), "11:00")
	if status := b.Press("Save hours"); status != 422 {
		t.Fatalf("saving hours that leave the consultation out: %d, want 422", status)
	}
	b.CheckAccessibility(axe, "the hours page refusing hours that leave a consultation out")
	if got := b.Text("#affected-title"); got != "These hours would leave a booked consultation outside them" {
		t.Errorf("the page says %q", got)
	}
	if got := b.Value(fmt.Sprintf("#f-weekly-%d-start", row)); got != "11:00" {
		t.Errorf("the typed start was not kept: %q", got)
	}
	links := Eval[[]string](b, `[...document.querySelectorAll("#affected a")].map(a => a.getAttribute("href"))`)
	if want := fmt.Sprintf("/staff/bookings/%d/reschedule", conf.ID); !strings.Contains(strings.Join(links, " "), want) {
		t.Errorf("links %v, want one to %s", links, want)
	}
	b.Check("Save anyway and keep the consultations listed above booked")
	if status := b.Press("Save hours"); status != 200 {
		t.Fatalf("save anyway: %d", status)
	}
	if got := b.Text("[role=status]"); !strings.Contains(got, "were saved") {
		t.Errorf("after saving anyway the page says %q", got)
	}
}
