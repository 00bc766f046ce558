package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
)

// setChangeCutoff sets the practice's change cut-off, as an admin would.
func (fx *staffFixture) setChangeCutoff(hours int) {
	fx.t.Helper()
	addr := "12 River Street, Hudson"
	if _, err := fx.a.Admin.UpdateSettings(context.Background(), staff.Actor{Account: fx.accounts[asAdmin], IP: "192.0.2.9"}, practice.Patch{ChangeCutoffHours: &hours, Address: &addr}); err != nil {
		fx.t.Fatalf("set the change cut-off: %v", err)
	}
}

// slotFrom returns the consultation clinician's first open time at least
// ahead of now (or after a start), other than skip.
func (fx *staffFixture) slotFrom(from time.Time, skip time.Time) (int64, time.Time) {
	fx.t.Helper()
	id := fx.consultClinician()
	slots, err := fx.a.Booking.Slots(context.Background(), "individual", from, from.Add(7*24*time.Hour))
	if err != nil {
		fx.t.Fatalf("slots: %v", err)
	}
	for _, s := range slots {
		if s.ClinicianID == id && !s.Start.Before(from) && !s.Start.Equal(skip) {
			return id, s.Start
		}
	}
	fx.t.Fatalf("no open time from %v", from)
	return 0, time.Time{}
}

// bookAhead books a new request's consultation at the first open time at
// least ahead of now and returns its id, manage token and start.
func (fx *staffFixture) bookAhead(name string, ahead time.Duration) (int64, string, time.Time) {
	fx.t.Helper()
	id, start := fx.slotFrom(fx.clock.Now().Add(ahead), time.Time{})
	conf, err := fx.a.Booking.BookForIntake(context.Background(), fx.submit(name, "", 0), booking.Request{ClinicianID: id, Start: start})
	if err != nil {
		fx.t.Fatalf("book: %v", err)
	}
	return conf.ID, conf.ManageToken, start
}

// expectClosedPage checks a manage page that refuses a change: the kind
// message with the practice's name and address, and no way to change.
func expectClosedPage(t *testing.T, res *http.Response, status int, token string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d", res.StatusCode, status)
	}
	doc := parseHTML(t, res)
	msg := textOf(byID(doc, "change-closed"))
	if !strings.Contains(msg, "less than 24 hours away") || !strings.Contains(msg, "please contact Firststep") ||
		!strings.Contains(msg, "12 River Street, Hudson") {
		t.Errorf("message %q, want the cut-off and how to reach the practice", msg)
	}
	for _, href := range []string{"/bookings/" + token + "/reschedule", "/bookings/" + token + "/cancel"} {
		if linksTo(doc, href) > 0 {
			t.Errorf("the page still offers %s", href)
		}
	}
}

func apiErrorCode(t *testing.T, res *http.Response) string {
	t.Helper()
	var eb errorBody
	decodeBody(t, res, &eb)
	return eb.Error.Code
}

