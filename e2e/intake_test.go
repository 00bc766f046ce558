package e2e

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/firststep/firststep/internal/intake"
)

var requestPath = regexp.MustCompile(`^/requests/([A-Za-z0-9_-]{20,})(/support)?$`)

// token reads the client's token from the page the browser is on.
func token(t *testing.T, path, suffix string) string {
	t.Helper()
	m := requestPath.FindStringSubmatch(path)
	if m == nil || m[2] != suffix {
		t.Fatalf("browser is at %s, want /requests/{token}%s", path, suffix)
	}
	return m[1]
}

// A couple fills in the form, makes one mistake, sees where it is without
// losing anything they typed, fixes it and is through.
func TestCoupleIntakeWithOneMistake(t *testing.T) {
	t.Parallel()
	s := StartServer(t, nil)
	b := NewBrowser(t, s)

	if status := b.Visit("/"); status != 200 {
		t.Fatalf("landing page: %d", status)
	}
	if status := b.Follow("For us as a couple"); status != 200 {
		t.Fatalf("couple form: %d", status)
	}
	if p := b.Path(); p != "/request/couple" {
		t.Fatalf("at %s, want /request/couple", p)
	}
	if h := b.Text("h1"); h != "Request a couples consultation" {
		t.Errorf("heading %q", h)
	}

	b.Fill("Your name", "Sam Rivera")
	b.Fill("Your email", "sam@")
	b.Fill("Pronouns", "they/them")
	b.Choose("Email or phone")
	b.Fill("Phone", "+1 (555) 010-2000")
	b.Check("It is OK to leave a voicemail")
	b.Fill("Your partner's name", "Alex Rivera")
	b.Fill("Your partner's email", "alex@example.org")
	b.Fill("Your partner's pronouns", "he/him")
	b.Choose("Yes, we are reaching out together")
	b.Check("Substance use or addiction recovery")
	b.Check("Relationship conflict")
	b.Fill("Anything else you would like to name", "Trust & honesty")
	b.Fill("What are you hoping for?", "We want to rebuild trust after a relapse.\nAlex is \"six months\" sober.")
	b.Check("Relational Life Therapy")
	b.Check("Sensorimotor Psychotherapy")
	b.Choose("Video")
	b.Select("Your time zone", "America/Chicago")
	b.Fill("How did you hear about us?", "A friend")
	b.Choose("No")
	b.Check("I have read the privacy notice")
	typed := b.FormState("form.card")

	if status := b.Press("Send my request"); status != 422 {
		t.Fatalf("sending with a bad email: %d, want 422", status)
	}
	const msg = "Enter an email address like name@example.com."
	if summary := b.Text("#error-summary"); !strings.Contains(summary, "Please check 1 answer") || !strings.Contains(summary, msg) {
		t.Errorf("error summary reads %q", summary)
	}
	if href := Eval[string](b, `document.querySelector("#error-summary a").getAttribute("href")`); href != "#f-email" {
		t.Errorf("summary links to %q, want #f-email", href)
	}
	if got := b.Text("#e-email"); got != msg {
		t.Errorf("message next to the email field: %q, want %q", got, msg)
	}
	if !Eval[bool](b, `document.getElementById("e-email").closest(".field").contains(document.getElementById("f-email"))`) {
		t.Error("the email message is not next to the email field")
	}
	if got := Eval[string](b, `document.getElementById("f-email").getAttribute("aria-invalid")`); got != "true" {
		t.Errorf("email field aria-invalid = %q", got)
	}
	if kept := b.FormState("form.card"); !reflect.DeepEqual(kept, typed) {
		t.Errorf("answers changed after the error\ntyped: %v\n kept: %v", typed, kept)
	}

	b.Replace("Your email", "sam@example.org")
	if status := b.Press("Send my request"); status != 200 {
		t.Fatalf("sending the corrected form: %d, want 200", status)
	}
	tok := token(t, b.Path(), "")
	if n := Eval[int](b, `document.querySelectorAll("#error-summary, .field-error").length`); n != 0 {
		t.Errorf("%d error messages on the page after sending", n)
	}

	if status := b.Visit("/requests/" + tok + "/received"); status != 200 {
		t.Fatalf("confirmation page: %d", status)
	}
	if got := b.Text("main"); !strings.Contains(got, "Thank you") || !strings.Contains(got, "Sam Rivera") {
		t.Errorf("confirmation page reads %q", got)
	}

	in, err := s.App.Intakes.ByToken(context.Background(), tok)
	if err != nil {
		t.Fatalf("stored intake: %v", err)
	}
	want := intake.Intake{
		ID: in.ID, Kind: intake.Couple, Name: "Sam Rivera", Email: "sam@example.org", Pronouns: "they/them",
		Phone: "+1 (555) 010-2000", ContactPreference: "either", VoicemailOK: true,
		PartnerName: "Alex Rivera", PartnerEmail: "alex@example.org", PartnerPronouns: "he/him", PartnerAware: "yes",
		Concerns: []string{"substance_use", "relationship_conflict", "other"}, ConcernsOther: "Trust & honesty",
		Message:    "We want to rebuild trust after a relapse.\nAlex is \"six months\" sober.",
		Approaches: []string{"rlt", "sensorimotor"}, SessionFormat: "video", TimeZone: "America/Chicago",
		ReferralSource: "A friend", Status: intake.StatusNew, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("stored intake\n got: %+v\nwant: %+v", in, want)
	}
	if list, err := s.App.Intakes.List(context.Background(), intake.Filter{}); err != nil || len(list) != 1 {
		t.Errorf("%d intakes stored (%v), want exactly 1", len(list), err)
	}
}

