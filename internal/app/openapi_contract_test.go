package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	vErrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/firststep/firststep/internal/intake"
	webapi "github.com/firststep/firststep/internal/web/api"
)

// apiContract checks real responses against the document with
// libopenapi-validator, and remembers every operation answered with 2xx
// and every JSON body that was checked.
type apiContract struct {
	t      *testing.T
	v      validator.Validator
	ok     map[string]bool // "METHOD shape" answered with 2xx
	bodies []checkedResponse
}

type checkedResponse struct {
	method, target string
	header         http.Header
	status         int
	body           []byte
}

func newAPIContract(t *testing.T) *apiContract {
	t.Helper()
	doc, err := libopenapi.NewDocument(webapi.OpenAPIDocument)
	if err != nil {
		t.Fatalf("%s: %v", docFile, err)
	}
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("%s: %v", docFile, errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("%s is not a valid OpenAPI 3.1 document:\n%s", docFile, describeViolations(verrs))
	}
	return &apiContract{t: t, v: v, ok: map[string]bool{}}
}

func describeViolations(errs []*vErrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      %s at %s (schema %s)", f.Reason, f.FieldPath, f.KeywordLocation)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// apiCall is one request to the real application.
type apiCall struct {
	auth   string // Authorization header; "" for none
	method string
	target string
	body   string
	header map[string]string
}

func newAPIRequest(cl apiCall) *http.Request {
	var body io.Reader
	if cl.body != "" {
		body = strings.NewReader(cl.body)
	}
	req := httptest.NewRequest(cl.method, cl.target, body)
	if cl.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.auth != "" {
		req.Header.Set("Authorization", cl.auth)
	}
	for k, v := range cl.header {
		req.Header.Set(k, v)
	}
	req.RemoteAddr = "192.0.2.61:50000"
	return req
}

// do sends cl to e, requires status want, checks the response (and, for a
// 2xx, the request) against the document and returns the response body.
func (ct *apiContract) do(e *echo.Echo, want int, cl apiCall) []byte {
	ct.t.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, newAPIRequest(cl))
	res := rec.Result()
	body := rec.Body.Bytes()
	if res.StatusCode != want {
		ct.t.Fatalf("%s %s = %d %s; want %d", cl.method, cl.target, res.StatusCode, body, want)
	}
	ct.check(e, cl, res, body)
	return body
}

func (ct *apiContract) check(e *echo.Echo, cl apiCall, res *http.Response, body []byte) {
	ct.t.Helper()
	op := cl.method + " " + echoRouteOf(e, cl.method, cl.target)
	res.Body = io.NopCloser(bytes.NewReader(body))
	if ok, errs := ct.v.ValidateHttpResponse(newAPIRequest(cl), res); !ok {
		ct.t.Errorf("%s answered %d, which %s does not describeViolations (route %s):\n%sbody: %s", cl.method+" "+cl.target, res.StatusCode, docFile, op, describeViolations(errs), body)
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if ok, errs := ct.v.ValidateHttpRequest(newAPIRequest(cl)); !ok {
			ct.t.Errorf("%s %s succeeded, but %s does not allow that request (route %s):\n%s", cl.method, cl.target, docFile, op, describeViolations(errs))
		}
		ct.ok[operationShape(op)] = true
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		ct.bodies = append(ct.bodies, checkedResponse{method: cl.method, target: cl.target, header: res.Header.Clone(), status: res.StatusCode, body: body})
	}
}

// echoRouteOf is the route Echo matches for method and target (":id" style).
func echoRouteOf(e *echo.Echo, method, target string) string {
	req := httptest.NewRequest(method, target, nil)
	c := e.NewContext(req, nil)
	e.Router().Find(method, req.URL.Path, c)
	return c.Path()
}

func operationShape(op string) string {
	m, p, _ := strings.Cut(op, " ")
	return m + " " + pathShape(p)
}