// The change policy: a second outside the cut-off a client can still
// reschedule and cancel, by the API and the manage page; a second inside
// it both refuse (409 change_window_closed; the page says how to reach the
// practice), while staff can still cancel it for them.
func TestChangePolicy(t *testing.T) {
	t.Parallel()
	t.Run("just outside the window", func(t *testing.T) {
		t.Parallel()
		fx := newStaffFixture(t)
		fx.setChangeCutoff(24)
		_, apiToken, start := fx.bookAhead("Outside Api", 72*time.Hour)
		_, pageToken, pageStart := fx.bookAhead("Outside Page", 72*time.Hour)
		first := start
		if pageStart.Before(first) {
			first = pageStart
		}
		fx.clock.Set(first.Add(-24*time.Hour - time.Second))

		doc := parseHTML(t, fx.requestWith(asAnonymous, "", "GET", "/bookings/"+pageToken, ""))
		if linksTo(doc, "/bookings/"+pageToken+"/cancel") == 0 || byID(doc, "change-closed") != nil {
			t.Error("the manage page does not offer to cancel outside the window")
		}
		clin, to := fx.slotFrom(start.Add(time.Hour), pageStart)
		res := fx.requestWith(asAnonymous, "", "PATCH", "/api/v1/bookings/"+apiToken, fmt.Sprintf(`{"clinician_id":%d,"start":%q}`, clin, to.Format(time.RFC3339)))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PATCH outside the window: %d %s", res.StatusCode, apiErrorCode(t, res))
		}
		if res := fx.requestWith(asAnonymous, "", "POST", "/bookings/"+pageToken+"/cancel", ""); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel page outside the window: %d", res.StatusCode)
		}
		if res := fx.requestWith(asAnonymous, "", "DELETE", "/api/v1/bookings/"+apiToken, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("DELETE outside the window: %d", res.StatusCode)
		}
	})
	t.Run("just inside the window", func(t *testing.T) {
		t.Parallel()
		fx := newStaffFixture(t)
		fx.setChangeCutoff(24)
		id, token, start := fx.bookAhead("Inside Client", 72*time.Hour)
		fx.clock.Set(start.Add(-24*time.Hour + time.Second))

		clin, to := fx.slotFrom(start.Add(time.Hour), time.Time{})
		res := fx.requestWith(asAnonymous, "", "PATCH", "/api/v1/bookings/"+token, fmt.Sprintf(`{"clinician_id":%d,"start":%q}`, clin, to.Format(time.RFC3339)))
		if res.StatusCode != http.StatusConflict || apiErrorCode(t, res) != "change_window_closed" {
			t.Errorf("PATCH inside the window: %d, want 409 change_window_closed", res.StatusCode)
		}
		res = fx.requestWith(asAnonymous, "", "DELETE", "/api/v1/bookings/"+token, "")
		var eb errorBody
		decodeBody(t, res, &eb)
		if res.StatusCode != http.StatusConflict || eb.Error.Code != "change_window_closed" || !strings.Contains(eb.Error.Message, "contact Firststep") {
			t.Errorf("DELETE inside the window: %d %+v", res.StatusCode, eb)
		}

		expectClosedPage(t, fx.requestWith(asAnonymous, "", "GET", "/bookings/"+token, ""), http.StatusOK, token)
		expectClosedPage(t, fx.requestWith(asAnonymous, "", "GET", "/bookings/"+token+"/cancel", ""), http.StatusOK, token)
		expectClosedPage(t, fx.requestWith(asAnonymous, "", "GET", "/bookings/"+token+"/reschedule", ""), http.StatusOK, token)
		expectClosedPage(t, fx.requestWith(asAnonymous, "", "POST", "/bookings/"+token+"/cancel", ""), http.StatusConflict, token)
		form := fmt.Sprintf("clinician_id=%d&start=%s", clin, to.Format(time.RFC3339))
		expectClosedPage(t, fx.requestWith(asAnonymous, "", "POST", "/bookings/"+token+"/reschedule", form), http.StatusConflict, token)
		if b, err := fx.a.Booking.ByManageToken(context.Background(), token); err != nil || b.Status != booking.StatusActive || !b.Start.Equal(start) {
			t.Fatalf("after the refusals: %+v %v", b, err)
		}

		// Staff can still change it on the client's behalf (signed in
		// afresh: the clock moved days on).
		fx.sessions[asFrontdesk] = fx.signIn(asFrontdesk)
		res = fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/bookings/%d/reschedule", id), fmt.Sprintf("clinician_id=%d&start=%s", clin, to.Format(time.RFC3339)))
		expectRedirect(t, res, "/staff/intakes/")
		if b, _ := fx.a.Booking.ByManageToken(context.Background(), token); !b.Start.Equal(to) {
			t.Errorf("staff reschedule left %v, want %v", b.Start, to)
		}
		fx.clock.Set(to.Add(-time.Hour)) // its new time is an hour away
		if res := fx.requestWith(asAnonymous, "", "DELETE", "/api/v1/bookings/"+token, ""); res.StatusCode != http.StatusConflict {
			t.Errorf("client DELETE an hour before: %d", res.StatusCode)
		}
		fx.sessions[asFrontdesk] = fx.signIn(asFrontdesk)
		expectRedirect(t, fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/bookings/%d/cancel", id), ""), "/staff/intakes/")
		if b, _ := fx.a.Booking.ByManageToken(context.Background(), token); b.Status != booking.StatusCancelled {
			t.Errorf("staff cancel left %s", b.Status)
		}
	})
	t.Run("no cut-off", func(t *testing.T) {
		t.Parallel()
		fx := newStaffFixture(t)
		fx.setChangeCutoff(0)
		_, token, start := fx.bookAhead("No Cutoff", 72*time.Hour)
		fx.clock.Set(start.Add(-time.Minute))
		doc := parseHTML(t, fx.requestWith(asAnonymous, "", "GET", "/bookings/"+token, ""))
		if linksTo(doc, "/bookings/"+token+"/cancel") == 0 {
			t.Error("no cancel link a minute before, without a cut-off")
		}
		if res := fx.requestWith(asAnonymous, "", "DELETE", "/api/v1/bookings/"+token, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("DELETE a minute before, without a cut-off: %d", res.StatusCode)
		}
	})
}
