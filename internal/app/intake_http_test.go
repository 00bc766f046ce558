package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/firststep/firststep/internal/app"
	"github.com/firststep/firststep/internal/clocktest"
	"github.com/firststep/firststep/internal/config"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/store/storetest"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// newApp builds the real application over a fresh test database. The rate
// limit is off unless a test turns it on.
func newApp(t *testing.T, change ...func(*config.Config)) *app.App {
	t.Helper()
	cfg, _, err := config.Parse("serve", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.DataDir = t.TempDir()
	cfg.RateLimit = 0
	for _, f := range change {
		f(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Build(cfg, storetest.New(t), logger, app.Options{Now: newClock().Now, PasswordCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	return a
}

func rateLimit(n int) func(*config.Config) { return func(c *config.Config) { c.RateLimit = n } }

// newClock moves one minute forward on every reading, so that intakes stored
// one after another have distinct, ordered times.
func newClock() *clocktest.Clock {
	return clocktest.Ticking(time.Now().UTC().Truncate(time.Second), time.Minute)
}

// client is one visitor: one IP address and a cookie jar of its own.
type client struct {
	t       *testing.T
	h       http.Handler
	addr    string
	cookies map[string]*http.Cookie
}

func newClient(t *testing.T, a *app.App, ip string) *client {
	return &client{t: t, h: a.Echo, addr: ip + ":41234", cookies: map[string]*http.Cookie{}}
}

func (c *client) do(req *http.Request) *http.Response {
	c.t.Helper()
	req.RemoteAddr = c.addr
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, ck := range res.Cookies() {
		c.cookies[ck.Name] = ck
	}
	if res.StatusCode >= 500 {
		c.t.Errorf("%s %s answered %d", req.Method, req.URL.Path, res.StatusCode)
	}
	return res
}

func (c *client) get(path string) *http.Response {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// openForm GETs the form page and returns the answers a browser would send
// untouched (the CSRF token, default radios, empty fields).
func (c *client) openForm(path string) url.Values {
	c.t.Helper()
	res := c.get(path)
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s = %d", path, res.StatusCode)
	}
	doc := parseHTML(c.t, res)
	v := formValues(mainForm(c.t, doc))
	if v.Get("_csrf") == "" {
		c.t.Fatalf("GET %s: no _csrf field in the form", path)
	}
	if c.cookies["_csrf"] == nil {
		c.t.Fatalf("GET %s: no _csrf cookie", path)
	}
	return v
}

func (c *client) postForm(path string, v url.Values) *http.Response {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// submit opens the form at path, fills in answers like a person would and
// sends it.
func (c *client) submit(path string, answers url.Values) *http.Response {
	c.t.Helper()
	v := c.openForm(path)
	for k, vals := range answers {
		v[k] = vals
	}
	return c.postForm(path, v)
}

func (c *client) postJSON(path, body string, header ...string) *http.Response {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// coupleAnswers is a complete couple request with every optional answer.
func coupleAnswers() url.Values {
	return url.Values{
		"name": {"Sam Rivera"}, "email": {"sam@example.org"}, "pronouns": {"they/them"},
		"contact_preference": {"either"}, "phone": {"+1 (555) 010-2000"}, "voicemail_ok": {"yes"},
		"partner_name": {"Alex Rivera"}, "partner_email": {"alex@example.org"}, "partner_pronouns": {"he/him"},
		"partner_aware": {"yes"}, "concerns": {"substance_use", "relationship_conflict"}, "concerns_other": {"Trust & honesty"},
		"message":    {"We want to rebuild trust <after> a relapse.\nAlex is \"six months\" sober."},
		"approaches": {"rlt", "sensorimotor"}, "session_format": {"video"}, "timezone": {"America/Chicago"},
		"referral_source": {"A friend's recommendation"}, "safety": {"no"}, "consent": {"yes"},
	}
}

func individualAnswers() url.Values {
	return url.Values{"name": {"Jo"}, "email": {"jo@example.org"}, "consent": {"yes"}}
}

var nextStep = regexp.MustCompile(`^/requests/([A-Za-z0-9_-]{20,})$`)

// tokenFrom returns the client token of the redirect after a stored intake.
func tokenFrom(t *testing.T, res *http.Response, suffix string) string {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	m := nextStep.FindStringSubmatch(strings.TrimSuffix(loc, suffix))
	if m == nil || !strings.HasSuffix(loc, suffix) {
		t.Fatalf("redirect to %q, want /requests/{token}%s", loc, suffix)
	}
	return m[1]
}

func TestFormErrorKeepsEveryAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		kind   string
		change func(url.Values)
		field  string
		msg    string
	}{
		{"couple with a bad email", "couple", func(v url.Values) { v.Set("email", "sam@") },
			"email", "Enter an email address like name@example.com."},
		{"couple with partner email same as own", "couple", func(v url.Values) { v.Set("partner_email", "SAM@example.org") },
			"partner_email", "Enter your partner's own email address, or leave it empty."},
		{"couple without partner name", "couple", func(v url.Values) { v.Set("partner_name", " ") },
			"partner_name", "Enter your partner's name. A first name is fine."},
		{"phone wanted but missing", "couple", func(v url.Values) { v.Set("phone", "") },
			"phone", "Enter a phone number, or choose email as the way to reach you."},
		{"no consent", "couple", func(v url.Values) { v.Del("consent") },
			"consent", "Please agree to the privacy notice and to being contacted by email, so we can reply to you."},
		{"individual with safety yes and a bad phone", "individual", func(v url.Values) {
			for k := range v {
				if strings.HasPrefix(k, "partner_") {
					v.Del(k)
				}
			}
			v.Set("safety", "yes")
			v.Set("phone", "call me")
		}, "phone", "Enter a phone number using digits and, if you like, spaces, +, -, ( and )."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t)
			c := newClient(t, a, "192.0.2.10")
			path := "/request/" + tt.kind
			sent := c.openForm(path)
			for k, v := range coupleAnswers() {
				sent[k] = v
			}
			tt.change(sent)

			res := c.postForm(path, sent)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422", res.StatusCode)
			}
			doc := parseHTML(t, res)

			// The message sits next to the field it is about.
			e := byID(doc, "e-"+tt.field)
			if e == nil {
				t.Fatalf("no message element #e-%s", tt.field)
			}
			if got := textOf(e); got != tt.msg {
				t.Errorf("message = %q, want %q", got, tt.msg)
			}
			controls := findAll(e.Parent, func(n *html.Node) bool { return attr(n, "name") == tt.field })
			if len(controls) == 0 {
				t.Fatalf("the message for %s is not next to its field", tt.field)
			}
			if attr(controls[0], "aria-invalid") != "true" {
				t.Errorf("field %s is not marked aria-invalid", tt.field)
			}
			if !slices.Contains(strings.Fields(attr(controls[0], "aria-describedby")), "e-"+tt.field) {
				t.Errorf("field %s is not described by its message", tt.field)
			}

			// The summary links to the field, and the link lands somewhere.
			summary := byID(doc, "error-summary")
			if summary == nil {
				t.Fatal("no error summary")
			}
			links := findAll(summary, func(n *html.Node) bool { return n.DataAtom == atom.A })
			if len(links) != 1 {
				t.Fatalf("summary has %d links, want 1", len(links))
			}
			if href := attr(links[0], "href"); href != "#f-"+tt.field {
				t.Errorf("summary links to %q, want #f-%s", href, tt.field)
			}
			if textOf(links[0]) != tt.msg {
				t.Errorf("summary says %q, want %q", textOf(links[0]), tt.msg)
			}
			if byID(doc, "f-"+tt.field) == nil {
				t.Errorf("summary link target #f-%s does not exist", tt.field)
			}

			// Every answer is still there, exactly as sent.
			kept := formValues(mainForm(t, doc))
			if !reflect.DeepEqual(normalizeValues(kept), normalizeValues(sent)) {
				t.Errorf("answers changed after the error\n sent: %v\n kept: %v", sent, kept)
			}

			if list, _ := a.Intakes.List(context.Background(), intake.Filter{}); len(list) != 0 {
				t.Errorf("%d intakes stored from a form with a mistake", len(list))
			}
		})
	}
}

func TestFormSuccessStoresAndConfirms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.11")
	res := c.submit("/request/couple", coupleAnswers())
	token := tokenFrom(t, res, "")

	next := c.get(res.Header.Get("Location"))
	if next.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", res.Header.Get("Location"), next.StatusCode)
	}
	if cc := next.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("page with a client token has Cache-Control %q, want no-store", cc)
	}

	confirm := c.get("/requests/" + token + "/received")
	if confirm.StatusCode != http.StatusOK {
		t.Fatalf("confirmation page = %d, want 200", confirm.StatusCode)
	}
	if body := textOf(parseHTML(t, confirm)); !strings.Contains(body, "Thank you, Sam Rivera") {
		t.Errorf("confirmation page does not thank the person: %q", body)
	}

	in, err := a.Intakes.ByToken(ctx, token)
	if err != nil {
		t.Fatalf("stored intake: %v", err)
	}
	want := intake.Intake{
		ID: in.ID, Kind: intake.Couple, Name: "Sam Rivera", Email: "sam@example.org", Pronouns: "they/them",
		Phone: "+1 (555) 010-2000", ContactPreference: "either", VoicemailOK: true,
		PartnerName: "Alex Rivera", PartnerEmail: "alex@example.org", PartnerPronouns: "he/him", PartnerAware: "yes",
		Concerns: []string{"substance_use", "relationship_conflict", "other"}, ConcernsOther: "Trust & honesty",
		Message:    "We want to rebuild trust <after> a relapse.\nAlex is \"six months\" sober.",
		Approaches: []string{"rlt", "sensorimotor"}, SessionFormat: "video", TimeZone: "America/Chicago",
		ReferralSource: "A friend's recommendation", Status: intake.StatusNew, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("stored intake\n got: %+v\nwant: %+v", in, want)
	}

	for _, path := range []string{"/requests/not-a-token/received", "/requests/not-a-token/support"} {
		if res := c.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
		}
	}
}

