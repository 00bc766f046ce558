package staffui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/web/auth"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/intake"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// IntakePractice supplies the practice's time zone, in which staff read
// dates and times.
type IntakePractice interface {
	Get(ctx context.Context) (practice.Settings, error)
}

// IntakeClinician is a clinician as the assignment list and the queue's
// filter show them.
type IntakeClinician struct {
	ID     int64
	Name   string
	Active bool
}

// IntakeClinicians lists the practice's clinicians by name, inactive ones
// too (a request may still be assigned to one).
type IntakeClinicians interface {
	Clinicians(ctx context.Context) ([]IntakeClinician, error)
}

// IntakePages serve the intake queue and the intake pages of the staff
// area: reading a request, notes, assignment and status.
type IntakePages struct {
	svc        *intake.Service
	r          *web.Renderer
	practice   IntakePractice
	clinicians IntakeClinicians
	// bookings lists each intake's consultations and their emails on the
	// intake page.
	bookings IntakeBookings
	now      func() time.Time
}

// NewIntakePages returns the staff intake pages. now is the clock that
// tells upcoming consultations from past ones.
func NewIntakePages(svc *intake.Service, r *web.Renderer, p IntakePractice, clinicians IntakeClinicians,
	bookings IntakeBookings, now func() time.Time) *IntakePages {
	return &IntakePages{svc: svc, r: r, practice: p, clinicians: clinicians, bookings: bookings, now: now}
}

func intakeIDParam(c echo.Context) (int64, error) { return web.IDParam(c, intake.ErrNotFound) }

// zone is the practice's time zone (UTC if it cannot be read).
func (h *IntakePages) zone(ctx context.Context) *time.Location {
	st, _ := h.practice.Get(ctx) // on error: the zero settings, read in UTC
	return st.Location()
}

// IntakeQueueQuery is the queue's filter as it appears in the URL, kept as
// typed so the filter form shows it back, with the links that keep it.
type IntakeQueueQuery struct{ intake.QueueQuery }

func intakeQueueQueryOf(q url.Values) IntakeQueueQuery {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return IntakeQueueQuery{intake.QueueQuery{Status: get("status"), Kind: get("kind"), Clinician: get("clinician"), From: get("from"), To: get("to"),
		Q: get("q"), Limit: get("limit"), Cursor: get("cursor")}}
}

// Link is the queue's address with qq's filter and status instead of qq's,
// on its first page.
func (qq IntakeQueueQuery) Link(status string) string {
	return qq.link(status, "")
}

// PageLink is the queue's address of the page that starts at cursor.
func (qq IntakeQueueQuery) PageLink(cursor string) string {
	return qq.link(qq.Status, cursor)
}

func (qq IntakeQueueQuery) link(status, cursor string) string {
	v := url.Values{}
	for k, s := range map[string]string{"status": status, "kind": qq.Kind, "clinician": qq.Clinician, "from": qq.From, "to": qq.To,
		"q": qq.Q, "limit": qq.Limit, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return "/staff"
	}
	return "/staff?" + v.Encode()
}

// WithoutSearch is the queue's address with qq's filter but no search.
func (qq IntakeQueueQuery) WithoutSearch() string {
	qq.Q = ""
	return qq.link(qq.Status, "")
}

// Filtered reports whether the filter form has anything set beyond the
// status, which the links above it choose, and the search, which has its
// own box.
func (qq IntakeQueueQuery) Filtered() bool {
	return qq.Kind != "" || qq.Clinician != "" || qq.From != "" || qq.To != "" || qq.Limit != ""
}

// IntakeQueueView is the intake queue.
type IntakeQueueView struct {
	web.Layout
	Q              IntakeQueueQuery
	Errors         map[string]string
	Rows           []IntakeQueueRow
	Counts         []IntakeStatusCount
	Total          int    // requests on this page
	Matching       int    // requests that match the filter, on every page
	Next           string // link to the next page, when there is one
	First          string // link back to the first page, when paging
	Statuses       []intake.Option
	Kinds          []intake.Option
	Clinicians     []IntakeClinician
	ShowClinicians bool // the clinician filter (for those who see every intake)
	Scope          string
}

