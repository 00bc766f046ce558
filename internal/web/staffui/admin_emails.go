package staffui

import (
	"net/http"
	"strings"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// AdminEmailRow is one failed email. Its body is never loaded.
type AdminEmailRow struct {
	ID         int64
	Recipients string
	About      string // what the email is ("Invitation to the client"), or its subject
	Attempts   int
	Problem    string // what went wrong, in words
	LastError  string // the mail server's reply, as it sent it
	Created    string
}

// AdminEmailsView lists the emails the mail server refused for good.
type AdminEmailsView struct {
	web.Layout
	Saved        bool
	ErrorMessage string
	Rows         []AdminEmailRow
}

func (h *AdminPages) FailedEmails(c echo.Context) error {
	return h.renderEmails(c, http.StatusOK, &AdminEmailsView{Saved: c.QueryParam("saved") == "retry"})
}

func (h *AdminPages) renderEmails(c echo.Context, status int, v *AdminEmailsView) error {
	ctx := c.Request().Context()
	list, err := h.svc.FailedEmails(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	for _, m := range list {
		about := booking.EmailWords(m.Purpose)
		if about == "" {
			about = m.Subject
		}
		v.Rows = append(v.Rows, AdminEmailRow{ID: m.ID, Recipients: strings.Join(m.Recipients, ", "), About: about,
			Attempts: m.Attempts, Problem: outbox.ProblemWords(m.LastError), LastError: m.LastError, Created: adminWhen(m.CreatedAt, loc)})
	}
	v.Title = "Failed emails"
	return h.r.Render(c, status, "staff_admin_emails", v)
}

func (h *AdminPages) RetryEmail(c echo.Context) error {
	by, id, err := adminActorAndID(c)
	if err != nil {
		return err
	}
	err = h.svc.RetryEmail(c.Request().Context(), by, id)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, adminSavedPath("/staff/admin/emails", "retry"))
	}
	status, _, message, ok := adminFormProblem(err)
	if !ok {
		return err
	}
	return h.renderEmails(c, status, &AdminEmailsView{ErrorMessage: message})
}