func TestFormSafetyYesShowsCrisisResourcesFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.12")
	answers := individualAnswers()
	answers.Set("safety", "yes")
	res := c.submit("/request/individual", answers)
	token := tokenFrom(t, res, "/support")

	page := c.get(res.Header.Get("Location"))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("support page = %d, want 200", page.StatusCode)
	}
	doc := parseHTML(t, page)
	main := byID(doc, "main")
	panels := findAll(main, func(n *html.Node) bool { return hasClass(n, "crisis-panel") })
	if len(panels) != 1 {
		t.Fatalf("support page has %d crisis panels, want 1", len(panels))
	}
	if txt := textOf(panels[0]); !strings.Contains(txt, "988") || !strings.Contains(txt, "911") {
		t.Errorf("crisis panel lacks 988 or 911: %q", txt)
	}
	cont := findAll(main, func(n *html.Node) bool { return n.DataAtom == atom.A && textOf(n) == "Continue" })
	if len(cont) != 1 {
		t.Fatalf("support page has %d Continue links, want 1", len(cont))
	}
	if href := attr(cont[0], "href"); href != "/requests/"+token {
		t.Errorf("Continue goes to %q, want /requests/%s", href, token)
	}
	order := documentOrder(doc)
	if order[panels[0]] > order[cont[0]] {
		t.Error("the Continue link comes before the crisis resources")
	}
	// Nothing but the heading comes before the resources in the main content.
	for n := range order {
		if n.Type == html.ElementNode && n.DataAtom == atom.P && isInside(n, main) && !isInside(n, panels[0]) && order[n] < order[panels[0]] {
			t.Errorf("text before the crisis resources: %q", textOf(n))
		}
	}

	in, err := a.Intakes.ByToken(ctx, token)
	if err != nil {
		t.Fatalf("stored intake: %v", err)
	}
	if !in.Urgent || !in.SafetyConcern {
		t.Errorf("intake Urgent=%v SafetyConcern=%v, want both", in.Urgent, in.SafetyConcern)
	}

	// Answering no is not urgent and goes straight on.
	answers.Set("safety", "no")
	res = c.submit("/request/individual", answers)
	token = tokenFrom(t, res, "")
	if in, err := a.Intakes.ByToken(ctx, token); err != nil || in.Urgent {
		t.Errorf("safety no: urgent=%v err=%v, want not urgent", in.Urgent, err)
	}
}