// IntakeQueueRow is one intake in the queue.
type IntakeQueueRow struct {
	ID          int64
	Urgent      bool // flagged urgent and still open
	Name        string
	PartnerName string
	Kind        string
	Status      string
	Clinician   string
	Received    string
	Contact     string
	Cancelled   string // "Cancelled by the client Dec 3" while the request's consultation is cancelled
}

// IntakeStatusCount is one status with how many intakes have it, as a link that
// filters the queue by it.
type IntakeStatusCount struct {
	Label   string
	N       int
	Href    string
	Current bool
}

var intakeKinds = []intake.Option{{Value: string(intake.Individual), Label: "Individual"}, {Value: string(intake.Couple), Label: "Couple"}}

// Queue is the intake queue: open requests, urgent first, filtered, searched and paged.
func (h *IntakePages) Queue(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	loc := h.zone(ctx)
	v := &IntakeQueueView{Q: intakeQueueQueryOf(c.QueryParams()), Statuses: intake.Statuses, Kinds: intakeKinds,
		ShowClinicians: by.Account.Can(staff.ViewAllIntakes)}
	v.Title = "Intake queue"
	var f intake.StaffFilter
	f, v.Errors = intake.ParseQueueQuery(v.Q.QueueQuery, loc)
	if !v.ShowClinicians {
		v.Scope = "Requests assigned to you or booked with you."
	}
	page, err := h.svc.Queue(ctx, by.Account, f)
	if err != nil {
		return err
	}
	counts := page.Counts
	if v.Clinicians, err = h.clinicians.Clinicians(ctx); err != nil {
		return err
	}
	names := intakeClinicianNames(v.Clinicians)
	open := IntakeStatusCount{Label: "Open", Href: v.Q.Link(""), Current: f.OpenOnly && f.Status == ""}
	all := IntakeStatusCount{Label: "All", Href: v.Q.Link(intake.StatusFilterAll), Current: !f.OpenOnly && f.Status == ""}
	for _, s := range intake.Statuses {
		n := counts[intake.Status(s.Value)]
		all.N += n
		if intake.Status(s.Value).Open() {
			open.N += n
		}
		v.Counts = append(v.Counts, IntakeStatusCount{Label: s.Label, N: n, Href: v.Q.Link(s.Value), Current: string(f.Status) == s.Value})
	}
	v.Counts = append([]IntakeStatusCount{open, all}, v.Counts...)
	for _, sc := range v.Counts {
		if sc.Current {
			v.Matching = sc.N
		}
	}
	v.Total = len(page.Intakes)
	if page.Next != "" {
		v.Next = v.Q.PageLink(page.Next)
	}
	if f.After != nil {
		v.First = v.Q.PageLink("")
	}
	for _, in := range page.Intakes {
		v.Rows = append(v.Rows, IntakeQueueRow{ID: in.ID, Urgent: in.UrgentNow(), Name: in.Name, PartnerName: in.PartnerName,
			Kind: intake.Label(intakeKinds, string(in.Kind)), Status: intake.Label(intake.Statuses, string(in.Status)),
			Clinician: intakeClinicianName(names, in.AssignedClinicianID), Received: in.CreatedAt.In(loc).Format("Jan 2, 2006 3:04 PM"),
			Contact: intakeContactSummary(in.ContactPreference), Cancelled: intakeCancelledShort(in.ConsultCancelled, loc)})
	}
	return h.r.Render(c, http.StatusOK, "staff_queue", v)
}

// intakeCancelledShort is the queue's badge of a cancelled consultation.
func intakeCancelledShort(c *intake.Cancellation, loc *time.Location) string {
	if c == nil {
		return ""
	}
	return c.Label() + " " + c.At.In(loc).Format("Jan 2")
}

func intakeClinicianNames(list []IntakeClinician) map[int64]string {
	m := make(map[int64]string, len(list))
	for _, c := range list {
		m[c.ID] = c.Name
	}
	return m
}

