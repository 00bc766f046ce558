package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/golden"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/smtptest"
	"github.com/firststep/firststep/internal/store"
	"gorm.io/gorm"
)

// receivedPractice is the practice whose name the received email carries.
const receivedPractice = "Harbor Street Counseling"

func savePractice(t *testing.T, a *app.App) {
	t.Helper()
	st := practice.Defaults()
	st.Name = receivedPractice
	if err := store.Transact(context.Background(), a.DB, func(tx *gorm.DB) error { return a.Practice.Save(tx, st) }); err != nil {
		t.Fatalf("save settings: %v", err)
	}
}

// deliver runs the real mail worker once against an in-process SMTP server
// and returns what it accepted.
func deliver(t *testing.T, a *app.App) []smtptest.Message {
	t.Helper()
	srv := smtptest.Start(t)
	tr, err := outbox.NewSMTPTransport(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	w := outbox.NewWorker(a.DB, tr, a.Now, nil, outbox.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	return srv.Messages()
}

// mailText is the subject, the To header and every text part of a
// message, decoded: what a reader (or a leak) would see.
func mailText(t *testing.T, raw []byte) (subject, to, body string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	dec := new(mime.WordDecoder)
	subject, err = dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	var parts []string
	var walk func(ct string, r io.Reader, enc string)
	walk = func(ct string, r io.Reader, enc string) {
		media, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(media, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatalf("part: %v", err)
				}
				walk(p.Header.Get("Content-Type"), p, p.Header.Get("Content-Transfer-Encoding"))
			}
		}
		if enc == "quoted-printable" {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("body: %v", err)
		}
		parts = append(parts, string(b))
	}
	walk(m.Header.Get("Content-Type"), m.Body, m.Header.Get("Content-Transfer-Encoding"))
	return subject, m.Header.Get("To"), strings.Join(parts, "\n")
}

// Marker strings typed into every answer a client can write; none may
// appear in any email.
var receivedMarkers = []string{"Zebulon", "Quintessa", "MARKERPRON", "MARKEROTHER", "MARKERMESSAGE", "MARKERREFERRAL", "010-4242"}

func markedCouple() map[string][]string {
	v := coupleAnswers()
	v.Set("name", "Zebulon Rivera")
	v.Set("partner_name", "Quintessa Rivera")
	v.Set("pronouns", "MARKERPRON")
	v.Set("partner_pronouns", "MARKERPRON")
	v.Set("concerns_other", "MARKEROTHER")
	v.Set("message", "MARKERMESSAGE: we want to rebuild trust")
	v.Set("referral_source", "MARKERREFERRAL")
	v.Set("phone", "+1 (555) 010-4242")
	return v
}

// TestReceivedEmailForm: a couple's request through the form queues one
// "We received your request" email, in the intake's transaction, to the
// client who sent it — never to the partner, not even after the partner
// sends their own answers — with the practice's name, the private link to
// choose a time and the crisis line, and nothing the client wrote.
func TestReceivedEmailForm(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	savePractice(t, a)
	c := newClient(t, a, "192.0.2.91")
	res := c.submit("/request/couple", markedCouple())
	token := tokenFrom(t, res, "")
	in, err := a.Intakes.ByToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}

	rows, err := a.Outbox.ForIntake(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(rows[0].Recipients) != 1 || rows[0].Recipients[0] != "sam@example.org" || rows[0].Purpose != intake.ReceivedPurpose {
		t.Fatalf("outbox rows %+v, want one receipt to sam@example.org", rows)
	}

	// The partner's own answers send nothing.
	page := c.get("/requests/" + token)
	partnerPath := partnerLinkOf(t, parseHTML(t, page))
	pc := newClient(t, a, "192.0.2.92")
	if res := pc.submit(partnerPath, partnerAnswers()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("partner submit = %d", res.StatusCode)
	}

	msgs := deliver(t, a)
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered, want 1 (the client's receipt)", len(msgs))
	}
	m := msgs[0]
	if len(m.To) != 1 || m.To[0] != "sam@example.org" {
		t.Fatalf("delivered to %v, want only the client", m.To)
	}
	subject, to, body := mailText(t, m.Data)
	if want := "We received your request — " + receivedPractice; subject != want {
		t.Errorf("subject %q, want %q", subject, want)
	}
	if to != "sam@example.org" && to != "<sam@example.org>" {
		t.Errorf("To %q, want the bare address", to)
	}
	picker := a.Config.BaseURL + "/requests/" + token
	for _, want := range []string{picker, receivedPractice, "call or text 988", "by email or phone, as you asked"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "/partner/") {
		t.Error("the receipt carries the partner's link: the client chooses whether to pass it on")
	}
	raw := string(m.Data)
	for _, leak := range append(append([]string{"alex@example.org"}, receivedMarkers...), partnerWords...) {
		if strings.Contains(body, leak) || strings.Contains(raw, leak) || strings.Contains(subject, leak) {
			t.Errorf("the email carries %q, which the clients wrote", leak)
		}
	}
	for _, a := range []string{"Sam", "Alex"} {
		if strings.Contains(body, a) {
			t.Errorf("the email names %q", a)
		}
	}
}