func TestFormCSRF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(c, other *client) url.Values
	}{
		{"no token", func(c, _ *client) url.Values {
			v := c.openForm("/request/individual")
			v.Del("_csrf")
			return v
		}},
		{"wrong token", func(c, _ *client) url.Values {
			v := c.openForm("/request/individual")
			v.Set("_csrf", "not-the-token")
			return v
		}},
		{"empty token", func(c, _ *client) url.Values {
			v := c.openForm("/request/individual")
			v.Set("_csrf", "")
			return v
		}},
		{"another visitor's token", func(c, other *client) url.Values {
			c.openForm("/request/individual")
			return other.openForm("/request/individual")
		}},
		{"token without its cookie", func(c, _ *client) url.Values {
			v := c.openForm("/request/individual")
			clear(c.cookies)
			return v
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t)
			c, other := newClient(t, a, "192.0.2.13"), newClient(t, a, "192.0.2.14")
			v := tt.prepare(c, other)
			for k, vals := range individualAnswers() {
				v[k] = vals
			}
			res := c.postForm("/request/individual", v)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("status = %d, want 403", res.StatusCode)
			}
			if body := textOf(parseHTML(t, res)); !strings.Contains(body, "reload the page") {
				t.Errorf("refusal does not say what to do: %q", body)
			}
			if list, _ := a.Intakes.List(context.Background(), intake.Filter{}); len(list) != 0 {
				t.Errorf("%d intakes stored without a valid CSRF token", len(list))
			}
		})
	}
}