func intakeClinicianName(names map[int64]string, id *int64) string {
	if id == nil {
		return ""
	}
	if n, ok := names[*id]; ok {
		return n
	}
	return fmt.Sprintf("Clinician %d", *id)
}

// intakeContactSummary is the short form of a contact preference for the queue.
func intakeContactSummary(pref string) string {
	switch pref {
	case "email":
		return "Email only"
	case "phone":
		return "Phone"
	case "either":
		return "Email or phone"
	}
	return pref
}

// intakeContactLine is how staff are told to reach a person, shown prominently:
// a request for email only is a request not to be called.
func intakeContactLine(pref string) string {
	switch pref {
	case "email":
		return "Email only — do not call"
	case "phone":
		return "Phone preferred"
	case "either":
		return "Email or phone"
	}
	return pref
}

// intakeVoicemailLine says whether a voicemail may be left.
func intakeVoicemailLine(ok bool) string {
	if ok {
		return "Voicemail OK"
	}
	return "Do not leave a voicemail"
}

// IntakeView is the staff page of one intake.
type IntakeView struct {
	web.Layout
	ID              int64
	Urgent          bool
	SafetyConcern   bool // the first partner's (or the person's) own answer
	Couple          bool
	Kind            string
	Status          string
	StatusLabel     string
	Received        string
	Updated         string
	Name            string
	Pronouns        string
	Email           string
	Phone           string
	Contact         string
	Voicemail       string
	PartnerName     string
	PartnerEmail    string
	PartnerPronouns string
	PartnerAware    string
	// PartnerWaiting: the partner does not know yet and is not contacted;
	// CanAllowPartner offers the button (after talking to the client).
	// PartnerAllowed says when and by whom contact was allowed.
	PartnerWaiting  bool
	CanAllowPartner bool
	PartnerAllowed  string
	Concerns        []string
	ConcernsOther   string
	Message         string
	Approaches      []string
	SessionFormat   string
	ReferralSource  string
	TimeZone        string
	// Cancelled says who cancelled the request's consultation ("Cancelled
	// by the client") and CancelledWhen when, while none is booked again.
	Cancelled     string
	CancelledWhen string
	AssignedID    int64
	AssignedName  string
	Notes         []IntakeNoteView
	Clinicians    []IntakeClinician
	NextStatuses  []intake.Option
	CanNote       bool
	CanAssign     bool
	CanStatus     bool
	Errors        map[string]string
	NoteBody      string
	NoteRestored  bool // NoteBody is a note sent after the session ended, not saved yet
	Saved         string
	ErrorMessage  string
	// The consultations of the intake; CanBook offers to book one on the
	// client's behalf.
	Bookings []IntakeBookingView
	CanBook  bool
	// RequestEmails are the emails about the request itself (its receipt).
	RequestEmails []IntakeEmailView
	// Partner is what the partner wrote through their own link, nil when
	// they have not (yet).
	Partner *IntakePartnerView
}

// IntakePartnerView is the partner's own answers on the staff intake page.
type IntakePartnerView struct {
	Name          string
	Pronouns      string
	Email         string
	Phone         string
	Contact       string
	Voicemail     string
	Concerns      []string
	ConcernsOther string
	Hopes         string
	Approaches    []string
	SafetyConcern bool
	Sent          string
	Updated       string // empty unless they sent their answers again
}

func intakePartnerView(p *intake.PartnerAnswers, loc *time.Location, layout string) *IntakePartnerView {
	if p == nil {
		return nil
	}
	v := &IntakePartnerView{Name: p.Name, Pronouns: p.Pronouns, Email: p.Email, Phone: p.Phone,
		Contact: intakeContactLine(p.ContactPreference), Voicemail: intakeVoicemailLine(p.VoicemailOK),
		ConcernsOther: p.ConcernsOther, Hopes: p.Hopes, SafetyConcern: p.SafetyConcern,
		Sent: p.CreatedAt.In(loc).Format(layout)}
	if !p.UpdatedAt.Equal(p.CreatedAt) {
		v.Updated = p.UpdatedAt.In(loc).Format(layout)
	}
	for _, x := range p.Concerns {
		v.Concerns = append(v.Concerns, intake.Label(intake.Concerns, x))
	}
	for _, x := range p.Approaches {
		v.Approaches = append(v.Approaches, intake.Label(intake.Approaches, x))
	}
	return v
}

