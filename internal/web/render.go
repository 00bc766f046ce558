package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Layout is what every page shares: the title, the CSRF token for its forms,
// the practice's name and crisis text shown on every public page, and the
// signed-in account on staff pages. Page views embed it.
type Layout struct {
	Title        string
	CSRF         string
	PracticeName string
	CrisisText   string
	Staff        *StaffNav
	// Crisis are the practice's crisis resources; Couple marks a page of
	// the couple journey, where the couple ones show too.
	Crisis []CrisisLine
	Couple bool
}

// StaffNav is the signed-in account shown in the staff header.
type StaffNav struct {
	Email string
	Role  string
	Can   map[string]bool
}

func (l *Layout) base() *Layout { return l }

// View is any page view: a struct that embeds Layout, passed by pointer.
type View interface{ base() *Layout }

// Site supplies the practice's details for the layout.
type Site func(ctx context.Context) (name, crisisText string)

// StaffOf supplies the signed-in account for the layout, or nil.
type StaffOf func(c echo.Context) *StaffNav

// Renderer holds every page template, parsed once at start-up.
type Renderer struct {
	pages   map[string]*template.Template
	site    Site
	staffOf StaffOf
	// Crisis, when set, supplies the crisis resources of every page.
	Crisis CrisisLines

	mu     sync.Mutex
	shared map[string]sharedPage // by page name: its last rendering for everyone
}

// sharedPage is a page rendered once for every visitor of the public site,
// with what it was rendered from.
type sharedPage struct {
	title, practiceName, crisisText string
	crisis                          []CrisisLine
	body                            []byte
}

// NewRenderer parses base.html with the partials under partials/ and then
// each file under pages/ on its own copy, keyed by file name without ".html".
func NewRenderer(files fs.FS, site Site, staffOf StaffOf) (*Renderer, error) {
	base, err := template.New("base.html").Funcs(Funcs).ParseFS(files, "base.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse base template: %w", err)
	}
	names, err := fs.Glob(files, "pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}, site: site, staffOf: staffOf}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		r.pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return r, nil
}

// Render writes page name with view and status. It renders into a buffer
// first so that a template error becomes an error page, not half a page.
func (r *Renderer) Render(c echo.Context, status int, name string, view View) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	l := view.base()
	if tok, ok := c.Get(csrfKey).(string); ok {
		l.CSRF = tok
	}
	if r.site != nil {
		l.PracticeName, l.CrisisText = r.site(c.Request().Context())
	}
	if r.Crisis != nil {
		l.Crisis = r.Crisis(c.Request().Context())
	}
	if r.staffOf != nil && l.Staff == nil {
		l.Staff = r.staffOf(c)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base.html", view); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// RenderShared writes page name as Render does, for a page that is the same
// for every visitor: its view holds nothing but the layout, and it has no
// form (no CSRF token is put in it). The page is rendered once and served
// from memory until the title or the practice's name, crisis text or crisis
// resources change; a signed-in staff member, whose header differs, gets
// Render.
func (r *Renderer) RenderShared(c echo.Context, status int, name string, view *Layout) error {
	if r.site != nil {
		view.PracticeName, view.CrisisText = r.site(c.Request().Context())
	}
	if r.Crisis != nil {
		view.Crisis = r.Crisis(c.Request().Context())
	}
	if r.staffOf != nil && view.Staff == nil {
		view.Staff = r.staffOf(c)
	}
	if view.Staff != nil {
		return r.Render(c, status, name, view)
	}
	r.mu.Lock()
	p, ok := r.shared[name]
	r.mu.Unlock()
	if ok && p.title == view.Title && p.practiceName == view.PracticeName && p.crisisText == view.CrisisText &&
		slices.Equal(p.crisis, view.Crisis) {
		return c.HTMLBlob(status, p.body)
	}
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	view.CSRF = ""
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base.html", view); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	p = sharedPage{title: view.Title, practiceName: view.PracticeName, crisisText: view.CrisisText,
		crisis: slices.Clone(view.Crisis), body: buf.Bytes()}
	r.mu.Lock()
	if r.shared == nil {
		r.shared = map[string]sharedPage{}
	}
	r.shared[name] = p
	r.mu.Unlock()
	return c.HTMLBlob(status, p.body)
}

// Funcs are the helpers templates may call.
var Funcs = template.FuncMap{
	// has reports whether list contains v (checkbox groups).
	"has": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	// lines splits text into lines for display without raw HTML.
	"lines": func(s string) []string { return strings.Split(s, "\n") },
}