func TestFormHoneypot(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.15")
	answers := individualAnswers()
	answers.Set("website", "https://spam.example")
	res := c.submit("/request/individual", answers)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/thanks" {
		t.Fatalf("honeypot: %d to %q, want 303 to /thanks", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.get("/thanks"); res.StatusCode != http.StatusOK {
		t.Errorf("GET /thanks = %d", res.StatusCode)
	}
	if list, _ := a.Intakes.List(context.Background(), intake.Filter{}); len(list) != 0 {
		t.Errorf("%d intakes stored from a bot", len(list))
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	t.Run("form", func(t *testing.T) {
		t.Parallel()
		a := newApp(t, rateLimit(3))
		c := newClient(t, a, "192.0.2.20")
		for i := range 3 {
			if res := c.submit("/request/individual", individualAnswers()); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("submission %d: status %d, want 303", i+1, res.StatusCode)
			}
		}
		res := c.submit("/request/individual", individualAnswers())
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("4th submission: status %d, want 429", res.StatusCode)
		}
		if ra := res.Header.Get("Retry-After"); ra != "1200" {
			t.Errorf("Retry-After = %q, want 1200 (seconds until the next submission is allowed)", ra)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type = %q, want an HTML page", ct)
		}
		body := textOf(parseHTML(t, res))
		for _, want := range []string{"Please wait a few minutes", "988"} {
			if !strings.Contains(body, want) {
				t.Errorf("429 page lacks %q: %q", want, body)
			}
		}
		if list, _ := a.Intakes.List(context.Background(), intake.Filter{}); len(list) != 3 {
			t.Errorf("%d intakes stored, want 3", len(list))
		}
		other := newClient(t, a, "198.51.100.7")
		if res := other.submit("/request/individual", individualAnswers()); res.StatusCode != http.StatusSeeOther {
			t.Errorf("another IP: status %d, want 303", res.StatusCode)
		}
		// A forwarded-for header does not make a new client.
		req := httptest.NewRequest(http.MethodGet, "/request/individual", nil)
		req.Header.Set("X-Forwarded-For", "203.0.113.99")
		c.do(req)
		forged := c.openForm("/request/individual")
		for k, v := range individualAnswers() {
			forged[k] = v
		}
		post := httptest.NewRequest(http.MethodPost, "/request/individual", strings.NewReader(forged.Encode()))
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		post.Header.Set("X-Forwarded-For", "203.0.113.99")
		post.Header.Set("X-Real-IP", "203.0.113.99")
		if res := c.do(post); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("forwarded-for header dodged the limit: status %d", res.StatusCode)
		}
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		a := newApp(t, rateLimit(3))
		c := newClient(t, a, "192.0.2.21")
		for i := range 3 {
			if res := c.postJSON("/api/v1/intakes", validJSON); res.StatusCode != http.StatusCreated {
				t.Fatalf("request %d: status %d, want 201", i+1, res.StatusCode)
			}
		}
		res := c.postJSON("/api/v1/intakes", validJSON)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("4th request: status %d, want 429", res.StatusCode)
		}
		if res.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After header")
		}
		if e := decodeError(t, res); e.Code != "rate_limited" {
			t.Errorf("code = %q, want rate_limited", e.Code)
		}
		other := newClient(t, a, "198.51.100.8")
		if res := other.postJSON("/api/v1/intakes", validJSON); res.StatusCode != http.StatusCreated {
			t.Errorf("another IP: status %d, want 201", res.StatusCode)
		}
	})
}

