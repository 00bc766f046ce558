package admin

import (
	"net/http"
	"strings"

	"github.com/firststep/firststep/internal/booking"
	"github.com/firststep/firststep/internal/outbox"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// EmailRow is one failed email. Its body is never loaded.
type EmailRow struct {
	ID         int64
	Recipients string
	About      string // what the email is ("Invitation to the client"), or its subject
	Attempts   int
	Problem    string // what went wrong, in words
	LastError  string // the mail server's reply, as it sent it
	Created    string
}

// EmailsView lists the emails the mail server refused for good.
type EmailsView struct {
	web.Layout
	Saved        bool
	ErrorMessage string
	Rows         []EmailRow
}

func (h *Handlers) failedEmails(c echo.Context) error {
	return h.renderEmails(c, http.StatusOK, &EmailsView{Saved: c.QueryParam("saved") == "retry"})
}

func (h *Handlers) renderEmails(c echo.Context, status int, v *EmailsView) error {
	ctx := c.Request().Context()
	list, err := h.emails.Failed(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	for _, m := range list {
		about := booking.EmailWords(m.Purpose)
		if about == "" {
			about = m.Subject
		}
		v.Rows = append(v.Rows, EmailRow{ID: m.ID, Recipients: strings.Join(m.Recipients, ", "), About: about,
			Attempts: m.Attempts, Problem: outbox.ProblemWords(m.LastError), LastError: m.LastError, Created: when(m.CreatedAt, loc)})
	}
	v.Title = "Failed emails"
	return h.r.Render(c, status, "staff_admin_emails", v)
}

func (h *Handlers) retryEmail(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	err = h.svc.RetryEmail(c.Request().Context(), by, id)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, savedPath("/staff/admin/emails", "retry"))
	}
	status, _, message, ok := formProblem(err)
	if !ok {
		return err
	}
	return h.renderEmails(c, status, &EmailsView{ErrorMessage: message})
}
