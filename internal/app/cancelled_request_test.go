package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/booking"
)

// bookWithLink books the next open time for intake id as the client does
// and returns the booking and its manage link's token.
func (fx *staffFixture) bookWithLink(intakeID int64) (int64, string) {
	fx.t.Helper()
	id, start := fx.nextSlot()
	conf, err := fx.a.Booking.BookForIntake(context.Background(), intakeID, booking.Request{ClinicianID: id, Start: start})
	if err != nil {
		fx.t.Fatalf("book for intake %d: %v", intakeID, err)
	}
	return conf.ID, conf.ManageToken
}

func (fx *staffFixture) statusOf(intakeID int64) string {
	fx.t.Helper()
	var s string
	if err := fx.a.DB.Table("intakes").Where("id = ?", intakeID).Pluck("status", &s).Error; err != nil {
		fx.t.Fatal(err)
	}
	return s
}

// queueRow returns the text of the queue row of intake id as role sees it
// at path ("" when it is not listed).
func (fx *staffFixture) queueRow(role, path string, id int64) string {
	fx.t.Helper()
	res := fx.request(role, "GET", path, "")
	if res.StatusCode != http.StatusOK {
		fx.t.Fatalf("%s = %d", path, res.StatusCode)
	}
	href := fmt.Sprintf("/staff/intakes/%d", id)
	for _, tr := range findAll(parseHTML(fx.t, res), func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
		if linksTo(tr, href) > 0 {
			return strings.Join(strings.Fields(textOf(tr)), " ")
		}
	}
	return ""
}

// A consultation the client cancels — by the manage page or the API —
// takes the request out of "consult booked" and back into review, and the
// intake page and the queue say that the client cancelled.
func TestClientCancellationReturnsRequestToReview(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	fx.setChangeCutoff(0) // the next open time may be within a day
	for _, way := range []string{"manage page", "API"} {
		t.Run(way, func(t *testing.T) {
			id := fx.submit("Casey "+strings.ReplaceAll(way, " ", ""), "", 0)
			_, token := fx.bookWithLink(id)
			if s := fx.statusOf(id); s != "consult_booked" {
				t.Fatalf("after booking: %s", s)
			}
			var res *http.Response
			if way == "API" {
				res = fx.requestWith(asAnonymous, "", "DELETE", "/api/v1/bookings/"+token, "")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("DELETE = %d", res.StatusCode)
				}
			} else {
				res = fx.requestWith(asAnonymous, "", "POST", "/bookings/"+token+"/cancel", "")
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("cancel page = %d", res.StatusCode)
				}
			}
			if s := fx.statusOf(id); s != "in_review" {
				t.Errorf("after the client cancelled: %s, want in_review", s)
			}
			doc := parseHTML(t, fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", id), ""))
			if got := textOf(byID(doc, "consult-cancelled")); !strings.Contains(got, "Cancelled by the client") || !strings.Contains(got, "back in review") {
				t.Errorf("intake page says %q, want the client's cancellation", got)
			}
			if row := fx.queueRow(asFrontdesk, "/staff", id); !strings.Contains(row, "In review") || !strings.Contains(row, "Cancelled by the client") {
				t.Errorf("queue row %q, want in review and cancelled by the client", row)
			}
			entries, err := fx.a.Audit.List(context.Background(), audit.Filter{Action: audit.IntakeStatus, RecordID: fmt.Sprint(id)})
			if err != nil || len(entries) != 1 || entries[0].ActorID != nil || !strings.Contains(entries[0].Detail, "cancelled by the client") {
				t.Errorf("audit of the status change: %+v (%v)", entries, err)
			}

			// Booking again clears the cancellation.
			fx.bookWithLink(id)
			if s := fx.statusOf(id); s != "consult_booked" {
				t.Errorf("after booking again: %s", s)
			}
			if row := fx.queueRow(asFrontdesk, "/staff", id); strings.Contains(row, "Cancelled") {
				t.Errorf("queue row after booking again %q", row)
			}
		})
	}
}

// The front desk cancelling on the client's behalf follows the same rule:
// no consultation is booked, so the request is back in review, marked as
// cancelled by staff. A request staff have already decided on keeps its
// status.
func TestStaffCancellationReturnsRequestToReview(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	fx.setChangeCutoff(0) // the client's own cancellation below may be within a day
	id := fx.submit("Dana Staffcancel", "", 0)
	bookingID := fx.bookFor(id)
	res := fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/bookings/%d/cancel", bookingID), "")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel = %d", res.StatusCode)
	}
	if s := fx.statusOf(id); s != "in_review" {
		t.Errorf("after staff cancelled: %s, want in_review", s)
	}
	if row := fx.queueRow(asFrontdesk, "/staff", id); !strings.Contains(row, "Cancelled by staff") {
		t.Errorf("queue row %q", row)
	}

	accepted := fx.submit("Eli Accepted", "", 0)
	_, token := fx.bookWithLink(accepted)
	if res := fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/status", accepted), "status=accepted"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept = %d", res.StatusCode)
	}
	if _, err := fx.a.Booking.Cancel(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if s := fx.statusOf(accepted); s != "accepted" {
		t.Errorf("an accepted request moved to %s when its consultation was cancelled", s)
	}
}