const validJSON = `{"kind":"couple","name":"Sam","email":"Sam@Example.org","phone":"555 010 2000","contact_preference":"phone",
"partner_name":"Alex","partner_email":"alex@example.org","concerns":["trauma"],"message":"Hello","safety_concern":false,"consent":true}`

// apiError is the one error shape of the JSON API; decoding rejects any
// other key.
type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

func decodeError(t *testing.T, res *http.Response) apiError {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var body struct {
		Error *apiError `json:"error"`
	}
	dec := json.NewDecoder(res.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("error body is not {\"error\":{code,message,fields}}: %v", err)
	}
	if body.Error == nil || body.Error.Code == "" || body.Error.Message == "" {
		t.Fatalf("error body lacks code or message: %+v", body.Error)
	}
	return *body.Error
}

func TestIntakeAPI(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	big := `{"kind":"individual","name":"` + strings.Repeat("x", 70<<10) + `"}`
	tests := []struct {
		name        string
		body        string
		contentType string
		chunked     bool
		status      int
		code        string
		fields      []string
	}{
		{name: "missing everything", body: `{}`, status: 422, code: "invalid_input", fields: []string{"consent", "email", "kind", "name"}},
		{name: "missing consent and bad email", body: `{"kind":"individual","name":"Jo","email":"jo@"}`, status: 422, code: "invalid_input", fields: []string{"consent", "email"}},
		{name: "couple without partner", body: `{"kind":"couple","name":"Jo","email":"jo@example.org","consent":true}`, status: 422, code: "invalid_input", fields: []string{"partner_name"}},
		{name: "consent as a string", body: `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":"yes"}`, status: 422, code: "invalid_input", fields: []string{"consent"}},
		{name: "concerns as a string", body: `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":true,"concerns":"trauma"}`, status: 422, code: "invalid_input", fields: []string{"concerns"}},
		{name: "name as a number", body: `{"kind":"individual","name":7,"email":"jo@example.org","consent":true}`, status: 422, code: "invalid_input", fields: []string{"name"}},
		{name: "malformed JSON", body: `{"kind":"individual","name":`, status: 400, code: "bad_json"},
		{name: "not an object", body: `["individual"]`, status: 400, code: "bad_json"},
		{name: "two objects", body: `{"kind":"individual"}{"kind":"couple"}`, status: 400, code: "bad_json"},
		{name: "unknown field", body: `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":true,"status":"accepted"}`, status: 400, code: "unknown_field", fields: []string{"status"}},
		{name: "empty body", body: ``, status: 400, code: "bad_json"},
		{name: "form body", body: `name=Jo`, contentType: "application/x-www-form-urlencoded", status: 400, code: "unsupported_media_type"},
		{name: "over 64 KiB", body: big, status: 413, code: "too_large"},
		{name: "over 64 KiB without a length", body: big, chunked: true, status: 413, code: "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, a, "192.0.2.30")
			req := httptest.NewRequest(http.MethodPost, "/api/v1/intakes", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.chunked {
				req.ContentLength = -1
				req.Body = io.NopCloser(bytes.NewReader([]byte(tt.body)))
			}
			res := c.do(req)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.status)
			}
			e := decodeError(t, res)
			if e.Code != tt.code {
				t.Errorf("code = %q, want %q", e.Code, tt.code)
			}
			var got []string
			for f, msg := range e.Fields {
				got = append(got, f)
				if msg == "" {
					t.Errorf("empty message for %s", f)
				}
			}
			slices.Sort(got)
			if fmt.Sprint(got) != fmt.Sprint(tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
	if list, _ := a.Intakes.List(context.Background(), intake.Filter{}); len(list) != 0 {
		t.Errorf("%d intakes stored from bad requests", len(list))
	}
}

func TestIntakeAPICreates(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.31")
	res := c.postJSON("/api/v1/intakes", validJSON)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d, want 201: %s", res.StatusCode, readBody(t, res))
	}
	var got struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	dec := json.NewDecoder(res.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got.ID == 0 || got.Token == "" {
		t.Fatalf("response %+v, want an id and a token", got)
	}
	in, err := a.Intakes.ByToken(context.Background(), got.Token)
	if err != nil {
		t.Fatalf("ByToken: %v", err)
	}
	if in.ID != got.ID || in.Email != "sam@example.org" || in.PartnerName != "Alex" || in.ContactPreference != "phone" || in.Urgent {
		t.Errorf("stored %+v", in)
	}

	res = c.postJSON("/api/v1/intakes", `{"kind":"individual","name":"Jo","email":"jo@example.org","consent":true,"safety_concern":true}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("safety concern: status %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if in, err := a.Intakes.Get(context.Background(), got.ID); err != nil || !in.Urgent {
		t.Errorf("safety concern via the API: urgent=%v err=%v", in.Urgent, err)
	}
}

func TestStaffIntakeAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := newApp(t)
	if _, err := a.Staff.Add(ctx, staff.NewAccount{Email: "desk@example.org", Name: "Front Desk", Role: staff.Frontdesk, Password: "a long enough password"}); err != nil {
		t.Fatalf("add account: %v", err)
	}
	token, err := a.Staff.CreateToken(ctx, "desk@example.org", "test")
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	ids := map[string]int64{}
	for _, s := range []struct {
		name   string
		urgent bool
	}{{"Oldest", false}, {"Urgent", true}, {"Newest", false}} {
		r, err := a.Intakes.Submit(ctx, intake.Input{Kind: "individual", Name: s.name, Email: strings.ToLower(s.name) + "@example.org", Consent: true, SafetyConcern: s.urgent})
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		ids[s.name] = r.ID
	}

	get := func(t *testing.T, path, auth string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return newClient(t, a, "192.0.2.40").do(req)
	}

	t.Run("refused without a valid token", func(t *testing.T) {
		for name, auth := range map[string]string{
			"no header":     "",
			"unknown token": "Bearer fs_nonsense",
			"token no fs_":  "Bearer " + strings.TrimPrefix(token, "fs_"),
			"basic auth":    "Basic ZGVzazpwdw==",
		} {
			res := get(t, "/api/v1/intakes", auth)
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, res.StatusCode)
				continue
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: WWW-Authenticate = %q", name, res.Header.Get("WWW-Authenticate"))
			}
			if e := decodeError(t, res); e.Code != "unauthorized" {
				t.Errorf("%s: code %q", name, e.Code)
			}
		}
	})

	t.Run("list, urgent first then newest", func(t *testing.T) {
		res := get(t, "/api/v1/intakes", "Bearer "+token)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
		var body struct {
			Intakes []struct {
				ID     int64  `json:"id"`
				Name   string `json:"name"`
				Urgent bool   `json:"urgent"`
			} `json:"intakes"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, in := range body.Intakes {
			names = append(names, in.Name)
		}
		if want := []string{"Urgent", "Newest", "Oldest"}; !slices.Equal(names, want) {
			t.Errorf("order %v, want %v", names, want)
		}
	})

	t.Run("one intake", func(t *testing.T) {
		res := get(t, fmt.Sprintf("/api/v1/intakes/%d", ids["Urgent"]), "Bearer "+token)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		var in struct {
			ID            int64    `json:"id"`
			Name          string   `json:"name"`
			Email         string   `json:"email"`
			Urgent        bool     `json:"urgent"`
			SafetyConcern bool     `json:"safety_concern"`
			Concerns      []string `json:"concerns"`
		}
		if err := json.NewDecoder(res.Body).Decode(&in); err != nil {
			t.Fatal(err)
		}
		if in.ID != ids["Urgent"] || in.Name != "Urgent" || in.Email != "urgent@example.org" || !in.Urgent || !in.SafetyConcern || in.Concerns == nil {
			t.Errorf("got %+v", in)
		}
	})

	t.Run("unknown intake", func(t *testing.T) {
		for _, path := range []string{"/api/v1/intakes/999999", "/api/v1/intakes/abc", "/api/v1/intakes/-1"} {
			res := get(t, path, "Bearer "+token)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
				continue
			}
			decodeError(t, res)
		}
	})
}

