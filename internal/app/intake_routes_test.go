package app_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// Every intake path is written out in the one route table, and each is
// served by a handler of internal/web (client pages, staff pages, API):
// internal/intake serves no HTTP.
func TestIntakeRoutesAreInTheRouteTable(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	table, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	const (
		pub = "internal/web/public.(*IntakePages)."
		ui  = "internal/web/staffui.(*IntakePages)."
		api = "internal/web/api.(*IntakeHandlers)."
	)
	want := map[string]string{
		"GET /":                          pub + "Landing",
		"GET /crisis":                    pub + "Crisis",
		"GET /privacy":                   pub + "Privacy",
		"GET /thanks":                    pub + "Thanks",
		"GET /request/:kind":             pub + "Form",
		"POST /request/:kind":            pub + "Submit",
		"GET /requests/:token/support":   pub + "Support",
		"GET /requests/:token/received":  pub + "Confirmation",
		"GET /partner/:token":            pub + "PartnerForm",
		"POST /partner/:token":           pub + "PartnerSubmit",
		"GET /partner/:token/support":    pub + "PartnerSupport",
		"GET /partner/:token/thanks":     pub + "PartnerThanks",
		"POST /api/v1/intakes":           api + "Create",
		"GET /api/v1/intakes":            api + "List",
		"GET /api/v1/intakes/:id":        api + "Get",
		"GET /staff":                     ui + "Queue",
		"GET /staff/intakes/:id":         ui + "Show",
		"POST /staff/intakes/:id/notes":  ui + "AddNote",
		"POST /staff/intakes/:id/assign": ui + "Assign",
		"POST /staff/intakes/:id/status": ui + "SetStatus",
	}
	served := map[string]string{}
	for _, r := range a.Echo.Routes() {
		served[r.Method+" "+r.Path] = r.Name
		if strings.Contains(r.Name, "/internal/intake.") {
			t.Errorf("%s %s is served by %s", r.Method, r.Path, r.Name)
		}
	}
	for route, handler := range want {
		if name := served[route]; !strings.Contains(name, handler) {
			t.Errorf("%s is served by %q, want %s", route, name, handler)
		}
		// Group routes are written relative to their group.
		path := strings.SplitN(route, " ", 2)[1]
		for _, group := range []string{"/api/v1", "/staff"} {
			path = strings.TrimPrefix(path, group)
		}
		if path != "" && !strings.Contains(string(table), strconv.Quote(path)) {
			t.Errorf("%s is not written out in routes.go", route)
		}
	}
}