// IntakeNoteView is one note on the intake page.
type IntakeNoteView struct {
	Author string
	When   string
	Body   string
}

var intakeSavedMessages = map[string]string{
	"note":        "Your note was added.",
	"assign":      "The assignment was saved.",
	"status":      "The status was changed.",
	"booked":      "The consultation was booked; the invitations are on their way.",
	"rescheduled": "The consultation was moved; the updated invitations are on their way.",
	"cancelled":   "The consultation was cancelled; everyone invited is being told.",
	"partner":     "The partner may now be contacted; a booked consultation's invitation is on its way to them.",
	"unchanged":   "Nothing changed: that is already the consultation's time and clinician. No emails were sent.",
}

// IntakeNoteDraft is the note form for the session guard: a note sent after the
// session ended is kept and put back into the form of its intake's page
// after sign-in.
var IntakeNoteDraft = auth.DraftForm{Route: "/staff/intakes/:id/notes", Field: "body", Back: func(c echo.Context) string {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	return fmt.Sprintf("/staff/intakes/%d", id)
}}

// Show is one request for staff; a note kept across an ended session is
// back in its form.
func (h *IntakePages) Show(c echo.Context) error {
	v := &IntakeView{Errors: map[string]string{}, Saved: intakeSavedMessages[c.QueryParam("saved")]}
	if body := auth.DraftOf(c, IntakeNoteDraft.Field); body != "" {
		v.NoteBody, v.NoteRestored = body, true
	}
	return h.renderIntake(c, http.StatusOK, v)
}

// renderIntake fills v with intake :id and renders it with status. Every
// rendering is a read of the intake and is recorded as one.
func (h *IntakePages) renderIntake(c echo.Context, status int, v *IntakeView) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	id, err := intakeIDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	review, err := h.svc.Review(ctx, by, id)
	if err != nil {
		return err
	}
	in, notes := review.Intake, review.Notes
	clinicians, err := h.clinicians.Clinicians(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	const when = "Mon, Jan 2, 2006 at 3:04 PM MST"
	v.Title = fmt.Sprintf("Request #%d", in.ID)
	v.ID, v.Urgent, v.Couple, v.SafetyConcern = in.ID, in.Urgent, in.Kind == intake.Couple, in.SafetyConcern
	v.Kind, v.Status, v.StatusLabel = intake.Label(intakeKinds, string(in.Kind)), string(in.Status), intake.Label(intake.Statuses, string(in.Status))
	v.Received, v.Updated = in.CreatedAt.In(loc).Format(when), in.UpdatedAt.In(loc).Format(when)
	v.Name, v.Pronouns, v.Email, v.Phone = in.Name, in.Pronouns, in.Email, in.Phone
	v.Contact, v.Voicemail = intakeContactLine(in.ContactPreference), intakeVoicemailLine(in.VoicemailOK)
	v.PartnerName, v.PartnerEmail, v.PartnerPronouns = in.PartnerName, in.PartnerEmail, in.PartnerPronouns
	if in.PartnerAware != "" {
		v.PartnerAware = intake.Label(intake.PartnerAwareness, in.PartnerAware)
	}
	v.PartnerWaiting = in.PartnerWaiting()
	v.CanAllowPartner = v.PartnerWaiting && by.Account.Can(staff.ManageBookings)
	if t := in.PartnerContactAllowedAt; t != nil {
		who := "the client"
		if in.PartnerContactAllowedBy == intake.AllowedByStaff {
			who = "staff, after talking to the client"
		}
		v.PartnerAllowed = fmt.Sprintf("Allowed by %s on %s.", who, t.In(loc).Format(when))
	}
	for _, x := range in.Concerns {
		v.Concerns = append(v.Concerns, intake.Label(intake.Concerns, x))
	}
	for _, x := range in.Approaches {
		v.Approaches = append(v.Approaches, intake.Label(intake.Approaches, x))
	}
	v.ConcernsOther, v.Message, v.ReferralSource, v.TimeZone = in.ConcernsOther, in.Message, in.ReferralSource, in.TimeZone
	if in.SessionFormat != "" {
		v.SessionFormat = intake.Label(intake.SessionFormats, in.SessionFormat)
	}
	v.Partner = intakePartnerView(in.Partner, loc, when)
	if c := in.ConsultCancelled; c != nil {
		v.Cancelled, v.CancelledWhen = c.Label(), c.At.In(loc).Format(when)
	}
	names := intakeClinicianNames(clinicians)
	if in.AssignedClinicianID != nil {
		v.AssignedID = *in.AssignedClinicianID
		v.AssignedName = intakeClinicianName(names, in.AssignedClinicianID)
	}
	for _, cl := range clinicians {
		if cl.Active || cl.ID == v.AssignedID {
			v.Clinicians = append(v.Clinicians, cl)
		}
	}
	for _, n := range notes {
		author := n.AuthorName
		if author == "" {
			author = n.AuthorEmail
		}
		v.Notes = append(v.Notes, IntakeNoteView{Author: author, When: n.CreatedAt.In(loc).Format(when), Body: n.Body})
	}
	for _, s := range intake.NextStatuses(in.Status) {
		v.NextStatuses = append(v.NextStatuses, intake.Option{Value: string(s), Label: intake.Label(intake.Statuses, string(s))})
	}
	v.CanNote = by.Account.Can(staff.EditIntake)
	v.CanStatus = by.Account.Can(staff.EditIntake) && len(v.NextStatuses) > 0
	v.CanAssign = by.Account.Can(staff.AssignIntake)
	if err := h.fillBookings(ctx, v, by.Account, loc); err != nil {
		return err
	}
	return h.r.Render(c, status, "staff_intake", v)
}