func TestHealthzNotFoundAndHeaders(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.50")

	res := c.get("/healthz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", res.StatusCode)
	}
	var health map[string]string
	if err := json.NewDecoder(res.Body).Decode(&health); err != nil || !reflect.DeepEqual(health, map[string]string{"status": "ok"}) {
		t.Errorf("/healthz body = %v (%v), want {\"status\":\"ok\"}", health, err)
	}

	for _, path := range []string{"/no-such-page", "/request/family", "/requests/nope/received", "/static/nope.css"} {
		res := c.get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") && path != "/static/nope.css" {
			t.Errorf("%s: Content-Type %q, want an HTML page", path, ct)
		}
		body := readBody(t, res)
		for _, leak := range []string{"goroutine", "panic", ".go:", "runtime.", "gorm", "sql"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: page shows %q", path, leak)
			}
		}
	}
	// Unknown paths under the API answer in JSON. Without a token the staff
	// guard answers first (401), so the API's shape is not given away.
	if res := c.get("/api/v1/no-such-thing"); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown API path = %d, want 404 or 401", res.StatusCode)
	} else {
		decodeError(t, res)
	}

	for _, path := range []string{"/", "/request/couple", "/healthz", "/no-such-page", "/api/v1/intakes", "/static/style.css"} {
		res := c.get(path)
		h := res.Header
		csp := parseCSP(h.Get("Content-Security-Policy"))
		script := csp["script-src"]
		if script == nil {
			script = csp["default-src"]
		}
		if len(script) == 0 || slices.Contains(script, "'unsafe-inline'") || slices.Contains(script, "'unsafe-eval'") || slices.Contains(script, "*") {
			t.Errorf("%s: script policy %q", path, h.Get("Content-Security-Policy"))
		}
		if fa := csp["frame-ancestors"]; len(fa) == 0 {
			t.Errorf("%s: no frame-ancestors in CSP", path)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, got)
		}
		if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" {
			t.Errorf("%s: Referrer-Policy = %q", path, got)
		}
	}
}

