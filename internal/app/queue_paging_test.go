package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

type intakePage struct {
	Intakes []struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Urgent bool   `json:"urgent"`
	} `json:"intakes"`
	NextCursor string `json:"next_cursor"`
}

func (fx *staffFixture) intakePage(role, query string) intakePage {
	fx.t.Helper()
	res := fx.request(role, "GET", "/api/v1/intakes"+query, "")
	if res.StatusCode != http.StatusOK {
		fx.t.Fatalf("GET /api/v1/intakes%s = %d", query, res.StatusCode)
	}
	var p intakePage
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		fx.t.Fatal(err)
	}
	return p
}

// walk pages through the intake list from query and returns the ids in
// order, calling between after each page.
func (fx *staffFixture) walk(role, query string, between func(page int)) []int64 {
	fx.t.Helper()
	var ids []int64
	cursor := ""
	for page := 0; page < 100; page++ {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := fx.intakePage(role, q)
		for _, in := range p.Intakes {
			ids = append(ids, in.ID)
		}
		if p.NextCursor == "" {
			return ids
		}
		cursor = p.NextCursor
		if between != nil {
			between(page)
		}
	}
	fx.t.Fatal("the list never ends")
	return nil
}

// The queue holds every request: more than the largest page, paged with a
// cursor that neither repeats nor skips a request when new ones arrive
// between pages, urgent first and then newest.
func TestIntakeListPagesThroughEveryRequest(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	var urgent, plain []int64 // each newest first
	for i := 0; i < 230; i++ {
		id := fx.submit(fmt.Sprintf("Person %03d", i), "", 0)
		if i%50 == 7 {
			fx.a.DB.Exec("UPDATE intakes SET urgent = TRUE WHERE id = ?", id)
			urgent = append([]int64{id}, urgent...)
		} else {
			plain = append([]int64{id}, plain...)
		}
		if i%3 == 0 { // several requests share a time: the id breaks the tie
			fx.clock.Advance(time.Second)
		}
	}
	want := append(slices.Clone(urgent), plain...)

	first := fx.intakePage(asFrontdesk, "?status=all")
	if len(first.Intakes) != 50 || first.NextCursor == "" {
		t.Fatalf("first page: %d requests, next %q; want 50 and a cursor", len(first.Intakes), first.NextCursor)
	}
	if got := fx.walk(asFrontdesk, "?status=all&limit=200", nil); !slices.Equal(got, want) {
		t.Errorf("pages of 200 list %d requests, want all %d in order", len(got), len(want))
	}

	// New requests (one urgent) arrive between pages: the walk goes on where
	// it was, without repeats or gaps.
	var added []int64
	got := fx.walk(asFrontdesk, "?status=all&limit=37", func(page int) {
		fx.clock.Advance(time.Minute)
		id := fx.submit(fmt.Sprintf("Late %d", page), "", 0)
		if page == 1 {
			fx.a.DB.Exec("UPDATE intakes SET urgent = TRUE WHERE id = ?", id)
		}
		added = append(added, id)
	})
	if !slices.Equal(got, want) {
		t.Errorf("with arrivals between pages: %d requests listed, want the %d there were at the start, in order", len(got), len(want))
	}
	for _, id := range added {
		if slices.Contains(got, id) {
			t.Errorf("request %d, newer than the first page, was listed on a later one", id)
		}
	}
}

func TestIntakeListRefusesBadPaging(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	fx.submit("Only One", "", 0)
	for _, q := range []string{"?limit=201", "?limit=0", "?limit=-5", "?limit=ten", "?cursor=bm9wZQ", "?cursor=!!!", "?cursor=" + strings.Repeat("A", 300),
		"?q=" + strings.Repeat("x", 101)} {
		res := fx.request(asFrontdesk, "GET", "/api/v1/intakes"+q, "")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s = %d, want 422", q, res.StatusCode)
			continue
		}
		e := decodeError(t, res)
		field := strings.SplitN(strings.TrimPrefix(q, "?"), "=", 2)[0]
		if e.Code != "invalid_input" || e.Fields[field] == "" {
			t.Errorf("%s: %+v, want a message for %s", q, e, field)
		}
	}
	// The queue page explains the same mistakes and shows the first page.
	doc := parseHTML(t, fx.request(asFrontdesk, "GET", "/staff?cursor=nonsense&limit=500", ""))
	if textOf(byID(doc, "e-cursor")) == "" || textOf(byID(doc, "e-limit")) == "" {
		t.Error("the queue does not explain a bad cursor or page size")
	}
}

// Search finds requests by name or email, either partner's, ignoring
// case; what is typed is text, never a pattern. A clinician still finds
// only their own requests.
func TestIntakeSearch(t *testing.T) {
	t.Parallel()
	fx := newStaffFixture(t)
	mine := fx.submit("Morgan Lee", "", fx.clinA)
	theirs := fx.submit("Morgan Quinn", "", fx.clinB)
	other := fx.submit("Sasha 100% Kim", "", 0)
	fx.a.DB.Exec("UPDATE intakes SET email = 'MORGAN.Q@Example.org' WHERE id = ?", theirs)
	fx.a.DB.Exec("UPDATE intakes SET kind = 'couple', partner_name = 'Robin Hart', partner_email = 'robin@example.net' WHERE id = ?", other)

	ids := func(role, q string) []int64 {
		t.Helper()
		var out []int64
		for _, in := range fx.intakePage(role, "?q="+url.QueryEscape(q)).Intakes {
			out = append(out, in.ID)
		}
		slices.Sort(out)
		return out
	}
	cases := []struct {
		role, q string
		want    []int64
	}{
		{asFrontdesk, "morgan", []int64{mine, theirs}},
		{asFrontdesk, "LEE", []int64{mine}},
		{asFrontdesk, "morgan.q@example", []int64{theirs}},
		{asFrontdesk, "robin", []int64{other}},
		{asFrontdesk, "example.net", []int64{other}},
		{asFrontdesk, "100%", []int64{other}},
		{asFrontdesk, "%", []int64{other}},
		{asFrontdesk, "_", nil},
		{asFrontdesk, "nobody", nil},
		{asClinician, "morgan", []int64{mine}},
		{asOtherClinician, "morgan", []int64{theirs}},
	}
	for _, c := range cases {
		if got := ids(c.role, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s searching %q: %v, want %v", c.role, c.q, got, c.want)
		}
	}

	// The queue page searches too, keeps what was typed, and pages.
	res := fx.request(asFrontdesk, "GET", "/staff?q=MORGAN&limit=1", "")
	doc := parseHTML(t, res)
	if v := attr(byID(doc, "f-q"), "value"); v != "MORGAN" {
		t.Errorf("search box holds %q", v)
	}
	var next string
	for _, a := range findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "rel") == "next" }) {
		next = attr(a, "href")
	}
	if next == "" || !strings.Contains(next, "q=MORGAN") || !strings.Contains(next, "cursor=") {
		t.Fatalf("next page link %q", next)
	}
	first := fx.queueRow(asFrontdesk, "/staff?q=MORGAN&limit=1", theirs)
	second := fx.queueRow(asFrontdesk, next, mine)
	if first == "" || second == "" {
		t.Errorf("pages of the search: %q then %q", first, second)
	}
}