// afterChange redirects to the intake page on success (post/redirect/get)
// and re-renders it with the message on a mistake the person can fix.
func (h *IntakePages) afterChange(c echo.Context, id int64, saved string, err error, keep func(*IntakeView)) error {
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/staff/intakes/%d?saved=%s", id, saved))
	}
	ae := apperr.As(err)
	if ae == nil || (ae.Kind != apperr.Invalid && ae.Kind != apperr.Conflict) {
		return err
	}
	v := &IntakeView{Errors: ae.Fields, ErrorMessage: ae.Message}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	if keep != nil {
		keep(v)
	}
	return h.renderIntake(c, web.StatusOf(err), v)
}

// AddNote adds a staff note to the request.
func (h *IntakePages) AddNote(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	id, err := intakeIDParam(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	_, err = h.svc.AddNote(c.Request().Context(), by, id, body)
	return h.afterChange(c, id, "note", err, func(v *IntakeView) { v.NoteBody = body })
}

// Assign assigns the request to a clinician, or to nobody.
func (h *IntakePages) Assign(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	id, err := intakeIDParam(c)
	if err != nil {
		return err
	}
	var clinician *int64
	if s := strings.TrimSpace(c.FormValue("clinician_id")); s != "" {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			return h.afterChange(c, id, "", apperr.Validation(map[string]string{"clinician_id": "Choose a clinician from the list."}), nil)
		}
		clinician = &n
	}
	err = h.svc.Assign(c.Request().Context(), by, id, clinician)
	return h.afterChange(c, id, "assign", err, nil)
}

// SetStatus moves the request along the review workflow.
func (h *IntakePages) SetStatus(c echo.Context) error {
	by, err := auth.ActorOf(c)
	if err != nil {
		return err
	}
	id, err := intakeIDParam(c)
	if err != nil {
		return err
	}
	err = h.svc.SetStatus(c.Request().Context(), by, id, intake.Status(c.FormValue("status")), intake.Status(c.FormValue("from")))
	return h.afterChange(c, id, "status", err, nil)
}
