package app_test

import (
	"net/http"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The landing page's two choices are links to assistive technology too: no
// role overrides the link, and the list is a real list of items.
func TestLandingChoicesAreLinks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := newClient(t, a, "192.0.2.70")
	doc := parseHTML(t, c.get("/"))
	for _, href := range []string{"/request/individual", "/request/couple"} {
		links := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "href") == href })
		if len(links) != 1 {
			t.Fatalf("%d links to %s, want 1", len(links), href)
		}
		l := links[0]
		if role := attr(l, "role"); role != "" && role != "link" {
			t.Errorf("the link to %s has role=%q: screen readers do not announce it as a link", href, role)
		}
		if p := l.Parent; p == nil || p.DataAtom != atom.Li || p.Parent == nil || p.Parent.DataAtom != atom.Ul {
			t.Errorf("the link to %s is not an item of a list (ul > li > a)", href)
		}
	}
	if bad := findAll(doc, func(n *html.Node) bool { return attr(n, "role") == "listitem" && n.DataAtom != atom.Li }); len(bad) > 0 {
		t.Errorf("%d elements play a list item's role without being one", len(bad))
	}
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("/ = %d", res.StatusCode)
	}
}

