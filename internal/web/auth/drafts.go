package auth

import (
	"net/http"

	"github.com/firststep/firststep/internal/staff"
	"github.com/labstack/echo/v4"
)

// The session guard's part in keeping a form's text across an ended
// session (staff.Sessions keeps and hands back the drafts themselves).

const draftKey = "staff.draft"

// DraftForm is a form whose text survives an ended session.
type DraftForm struct {
	Route string // the form's POST route as registered: "/staff/intakes/:id/notes"
	Field string // the form field kept: "body"
	// Back returns the page the form is on ("/staff/intakes/3"), where the
	// text is restored; "" keeps nothing.
	Back func(c echo.Context) string
}

// DraftOf returns the text of field restored for this page, or "".
func DraftOf(c echo.Context, field string) string {
	if d, ok := c.Get(draftKey).(staff.Draft); ok && d.Field == field {
		return d.Body
	}
	return ""
}

// keepDraft is the guard's part for a request without a live session: when
// it sends a form of forms, the text is kept and the person is sent to sign
// in and then back to the form's page. ok is false when the request is not
// such a form (or nothing could be kept).
func keepDraft(c echo.Context, s *staff.Sessions, forms []DraftForm) (next string, ok bool, err error) {
	if c.Request().Method != http.MethodPost {
		return "", false, nil
	}
	for _, f := range forms {
		if f.Route != c.Path() {
			continue
		}
		back := LocalPath(f.Back(c))
		if back == "" {
			return "", false, nil
		}
		token, err := s.KeepDraft(c.Request().Context(), SessionToken(c), back, f.Field, c.FormValue(f.Field))
		if err != nil || token == "" {
			return "", false, err
		}
		c.SetCookie(s.DraftCookieFor(token))
		return back, true, nil
	}
	return "", false, nil
}

// restoreDraft is the guard's part for a signed-in request that brings a
// draft token: a GET of the page the draft was kept for gets its text
// (DraftOf), once.
func restoreDraft(c echo.Context, s *staff.Sessions, acc staff.Account) error {
	ck, err := c.Cookie(staff.DraftCookie)
	if err != nil || ck.Value == "" || c.Request().Method != http.MethodGet {
		return nil
	}
	d, found, done, err := s.TakeDraft(c.Request().Context(), acc.ID, ck.Value, c.Request().URL.Path)
	if err != nil {
		return err
	}
	if done {
		c.SetCookie(s.DraftCookieFor(""))
	}
	if found {
		c.Set(draftKey, d)
	}
	return nil
}

// HasDraft reports whether the request carries a kept draft's token.
func HasDraft(c echo.Context) bool {
	ck, err := c.Cookie(staff.DraftCookie)
	return err == nil && ck.Value != ""
}