// The default queue is open work: a request that is closed, declined or
// referred out does not sit on top as urgent. Asking for every status
// shows them, below the urgent open ones.
func TestQueueShowsOpenWorkFirst(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	fx.submit("Open Urgent", "", 0)
	fx.submit("Open Plain", "", 0)
	done := map[string]int64{}
	for _, s := range []string{"closed", "declined", "referred_out"} {
		done[s] = fx.submit("Done "+s, "", 0)
	}
	fx.a.DB.Exec("UPDATE intakes SET urgent = TRUE WHERE name <> 'Open Plain'")
	for s, id := range done {
		if err := fx.a.DB.Exec("UPDATE intakes SET status = ? WHERE id = ?", s, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	names := func(query string) []string {
		t.Helper()
		var out []string
		doc := parseHTML(t, fx.request(asFrontdesk, "GET", "/staff"+query, ""))
		for _, tr := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
			links := findAll(tr, func(n *html.Node) bool { return n.DataAtom == atom.A })
			if len(links) == 1 {
				name := textOf(links[0])
				if len(findAll(tr, func(n *html.Node) bool { return hasClass(n, "urgent") })) > 0 {
					name += " (urgent)"
				}
				out = append(out, name)
			}
		}
		return out
	}
	if got, want := names(""), []string{"Open Urgent (urgent)", "Open Plain"}; !slices.Equal(got, want) {
		t.Errorf("default queue %v, want %v", got, want)
	}
	got := names("?status=all")
	if len(got) != 5 || got[0] != "Open Urgent (urgent)" {
		t.Errorf("every status %v, want the urgent open request first", got)
	}
	for _, n := range got[1:] {
		if strings.HasSuffix(n, "(urgent)") {
			t.Errorf("%s is still shown as urgent", n)
		}
	}
	if got := names("?status=closed"); !slices.Equal(got, []string{"Done closed"}) {
		t.Errorf("closed filter %v", got)
	}
}

// Staff read the audit log and the email log in words: "Viewed a request",
// "Changed status to In review", "Invitation to the client".
func TestAuditAndEmailLogsSpeakWords(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	fx.setChangeCutoff(0) // the client's cancellation below may be within a day
	id := fx.submit("Wren Words", "", 0)
	fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", id), "")
	if res := fx.request(asFrontdesk, "POST", fmt.Sprintf("/staff/intakes/%d/status", id), "status=in_review&from=new"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d", res.StatusCode)
	}
	_, token := fx.bookWithLink(id)
	if _, err := fx.a.Booking.Cancel(context.Background(), token); err != nil {
		t.Fatal(err)
	}

	doc := parseHTML(t, fx.request(asAdmin, "GET", fmt.Sprintf("/staff/admin/audit?record_type=intake&record_id=%d", id), ""))
	var rows []string
	for _, tr := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Tr }) {
		if tds := findAll(tr, func(n *html.Node) bool { return n.DataAtom == atom.Td }); len(tds) == 6 {
			rows = append(rows, strings.TrimSpace(textOf(tds[2])+" | "+textOf(tds[3])+" | "+textOf(tds[5])))
		}
	}
	want := []string{
		fmt.Sprintf("Changed status to In review | Request %d | From Consult booked: consultation cancelled by the client", id),
		fmt.Sprintf("Changed status to In review | Request %d | From New", id),
		fmt.Sprintf("Viewed a request | Request %d |", id),
	}
	if !slices.Equal(rows, want) {
		t.Errorf("audit rows\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, code := range []string{"intake.status", "in_review", "consult_booked", "intake.view"} {
		if strings.Contains(textOf(byID(doc, "main")), code) {
			t.Errorf("the audit log shows the code %q", code)
		}
	}

	page := textOf(parseHTML(t, fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", id), "")))
	for _, want := range []string{"Invitation to the client", "Invitation to the clinician", "Cancellation to the client", "Cancellation to the clinician", "Waiting to be sent"} {
		if !strings.Contains(page, want) {
			t.Errorf("the intake page's email log lacks %q", want)
		}
	}
}