// TestOpenAPIResponses drives every endpoint through its successes and its
// errors on a real application and database and checks each status and
// body against the document. Response objects are closed
// (additionalProperties or unevaluatedProperties false), so a field a
// handler adds without describing it fails here.
func TestOpenAPIResponses(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	e := fx.a.Echo
	ct := newAPIContract(t)
	admin, frontdesk := "Bearer "+fx.tokens[asAdmin], "Bearer "+fx.tokens[asFrontdesk]
	clinician, other := "Bearer "+fx.tokens[asClinician], "Bearer "+fx.tokens[asOtherClinician]

	ct.do(e, http.StatusOK, apiCall{method: "GET", target: "/healthz"})
	ct.do(e, http.StatusOK, apiCall{method: "GET", target: "/api/v1/openapi.json"})

	// Staff set up a clinician and their hours.
	var created struct{ ID int64 }
	json.Unmarshal(ct.do(e, http.StatusCreated, apiCall{auth: admin, method: "POST", target: "/api/v1/clinicians",
		body: `{"name":"Dr. Robin Vale","email":"robin@practice.example","offers":["individual","couple"],"timezone":"America/New_York","video_link":"https://video.example/robin","address":"1 River Rd"}`}), &created)
	hours := `{"timezone":"America/New_York","slot_minutes":50,"buffer_minutes":10,"min_notice_hours":0,"horizon_days":60,
		"weekly":[{"weekday":"monday","start":"09:00","end":"17:00"},{"weekday":"tuesday","start":"09:00","end":"17:00"},
		{"weekday":"wednesday","start":"09:00","end":"17:00"},{"weekday":"thursday","start":"09:00","end":"17:00"},
		{"weekday":"friday","start":"09:00","end":"17:00"},{"weekday":"saturday","start":"09:00","end":"17:00"},
		{"weekday":"sunday","start":"09:00","end":"17:00"}],
		"exceptions":[{"date":"2030-12-24","closed":true},{"date":"2030-12-28","start":"18:00","end":"20:00"}]}`
	availability := fmt.Sprintf("/api/v1/clinicians/%d/availability", created.ID)
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "PUT", target: availability, body: hours})
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "GET", target: availability})
	ct.do(e, http.StatusForbidden, apiCall{auth: clinician, method: "GET", target: availability})
	ct.do(e, http.StatusOK, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/clinicians"})
	// The admin reads and changes the practice's settings and policy.
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "GET", target: "/api/v1/settings"})
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "PATCH", target: "/api/v1/settings",
		body: `{"address":"1 River Rd","reminder_leads":["2h","48h"],"retention_days":365}`})
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "PATCH", target: "/api/v1/settings", body: `{"retention_days":null}`})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: admin, method: "PATCH", target: "/api/v1/settings",
		body: `{"change_cutoff_hours":721,"waitlist_hold_minutes":"an hour"}`})
	ct.do(e, http.StatusForbidden, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/settings"})

	// A client asks, lists the open slots, books, looks, moves and cancels.
	var intakeOne struct{ Token string }
	json.Unmarshal(ct.do(e, http.StatusCreated, apiCall{method: "POST", target: "/api/v1/intakes",
		body: `{"kind":"individual","name":"Jo","email":"jo@example.org","phone":"+1 555 010 2000","pronouns":"she/her","contact_preference":"either",
		"voicemail_ok":true,"concerns":["trauma","other"],"concerns_other":"Sleep","message":"Hello","approaches":["emdr"],
		"session_format":"video","referral_source":"A friend","timezone":"America/Chicago","safety_concern":false,"consent":true}`}), &intakeOne)
	day := fx.clock.Now().In(mustLoadZone(t, "America/New_York")).AddDate(0, 0, 2).Format("2006-01-02")
	var slots struct{ Slots []slotJSON }
	json.Unmarshal(ct.do(e, http.StatusOK, apiCall{method: "GET", target: "/api/v1/slots?kind=individual&tz=America/New_York&from=" + day + "&to=" + day}), &slots)
	if len(slots.Slots) < 3 {
		t.Fatalf("%d open slots on %s; want the clinician's day", len(slots.Slots), day)
	}
	ct.do(e, http.StatusOK, apiCall{method: "GET", target: "/api/v1/slots?kind=couple"})
	first, second, third := slots.Slots[0], slots.Slots[1], slots.Slots[2]
	book := func(token string, s slotJSON) string {
		return fmt.Sprintf(`{"intake_token":%q,"clinician_id":%d,"start":%q}`, token, s.ClinicianID, s.Start)
	}
	var booked struct {
		ManageToken string `json:"manage_token"`
	}
	json.Unmarshal(ct.do(e, http.StatusCreated, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeOne.Token, first),
		header: map[string]string{"Idempotency-Key": "first-try"}}), &booked)
	ct.do(e, http.StatusCreated, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeOne.Token, first),
		header: map[string]string{"Idempotency-Key": "first-try"}})
	manage := "/api/v1/bookings/" + booked.ManageToken
	ct.do(e, http.StatusOK, apiCall{method: "GET", target: manage})
	// Hours that would leave the booked consultation out are refused, with
	// the consultation listed.
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: admin, method: "PUT", target: availability,
		body: `{"timezone":"America/New_York","slot_minutes":50,"horizon_days":60,"weekly":[],"exceptions":[]}`})
	ct.do(e, http.StatusOK, apiCall{method: "PATCH", target: manage, body: fmt.Sprintf(`{"start":%q,"timezone":"America/Chicago"}`, second.Start)})

	// A second client: the time the first moved to is taken.
	var intakeTwo struct{ Token string }
	json.Unmarshal(ct.do(e, http.StatusCreated, apiCall{method: "POST", target: "/api/v1/intakes",
		body: `{"kind":"couple","name":"Sam","email":"sam@example.org","partner_name":"Alex","partner_email":"alex@example.org","partner_aware":"yes","consent":true}`}), &intakeTwo)
	ct.do(e, http.StatusConflict, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeTwo.Token, second)})
	var bookedTwo struct {
		ManageToken string `json:"manage_token"`
	}
	json.Unmarshal(ct.do(e, http.StatusCreated, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeTwo.Token, third)}), &bookedTwo)
	ct.do(e, http.StatusConflict, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeTwo.Token, first)})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeOne.Token, third),
		header: map[string]string{"Idempotency-Key": "first-try"}})

	ct.do(e, http.StatusOK, apiCall{method: "DELETE", target: manage})
	ct.do(e, http.StatusOK, apiCall{method: "DELETE", target: manage})
	ct.do(e, http.StatusConflict, apiCall{method: "PATCH", target: manage, body: fmt.Sprintf(`{"start":%q}`, first.Start)})

	// The staff read the queue and the requests.
	mine := fx.submit("Assigned Client", "Only for the first clinician.", fx.clinA)
	couple := fx.coupleWithPartnerAnswers()
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "GET", target: "/api/v1/intakes"})
	ct.do(e, http.StatusOK, apiCall{auth: clinician, method: "GET", target: fmt.Sprintf("/api/v1/intakes?status=new&kind=individual&clinician_id=%d&from=2020-01-01&to=2099-12-31", fx.clinA)})
	ct.do(e, http.StatusOK, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/intakes?clinician=none"})
	// A page of a search, with the cursor of the next one (Jo's request,
	// back in review after the client cancelled, says so).
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	json.Unmarshal(ct.do(e, http.StatusOK, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/intakes?status=all&q=O&limit=1"}), &page)
	if page.NextCursor == "" {
		t.Fatal("no next_cursor on a page with more to come")
	}
	ct.do(e, http.StatusOK, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/intakes?status=open&q=O&limit=1&cursor=" + url.QueryEscape(page.NextCursor)})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/intakes?limit=201"})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: frontdesk, method: "GET", target: "/api/v1/intakes?cursor=nonsense"})
	ct.do(e, http.StatusOK, apiCall{auth: clinician, method: "GET", target: fmt.Sprintf("/api/v1/intakes/%d", mine)})
	ct.do(e, http.StatusOK, apiCall{auth: admin, method: "GET", target: fmt.Sprintf("/api/v1/intakes/%d", couple)})

	// 400: unreadable.
	ct.do(e, http.StatusBadRequest, apiCall{method: "POST", target: "/api/v1/intakes", body: `{"kind":"individual","nickname":"J"}`})
	ct.do(e, http.StatusBadRequest, apiCall{method: "POST", target: "/api/v1/bookings", body: `{"intake_token":`})
	ct.do(e, http.StatusBadRequest, apiCall{method: "POST", target: "/api/v1/bookings", body: book(intakeOne.Token, first),
		header: map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}})
	ct.do(e, http.StatusBadRequest, apiCall{auth: admin, method: "PUT", target: availability, body: `[]`})
	// 401: no token, or a token that is not one.
	ct.do(e, http.StatusUnauthorized, apiCall{method: "GET", target: "/api/v1/intakes"})
	ct.do(e, http.StatusUnauthorized, apiCall{auth: "Bearer fs_nonsense", method: "GET", target: "/api/v1/clinicians"})
	ct.do(e, http.StatusUnauthorized, apiCall{method: "GET", target: fmt.Sprintf("/api/v1/intakes/%d", mine)})
	ct.do(e, http.StatusUnauthorized, apiCall{method: "POST", target: "/api/v1/clinicians", body: `{}`})
	ct.do(e, http.StatusUnauthorized, apiCall{method: "GET", target: availability})
	ct.do(e, http.StatusUnauthorized, apiCall{method: "PUT", target: availability, body: hours})
	// 403: the role or the record is not theirs.
	ct.do(e, http.StatusForbidden, apiCall{auth: frontdesk, method: "POST", target: "/api/v1/clinicians",
		body: `{"name":"Dr. No","email":"no@practice.example","offers":["couple"],"timezone":"UTC"}`})
	ct.do(e, http.StatusForbidden, apiCall{auth: clinician, method: "PUT", target: availability, body: hours})
	ct.do(e, http.StatusForbidden, apiCall{auth: other, method: "GET", target: fmt.Sprintf("/api/v1/intakes/%d", mine)})
	// 404: no such record.
	ct.do(e, http.StatusNotFound, apiCall{method: "GET", target: "/api/v1/bookings/no-such-link"})
	ct.do(e, http.StatusNotFound, apiCall{method: "PATCH", target: "/api/v1/bookings/no-such-link", body: fmt.Sprintf(`{"start":%q}`, first.Start)})
	ct.do(e, http.StatusNotFound, apiCall{method: "DELETE", target: "/api/v1/bookings/no-such-link"})
	ct.do(e, http.StatusNotFound, apiCall{auth: admin, method: "GET", target: "/api/v1/intakes/999999"})
	ct.do(e, http.StatusNotFound, apiCall{auth: admin, method: "GET", target: "/api/v1/intakes/abc"})
	ct.do(e, http.StatusNotFound, apiCall{auth: admin, method: "GET", target: fmt.Sprintf("/api/v1/clinicians/%d/availability", fx.clinA)})
	ct.do(e, http.StatusNotFound, apiCall{auth: admin, method: "PUT", target: "/api/v1/clinicians/999999/availability", body: hours})
	// 413: over 64 KiB.
	ct.do(e, http.StatusRequestEntityTooLarge, apiCall{method: "POST", target: "/api/v1/intakes",
		body: `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":true,"message":"` + strings.Repeat("x", 70<<10) + `"}`})
	// 422: invalid fields.
	ct.do(e, http.StatusUnprocessableEntity, apiCall{method: "POST", target: "/api/v1/intakes", body: `{"kind":"individual","consent":false}`})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{method: "GET", target: "/api/v1/slots?kind=group&tz=Mars/Olympus"})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{method: "POST", target: "/api/v1/bookings",
		body: book(intakeOne.Token, slotJSON{ClinicianID: created.ID, Start: day + "T03:00:00-05:00"})})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{method: "PATCH", target: "/api/v1/bookings/" + bookedTwo.ManageToken, body: `{"start":"tomorrow"}`})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: admin, method: "GET", target: "/api/v1/intakes?status=bogus"})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: admin, method: "POST", target: "/api/v1/clinicians", body: `{"name":"","offers":["group"]}`})
	ct.do(e, http.StatusUnprocessableEntity, apiCall{auth: admin, method: "PUT", target: availability, body: `{"timezone":"Local","slot_minutes":5,"horizon_days":0}`})

	// 409: a consultation that has started can no longer change.
	fx.clock.Advance(4 * 24 * time.Hour)
	ct.do(e, http.StatusConflict, apiCall{method: "DELETE", target: "/api/v1/bookings/" + bookedTwo.ManageToken})

	// 429: over the rate limit.
	limited := newApp(t, rateLimit(1))
	send := apiCall{method: "POST", target: "/api/v1/intakes", body: `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":true}`}
	ct.do(limited.Echo, http.StatusCreated, send)
	ct.do(limited.Echo, http.StatusTooManyRequests, send)

	for key, op := range documentedOperations(t) {
		if !ct.ok[key] {
			t.Errorf("%s: no request in this test was answered with success; add one so its response is checked against %s", op, docFile)
		}
	}
	t.Run("undeclared fields fail", ct.undeclaredFieldsFail)
}