// TestReceivedEmailAPI: the JSON API queues the same email, worded for the
// contact preference; a refused request queues nothing; and the email is
// in the intake's transaction: when it cannot be queued, no intake is
// stored either.
func TestReceivedEmailAPI(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	savePractice(t, a)
	c := newClient(t, a, "192.0.2.93")

	bad := c.postJSON("/api/v1/intakes", `{"kind":"individual","name":"Zebulon","email":"zeb@example.org","consent":false,"message":"MARKERMESSAGE"}`)
	if bad.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused request: status %d", bad.StatusCode)
	}
	if msgs := deliver(t, a); len(msgs) != 0 {
		t.Fatalf("a refused request sent %d emails", len(msgs))
	}

	body, _ := json.Marshal(map[string]any{"kind": "individual", "name": "Zebulon Marsh", "email": "zeb@example.org",
		"phone": "+1 555 010-4242", "contact_preference": "phone", "pronouns": "MARKERPRON", "concerns": []string{"grief"},
		"concerns_other": "MARKEROTHER", "message": "MARKERMESSAGE", "referral_source": "MARKERREFERRAL", "consent": true})
	res := c.postJSON("/api/v1/intakes", string(body))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", res.StatusCode, readBody(t, res))
	}
	var got struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	rows, err := a.Outbox.ForIntake(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Purpose != intake.ReceivedPurpose {
		t.Fatalf("outbox rows %+v, want one receipt", rows)
	}
	msgs := deliver(t, a)
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "zeb@example.org" {
		t.Fatalf("delivered %+v, want one email to the client", msgs)
	}
	subject, _, text := mailText(t, msgs[0].Data)
	for _, want := range []string{a.Config.BaseURL + "/requests/" + got.Token, receivedPractice, "call or text 988", "by phone, as you asked"} {
		if !strings.Contains(text, want) {
			t.Errorf("body lacks %q:\n%s", want, text)
		}
	}
	for _, leak := range receivedMarkers {
		if strings.Contains(text, leak) || strings.Contains(subject, leak) || strings.Contains(string(msgs[0].Data), leak) {
			t.Errorf("the email carries %q", leak)
		}
	}
	if strings.Contains(text, "grief") {
		t.Error("the email names a concern")
	}

	// No outbox, no intake: both are one transaction.
	if err := a.DB.Exec("DROP TABLE outbox_messages").Error; err != nil {
		t.Fatal(err)
	}
	var before, after int64
	a.DB.Table("intakes").Count(&before)
	if _, err := a.Intakes.Submit(context.Background(), intake.Input{Kind: "individual", Name: "Ana", Email: "ana@example.org", Consent: true}); err == nil {
		t.Fatal("Submit succeeded without being able to queue its email")
	}
	a.DB.Table("intakes").Count(&after)
	if after != before {
		t.Errorf("%d intakes stored whose email was never queued", after-before)
	}
}

// TestReceivedEmailBody holds the text of the email (go test -update).
func TestReceivedEmailBody(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	savePractice(t, a)
	r, err := a.Intakes.Submit(context.Background(), intake.Input{Kind: "individual", Name: "Ana", Email: "ana@example.org", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	msgs := deliver(t, a)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	_, _, body := mailText(t, msgs[0].Data)
	body = strings.ReplaceAll(body, r.Token, "TOKEN")
	body = strings.ReplaceAll(body, a.Config.BaseURL, "BASE")
	golden.Compare(t, "testdata/received_email.golden", []byte(body))
}

// TestReceivedEmailOnIntakePage: staff see the receipt and its delivery on
// the intake page, in words.
func TestReceivedEmailOnIntakePage(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	id := fx.submit("Ana", "MARKERMESSAGE", 0)
	doc := parseHTML(t, fx.request(asFrontdesk, "GET", fmt.Sprintf("/staff/intakes/%d", id), ""))
	table := byID(doc, "request-emails")
	if table == nil {
		t.Fatal("the intake page has no table of the request's emails")
	}
	got := textOf(table)
	for _, want := range []string{"Emails about the request", "client1@example.org", "Receipt to the client", "Waiting to be sent"} {
		if !strings.Contains(got, want) {
			t.Errorf("the request's emails lack %q: %s", want, got)
		}
	}
}