func parseCSP(s string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(s, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[strings.ToLower(f[0])] = f[1:]
		}
	}
	return out
}

// ---- HTML as a person sees it ----

func parseHTML(t *testing.T, res *http.Response) *html.Node {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type = %q, want text/html", ct)
	}
	doc, err := html.Parse(res.Body)
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	if root == nil {
		return nil
	}
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func byID(root *html.Node, id string) *html.Node {
	if found := findAll(root, func(n *html.Node) bool { return attr(n, "id") == id }); len(found) > 0 {
		return found[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// textOf is the text of n with white space collapsed, as a reader sees it.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func isInside(n, ancestor *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == ancestor {
			return true
		}
	}
	return false
}

func documentOrder(doc *html.Node) map[*html.Node]int {
	order := map[*html.Node]int{}
	i := 0
	for n := range doc.Descendants() {
		order[n] = i
		i++
	}
	return order
}

// mainForm is the page's one POST form.
func mainForm(t *testing.T, doc *html.Node) *html.Node {
	t.Helper()
	forms := findAll(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Form && strings.EqualFold(attr(n, "method"), "post") && !hasClass(n, "inline")
	})
	if len(forms) != 1 {
		t.Fatalf("page has %d forms, want 1", len(forms))
	}
	return forms[0]
}

// formValues is what a browser would send for form as it stands: text
// fields and text areas with their contents, checked boxes and radios, the
// selected option of each list.
func formValues(form *html.Node) url.Values {
	v := url.Values{}
	for _, n := range findAll(form, func(n *html.Node) bool { return attr(n, "name") != "" }) {
		name := attr(n, "name")
		switch n.DataAtom {
		case atom.Input:
			switch strings.ToLower(attr(n, "type")) {
			case "checkbox", "radio":
				if hasAttr(n, "checked") {
					v.Add(name, attr(n, "value"))
				}
			case "submit", "button", "reset", "image", "file":
			default:
				v.Add(name, attr(n, "value"))
			}
		case atom.Textarea:
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				b.WriteString(c.Data)
			}
			v.Add(name, b.String())
		case atom.Select:
			opts := findAll(n, func(o *html.Node) bool { return o.DataAtom == atom.Option })
			chosen := ""
			if len(opts) > 0 {
				chosen = attr(opts[0], "value")
			}
			for _, o := range opts {
				if hasAttr(o, "selected") {
					chosen = attr(o, "value")
				}
			}
			v.Add(name, chosen)
		}
	}
	return v
}

// normalizeValues sorts each list and drops empty answers, so that two
// forms compare by what they say rather than by field order.
func normalizeValues(v url.Values) map[string][]string {
	out := map[string][]string{}
	for k, vals := range v {
		var kept []string
		for _, s := range vals {
			if s != "" {
				kept = append(kept, s)
			}
		}
		if len(kept) > 0 {
			slices.Sort(kept)
			out[k] = kept
		}
	}
	return out
}