// undeclaredFieldsFail proves the check catches drift: each JSON object in
// each checked response, given one field the document does not declare,
// no longer matches.
func (ct *apiContract) undeclaredFieldsFail(t *testing.T) {
	for _, b := range ct.bodies {
		var doc any
		if err := json.Unmarshal(b.body, &doc); err != nil {
			t.Fatalf("%s %s: %v", b.method, b.target, err)
		}
		for _, at := range jsonObjectPaths(doc, "$") {
			changed := withUndeclaredField(doc, at)
			body, _ := json.Marshal(changed)
			res := &http.Response{StatusCode: b.status, Header: b.header, Body: io.NopCloser(bytes.NewReader(body))}
			if ok, _ := ct.v.ValidateHttpResponse(newAPIRequest(apiCall{method: b.method, target: b.target}), res); ok {
				t.Errorf("%s %s %d: a field added at %s passes; close that object in %s (additionalProperties: false)", b.method, b.target, b.status, at, docFile)
			}
		}
	}
}

// jsonObjectPaths lists the JSON path of every object in v.
func jsonObjectPaths(v any, at string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		out = append(out, at)
		for k, x := range v {
			out = append(out, jsonObjectPaths(x, at+"."+k)...)
		}
	case []any:
		for i, x := range v {
			out = append(out, jsonObjectPaths(x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	}
	return out
}

// withUndeclaredField returns a copy of v with "undeclared_field" added to the
// object at path.
func withUndeclaredField(v any, path string) any {
	var walk func(v any, at string) any
	walk = func(v any, at string) any {
		switch v := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(v)+1)
			for k, x := range v {
				out[k] = walk(x, at+"."+k)
			}
			if at == path {
				out["undeclared_field"] = true
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = walk(x, fmt.Sprintf("%s[%d]", at, i))
			}
			return out
		}
		return v
	}
	return walk(v, "$")
}

func mustLoadZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// coupleWithPartnerAnswers stores a couple's request whose partner has sent
// their own answers through the private link.
func (fx *staffFixture) coupleWithPartnerAnswers() int64 {
	fx.t.Helper()
	ctx := context.Background()
	r, err := fx.a.Intakes.Submit(ctx, intake.Input{Kind: "couple", Name: "Kim", Email: "kim@example.org",
		PartnerName: "Lee", PartnerEmail: "lee@example.org", PartnerAware: "yes", Consent: true})
	if err != nil {
		fx.t.Fatalf("submit: %v", err)
	}
	token, err := fx.a.Intakes.PartnerToken(ctx, r.ID, intake.Couple)
	if err != nil {
		fx.t.Fatalf("partner token: %v", err)
	}
	if _, err := fx.a.Intakes.SubmitPartner(ctx, token, intake.PartnerInput{Name: "Lee", Email: "lee@example.org",
		ContactPreference: "email", Concerns: []string{"grief"}, Hopes: "To listen better.", Approaches: []string{"eft"}, Consent: true}); err != nil {
		fx.t.Fatalf("partner answers: %v", err)
	}
	return r.ID
}