// A person who says they are having thoughts of harm sees crisis resources
// before anything else, can go on from there, and is first in the queue.
func TestIndividualIntakeWithSafetyConcern(t *testing.T) {
	t.Parallel()
	s := StartServer(t, nil)
	b := NewBrowser(t, s)

	b.Visit("/")
	if status := b.Follow("For myself"); status != 200 {
		t.Fatalf("individual form: %d", status)
	}
	if n := Eval[int](b, `document.querySelectorAll("[name^=partner_]").length`); n != 0 {
		t.Errorf("the individual form asks %d partner questions", n)
	}
	b.Fill("Your name", "Jo")
	b.Fill("Your email", "jo@example.org")
	b.Choose("Yes")
	b.Check("I have read the privacy notice")
	if status := b.Press("Send my request"); status != 200 {
		t.Fatalf("sending: %d, want 200", status)
	}
	tok := token(t, b.Path(), "/support")

	panel := b.Text(".crisis-panel")
	if !strings.Contains(panel, "988") {
		t.Errorf("crisis panel reads %q, want 988", panel)
	}
	// The resources come right after the heading, above the fold and
	// before the way on.
	if !Eval[bool](b, `(function () {
  const p = document.querySelector("main .crisis-panel");
  const r = p.getBoundingClientRect();
  return r.top >= 0 && r.top < window.innerHeight && p.previousElementSibling.tagName === "H1";
})()`) {
		t.Error("crisis resources are not the first thing on the page")
	}
	links := Eval[[]string](b, `[...document.querySelectorAll("main a")].map(a => a.textContent.trim())`)
	if i, j := slices.Index(links, "Call 988"), slices.Index(links, "Continue"); i < 0 || j < 0 || i > j {
		t.Errorf("links in order %q: want Call 988 before Continue", links)
	}

	if status := b.Follow("Continue"); status != 200 {
		t.Fatalf("continue: %d", status)
	}
	if got := token(t, b.Path(), ""); got != tok {
		t.Errorf("Continue led to another request's page: %s", b.Path())
	}

	in, err := s.App.Intakes.ByToken(context.Background(), tok)
	if err != nil {
		t.Fatalf("stored intake: %v", err)
	}
	if !in.Urgent || !in.SafetyConcern || in.Kind != intake.Individual || in.Name != "Jo" {
		t.Errorf("stored %+v, want an urgent individual request from Jo", in)
	}
	queue, err := s.App.Intakes.List(context.Background(), intake.Filter{Status: intake.StatusNew})
	if err != nil || len(queue) != 1 || queue[0].ID != in.ID {
		t.Errorf("queue = %v (%v), want this request", queue, err)
	}
}
