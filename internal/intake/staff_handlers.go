package intake

import (
	"context"
	"fmt"
	"github.com/firststep/firststep/internal/web/auth"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/practice"
	"github.com/firststep/firststep/internal/staff"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// PracticeSettings supplies the practice's time zone, in which staff read
// dates and times.
type PracticeSettings interface {
	Get(ctx context.Context) (practice.Settings, error)
}

// StaffHandlers serve the intake queue and intake pages of the staff area
// and the staff JSON API for intakes.
type StaffHandlers struct {
	svc      *Service
	r        *web.Renderer
	practice PracticeSettings
	// Bookings, when set, lists each intake's consultations and their
	// emails on the intake page.
	Bookings Bookings
}

// NewStaffHandlers returns the staff intake handlers.
func NewStaffHandlers(svc *Service, r *web.Renderer, p PracticeSettings) *StaffHandlers {
	return &StaffHandlers{svc: svc, r: r, practice: p}
}

// Routes registers the staff pages on g, which the caller has guarded
// with auth.RequireSession and mounted at /staff.
func (h *StaffHandlers) Routes(g *echo.Group) {
	g.GET("", h.queue, auth.Require(staff.ViewOwnIntakes))
	g.GET("/intakes/:id", h.show, auth.Require(staff.ViewOwnIntakes))
	g.POST("/intakes/:id/notes", h.addNote, auth.Require(staff.EditIntake))
	g.POST("/intakes/:id/assign", h.assign, auth.Require(staff.AssignIntake))
	g.POST("/intakes/:id/status", h.setStatus, auth.Require(staff.EditIntake))
}

// APIRoutes registers the staff JSON endpoints on g, which the caller has
// guarded with auth.BearerAuth.
func (h *StaffHandlers) APIRoutes(g *echo.Group, bearer echo.MiddlewareFunc) {
	g.GET("/intakes", h.apiList, bearer, auth.Require(staff.ViewOwnIntakes))
	g.GET("/intakes/:id", h.apiGet, bearer, auth.Require(staff.ViewOwnIntakes))
}

func actorOf(c echo.Context) (Actor, error) { return auth.ActorOf(c) }

func idParam(c echo.Context) (int64, error) { return web.IDParam(c, errNotFound) }

// zone is the practice's time zone (UTC if it cannot be read).
func (h *StaffHandlers) zone(ctx context.Context) *time.Location {
	st, _ := h.practice.Get(ctx) // on error: the zero settings, read in UTC
	return st.Location()
}

// QueueQuery is the queue's filter as it appears in the URL, kept as typed
// so the filter form shows it back.
type QueueQuery struct {
	Status    string // a status, "" or "open" for the open requests, "all" for every one
	Kind      string
	Clinician string // a clinician id, "none" for unassigned, "" for any
	From, To  string // YYYY-MM-DD, in the practice's time zone; To is inclusive
	Q         string // a name or email, or part of one
	Limit     string // requests per page
	Cursor    string // where the page starts: a cursor the previous page gave out
}

// The status filter's values that are not statuses.
const (
	statusOpen = "open"
	statusAll  = "all"
)

func queueQueryOf(q url.Values) QueueQuery {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return QueueQuery{Status: get("status"), Kind: get("kind"), Clinician: get("clinician"), From: get("from"), To: get("to"),
		Q: get("q"), Limit: get("limit"), Cursor: get("cursor")}
}

// Link is the queue's address with qq's filter and status instead of qq's,
// on its first page.
func (qq QueueQuery) Link(status string) string {
	return qq.link(status, "")
}

// PageLink is the queue's address of the page that starts at cursor.
func (qq QueueQuery) PageLink(cursor string) string {
	return qq.link(qq.Status, cursor)
}

func (qq QueueQuery) link(status, cursor string) string {
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
func (qq QueueQuery) WithoutSearch() string {
	qq.Q = ""
	return qq.link(qq.Status, "")
}

// Filtered reports whether the filter form has anything set beyond the
// status, which the links above it choose, and the search, which has its
// own box.
func (qq QueueQuery) Filtered() bool {
	return qq.Kind != "" || qq.Clinician != "" || qq.From != "" || qq.To != "" || qq.Limit != ""
}

// ParseQueueQuery turns the typed filter into a StaffFilter, with a message
// per field that could not be understood (that part of the filter is then
// left out). Dates are whole days in loc. Without a status the queue shows
// the open requests; "all" shows every one.
func ParseQueueQuery(qq QueueQuery, loc *time.Location) (StaffFilter, map[string]string) {
	var f StaffFilter
	errs := map[string]string{}
	switch {
	case qq.Status == "" || qq.Status == statusOpen:
		f.OpenOnly = true
	case qq.Status == statusAll:
	case valid(Statuses, qq.Status):
		f.Status = Status(qq.Status)
	default:
		errs["status"] = "Choose a status from the list."
		f.OpenOnly = true
	}
	switch Kind(qq.Kind) {
	case "":
	case Individual, Couple:
		f.Kind = Kind(qq.Kind)
	default:
		errs["kind"] = "Choose individual or couple."
	}
	switch qq.Clinician {
	case "":
	case "none":
		f.Unassigned = true
	default:
		id, err := strconv.ParseInt(qq.Clinician, 10, 64)
		if err != nil || id <= 0 {
			errs["clinician"] = "Choose a clinician from the list."
		} else {
			f.ClinicianID = id
		}
	}
	f.From, f.To = web.DateRange(qq.From, qq.To, loc, errs)
	if n := utf8.RuneCountInString(qq.Q); n > maxSearch {
		errs["q"] = fmt.Sprintf("Search for at most %d characters (this has %d).", maxSearch, n)
	} else {
		f.Search = qq.Q
	}
	if qq.Limit != "" {
		n, err := strconv.Atoi(qq.Limit)
		if err != nil || n < 1 || n > MaxPageSize {
			errs["limit"] = fmt.Sprintf("Choose a page size from 1 to %d.", MaxPageSize)
		} else {
			f.Limit = n
		}
	}
	if qq.Cursor != "" {
		c, err := ParseCursor(qq.Cursor)
		if err != nil {
			errs["cursor"] = badCursor
		} else {
			f.After = c
		}
	}
	return f, errs
}

// QueueView is the intake queue.
type QueueView struct {
	web.Layout
	Q              QueueQuery
	Errors         map[string]string
	Rows           []QueueRow
	Counts         []StatusCount
	Total          int    // requests on this page
	Matching       int    // requests that match the filter, on every page
	Next           string // link to the next page, when there is one
	First          string // link back to the first page, when paging
	Statuses       []Option
	Kinds          []Option
	Clinicians     []ClinicianOption
	ShowClinicians bool // the clinician filter (for those who see every intake)
	Scope          string
}

// QueueRow is one intake in the queue.
type QueueRow struct {
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

// StatusCount is one status with how many intakes have it, as a link that
// filters the queue by it.
type StatusCount struct {
	Label   string
	N       int
	Href    string
	Current bool
}

var kinds = []Option{{string(Individual), "Individual"}, {string(Couple), "Couple"}}

func (h *StaffHandlers) queue(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	loc := h.zone(ctx)
	v := &QueueView{Q: queueQueryOf(c.QueryParams()), Statuses: Statuses, Kinds: kinds,
		ShowClinicians: by.Account.Can(staff.ViewAllIntakes)}
	v.Title = "Intake queue"
	var f StaffFilter
	f, v.Errors = ParseQueueQuery(v.Q, loc)
	if !v.ShowClinicians {
		v.Scope = "Requests assigned to you or booked with you."
	}
	page, err := h.svc.ListPage(ctx, by.Account, f)
	if err != nil {
		return err
	}
	counts, err := h.svc.CountByStatus(ctx, by.Account, f)
	if err != nil {
		return err
	}
	if v.Clinicians, err = h.svc.Clinicians(ctx); err != nil {
		return err
	}
	names := clinicianNames(v.Clinicians)
	open := StatusCount{Label: "Open", Href: v.Q.Link(""), Current: f.OpenOnly && f.Status == ""}
	all := StatusCount{Label: "All", Href: v.Q.Link(statusAll), Current: !f.OpenOnly && f.Status == ""}
	for _, s := range Statuses {
		n := counts[Status(s.Value)]
		all.N += n
		if Status(s.Value).Open() {
			open.N += n
		}
		v.Counts = append(v.Counts, StatusCount{Label: s.Label, N: n, Href: v.Q.Link(s.Value), Current: string(f.Status) == s.Value})
	}
	v.Counts = append([]StatusCount{open, all}, v.Counts...)
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
		v.Rows = append(v.Rows, QueueRow{ID: in.ID, Urgent: in.UrgentNow(), Name: in.Name, PartnerName: in.PartnerName,
			Kind: Label(kinds, string(in.Kind)), Status: Label(Statuses, string(in.Status)),
			Clinician: clinicianName(names, in.AssignedClinicianID), Received: in.CreatedAt.In(loc).Format("Jan 2, 2006 3:04 PM"),
			Contact: contactSummary(in.ContactPreference), Cancelled: cancelledShort(in.ConsultCancelled, loc)})
	}
	return h.r.Render(c, http.StatusOK, "staff_queue", v)
}

// cancelledShort is the queue's badge of a cancelled consultation.
func cancelledShort(c *Cancellation, loc *time.Location) string {
	if c == nil {
		return ""
	}
	return c.Label() + " " + c.At.In(loc).Format("Jan 2")
}

func clinicianNames(list []ClinicianOption) map[int64]string {
	m := make(map[int64]string, len(list))
	for _, c := range list {
		m[c.ID] = c.Name
	}
	return m
}

func clinicianName(names map[int64]string, id *int64) string {
	if id == nil {
		return ""
	}
	if n, ok := names[*id]; ok {
		return n
	}
	return fmt.Sprintf("Clinician %d", *id)
}

// contactSummary is the short form of a contact preference for the queue.
func contactSummary(pref string) string {
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

// ContactLine is how staff are told to reach a person, shown prominently:
// a request for email only is a request not to be called.
func ContactLine(pref string) string {
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

// VoicemailLine says whether a voicemail may be left.
func VoicemailLine(ok bool) string {
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
	Notes         []NoteView
	Clinicians    []ClinicianOption
	NextStatuses  []Option
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
	Bookings []BookingView
	CanBook  bool
	// Partner is what the partner wrote through their own link, nil when
	// they have not (yet).
	Partner *PartnerView
}

// PartnerView is the partner's own answers on the staff intake page.
type PartnerView struct {
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

func partnerView(p *PartnerAnswers, loc *time.Location, layout string) *PartnerView {
	if p == nil {
		return nil
	}
	v := &PartnerView{Name: p.Name, Pronouns: p.Pronouns, Email: p.Email, Phone: p.Phone,
		Contact: ContactLine(p.ContactPreference), Voicemail: VoicemailLine(p.VoicemailOK),
		ConcernsOther: p.ConcernsOther, Hopes: p.Hopes, SafetyConcern: p.SafetyConcern,
		Sent: p.CreatedAt.In(loc).Format(layout)}
	if !p.UpdatedAt.Equal(p.CreatedAt) {
		v.Updated = p.UpdatedAt.In(loc).Format(layout)
	}
	for _, x := range p.Concerns {
		v.Concerns = append(v.Concerns, Label(Concerns, x))
	}
	for _, x := range p.Approaches {
		v.Approaches = append(v.Approaches, Label(Approaches, x))
	}
	return v
}

// NoteView is one note on the intake page.
type NoteView struct {
	Author string
	When   string
	Body   string
}

var savedMessages = map[string]string{
	"note":        "Your note was added.",
	"assign":      "The assignment was saved.",
	"status":      "The status was changed.",
	"booked":      "The consultation was booked; the invitations are on their way.",
	"rescheduled": "The consultation was moved; the updated invitations are on their way.",
	"cancelled":   "The consultation was cancelled; everyone invited is being told.",
	"partner":     "The partner may now be contacted; a booked consultation's invitation is on its way to them.",
	"unchanged":   "Nothing changed: that is already the consultation's time and clinician. No emails were sent.",
}

// NoteDraft is the note form for the session guard: a note sent after the
// session ended is kept and put back into the form of its intake's page
// after sign-in.
var NoteDraft = auth.DraftForm{Route: "/staff/intakes/:id/notes", Field: "body", Back: func(c echo.Context) string {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return ""
	}
	return fmt.Sprintf("/staff/intakes/%d", id)
}}

func (h *StaffHandlers) show(c echo.Context) error {
	v := &IntakeView{Errors: map[string]string{}, Saved: savedMessages[c.QueryParam("saved")]}
	if body := auth.DraftOf(c, NoteDraft.Field); body != "" {
		v.NoteBody, v.NoteRestored = body, true
	}
	return h.renderIntake(c, http.StatusOK, v)
}

// renderIntake fills v with intake :id and renders it with status. Every
// rendering is a read of the intake and is recorded as one.
func (h *StaffHandlers) renderIntake(c echo.Context, status int, v *IntakeView) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	in, err := h.svc.GetForStaff(ctx, by, id)
	if err != nil {
		return err
	}
	notes, err := h.svc.Notes(ctx, by.Account, id)
	if err != nil {
		return err
	}
	clinicians, err := h.svc.Clinicians(ctx)
	if err != nil {
		return err
	}
	loc := h.zone(ctx)
	const when = "Mon, Jan 2, 2006 at 3:04 PM MST"
	v.Title = fmt.Sprintf("Request #%d", in.ID)
	v.ID, v.Urgent, v.Couple, v.SafetyConcern = in.ID, in.Urgent, in.Kind == Couple, in.SafetyConcern
	v.Kind, v.Status, v.StatusLabel = Label(kinds, string(in.Kind)), string(in.Status), Label(Statuses, string(in.Status))
	v.Received, v.Updated = in.CreatedAt.In(loc).Format(when), in.UpdatedAt.In(loc).Format(when)
	v.Name, v.Pronouns, v.Email, v.Phone = in.Name, in.Pronouns, in.Email, in.Phone
	v.Contact, v.Voicemail = ContactLine(in.ContactPreference), VoicemailLine(in.VoicemailOK)
	v.PartnerName, v.PartnerEmail, v.PartnerPronouns = in.PartnerName, in.PartnerEmail, in.PartnerPronouns
	if in.PartnerAware != "" {
		v.PartnerAware = Label(PartnerAwareness, in.PartnerAware)
	}
	v.PartnerWaiting = in.PartnerWaiting()
	v.CanAllowPartner = v.PartnerWaiting && by.Account.Can(staff.ManageBookings)
	if t := in.PartnerContactAllowedAt; t != nil {
		who := "the client"
		if in.PartnerContactAllowedBy == AllowedByStaff {
			who = "staff, after talking to the client"
		}
		v.PartnerAllowed = fmt.Sprintf("Allowed by %s on %s.", who, t.In(loc).Format(when))
	}
	for _, x := range in.Concerns {
		v.Concerns = append(v.Concerns, Label(Concerns, x))
	}
	for _, x := range in.Approaches {
		v.Approaches = append(v.Approaches, Label(Approaches, x))
	}
	v.ConcernsOther, v.Message, v.ReferralSource, v.TimeZone = in.ConcernsOther, in.Message, in.ReferralSource, in.TimeZone
	if in.SessionFormat != "" {
		v.SessionFormat = Label(SessionFormats, in.SessionFormat)
	}
	v.Partner = partnerView(in.Partner, loc, when)
	if c := in.ConsultCancelled; c != nil {
		v.Cancelled, v.CancelledWhen = c.Label(), c.At.In(loc).Format(when)
	}
	names := clinicianNames(clinicians)
	if in.AssignedClinicianID != nil {
		v.AssignedID = *in.AssignedClinicianID
		v.AssignedName = clinicianName(names, in.AssignedClinicianID)
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
		v.Notes = append(v.Notes, NoteView{Author: author, When: n.CreatedAt.In(loc).Format(when), Body: n.Body})
	}
	for _, s := range NextStatuses(in.Status) {
		v.NextStatuses = append(v.NextStatuses, Option{Value: string(s), Label: Label(Statuses, string(s))})
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
func (h *StaffHandlers) afterChange(c echo.Context, id int64, saved string, err error, keep func(*IntakeView)) error {
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
	status := http.StatusUnprocessableEntity
	if ae.Kind == apperr.Conflict {
		status = http.StatusConflict
	}
	return h.renderIntake(c, status, v)
}

func (h *StaffHandlers) addNote(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	_, err = h.svc.AddNote(c.Request().Context(), by, id, body)
	return h.afterChange(c, id, "note", err, func(v *IntakeView) { v.NoteBody = body })
}

func (h *StaffHandlers) assign(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
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

func (h *StaffHandlers) setStatus(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	err = h.svc.SetStatus(c.Request().Context(), by, id, Status(c.FormValue("status")), Status(c.FormValue("from")))
	return h.afterChange(c, id, "status", err, nil)
}

func (h *StaffHandlers) apiList(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	qq := queueQueryOf(q)
	if qq.Clinician == "" {
		qq.Clinician = strings.TrimSpace(q.Get("clinician_id"))
	}
	f, errs := ParseQueueQuery(qq, h.zone(c.Request().Context()))
	if len(errs) > 0 {
		if msg, ok := errs["clinician"]; ok && q.Get("clinician_id") != "" {
			delete(errs, "clinician")
			errs["clinician_id"] = msg
		}
		return apperr.Validation(errs)
	}
	page, err := h.svc.ListWithAnswers(c.Request().Context(), by, f)
	if err != nil {
		return err
	}
	out := make([]IntakeJSON, len(page.Intakes))
	for i, in := range page.Intakes {
		out[i] = toJSON(in)
	}
	body := map[string]any{"intakes": out}
	if page.Next != "" {
		body["next_cursor"] = page.Next
	}
	return c.JSON(http.StatusOK, body)
}

func (h *StaffHandlers) apiGet(c echo.Context) error {
	by, err := actorOf(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	in, err := h.svc.GetForStaff(c.Request().Context(), by, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, intakeDetailJSON{IntakeJSON: toJSON(in), PartnerAnswers: partnerJSON(in.Partner)})
}
