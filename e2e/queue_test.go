package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
)

// The front desk searches the queue and pages through it; a request whose
// consultation the client cancelled says so in the queue and on its page;
// a note written past the idle timeout comes back in its box after signing
// in again. Each page has no serious accessibility violations.
func TestFrontDeskSearchesPagesAndKeepsANote(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	s := StartStaffServer(t)
	ctx := context.Background()
	desk := AddStaffAccount(t, s, staff.Frontdesk, "Frankie Desk", nil)
	for i := range 7 {
		submitIntake(t, s, intake.Input{Name: fmt.Sprintf("Morgan Number%d", i), Email: fmt.Sprintf("morgan%d@example.org", i)})
	}
	cancelled := submitIntake(t, s, intake.Input{Name: "Casey Cancelled", Email: "casey@example.org"})
	s.App.DB.Exec("UPDATE intakes SET status = 'in_review', consult_cancelled_at = ?, consult_cancelled_by = 'client' WHERE id = ?",
		time.Now().UTC(), cancelled)

	b := NewBrowser(t, s)
	b.StaffSignIn(desk)
	b.CheckAccessibility(axe, "the queue")
	if got := b.Text("main tbody"); !strings.Contains(got, "Cancelled by the client") {
		t.Errorf("the queue does not show the client's cancellation: %q", got)
	}

	b.Visit("/staff?limit=5") // five to a page
	b.Fill("Search by name or email", "MORGAN")
	b.Press("Search")
	rows := Eval[int](b, `document.querySelectorAll("main tbody tr").length`)
	if rows != 5 || b.Value("Search by name or email") != "MORGAN" {
		t.Fatalf("first page: %d rows, search %q", rows, b.Value("Search by name or email"))
	}
	b.CheckAccessibility(axe, "a page of search results")
	if status := b.Follow("Next page"); status != 200 {
		t.Fatalf("next page: %d", status)
	}
	if rows := Eval[int](b, `document.querySelectorAll("main tbody tr").length`); rows != 2 {
		t.Errorf("second page: %d rows, want 2", rows)
	}

	b.Visit(fmt.Sprintf("/staff/intakes/%d", cancelled))
	if got := b.Text("#consult-cancelled"); !strings.Contains(got, "Cancelled by the client") {
		t.Errorf("the intake page reads %q", got)
	}
	const note = "Left a message about evening times."
	b.Fill("Add a note", note)
	// Writing takes longer than the idle timeout.
	if err := s.App.DB.Exec("UPDATE sessions SET last_seen_at = ?", time.Now().UTC().Add(-time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	b.Press("Add note")
	if p := b.Path(); p != "/staff/signin" {
		t.Fatalf("after the timeout, at %s, want the sign-in page", p)
	}
	if got := b.Text("#draft-kept"); got == "" {
		t.Error("the sign-in page does not say the note is kept")
	}
	b.CheckAccessibility(axe, "the sign-in page with a kept note")
	b.Fill("Email", desk)
	b.Fill("Password", staffPassword)
	b.Press("Sign in")
	if p := b.Path(); p != fmt.Sprintf("/staff/intakes/%d", cancelled) {
		t.Fatalf("after signing in, at %s, want the intake", p)
	}
	if got := b.Value("Add a note"); got != note {
		t.Errorf("note box holds %q, want %q", got, note)
	}
	b.CheckAccessibility(axe, "the intake page with a restored note and a cancellation")
	b.Press("Add note")
	notes, err := s.App.Intakes.Notes(ctx, staff.Account{Role: staff.Admin, Active: true}, cancelled)
	if err != nil || len(notes) != 1 || notes[0].Body != note {
		t.Errorf("notes %+v (%v)", notes, err)
	}
}

// The audit log and the failed emails, now in words, stay accessible.
func TestAdminLogsAccessibility(t *testing.T) {
	t.Parallel()
	axe := axeSource(t)
	s := StartStaffServer(t)
	admin := AddStaffAccount(t, s, staff.Admin, "Ada Admin", nil)
	id := submitIntake(t, s, intake.Input{Name: "Robin Reader", Email: "robin@example.org"})
	b := NewBrowser(t, s)
	b.StaffSignIn(admin)
	b.Visit(fmt.Sprintf("/staff/intakes/%d", id))
	b.Select("#f-status", "In review")
	b.Press("Change status")
	for _, page := range []string{"/staff/admin/audit", "/staff/admin/audit?action=intake.status", "/staff/admin/emails"} {
		if status := b.Visit(page); status != 200 {
			t.Fatalf("%s: %d", page, status)
		}
		b.CheckAccessibility(axe, page)
	}
	b.Visit("/staff/admin/audit")
	if got := b.Text("main tbody"); !strings.Contains(got, "Changed status to In review") || !strings.Contains(got, "Viewed a request") {
		t.Errorf("the audit log reads %q", got)
	}
}
