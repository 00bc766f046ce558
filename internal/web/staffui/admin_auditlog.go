package staffui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firststep/firststep/internal/apperr"
	"github.com/firststep/firststep/internal/audit"
	"github.com/firststep/firststep/internal/schedule"
	"github.com/firststep/firststep/internal/web"
	"github.com/labstack/echo/v4"
)

// adminAuditPage is how many entries one page of the log shows.
const adminAuditPage = 50

// adminKnownActions are offered as suggestions in the action filter; any
// action can be typed.
var adminKnownActions = []string{
	audit.SignIn, audit.SignInFailed, audit.SignOut, audit.AccountDisabled,
	audit.IntakeView, audit.IntakeViewDenied, audit.IntakeList, audit.IntakeNote, audit.IntakeAssign, audit.IntakeStatus,
	audit.AccountCreate, audit.AccountRoleChange, audit.AccountReactivate, audit.AccountPasswordReset, audit.AccountPasswordChange,
	audit.TokenCreate, audit.TokenRevoke, audit.ClinicianCreate, audit.ClinicianUpdate, audit.SettingsUpdate, audit.EmailRetry,
	audit.BookingCreate, audit.BookingReschedule, audit.BookingCancel, audit.AvailabilityUpdate, audit.CalendarFeedRotate,
	audit.IntakePartnerContact,
}

// adminKnownRecordTypes are offered as suggestions in the record type filter.
var adminKnownRecordTypes = []string{
	audit.TypeIntake, audit.TypeAccount, audit.TypeClinician, audit.TypeToken, audit.TypeSettings, audit.TypeEmail, audit.TypeBooking,
}

// AdminAuditQuery is the log's filter as it appears in the URL, kept as typed
// so that the filter form shows it back.
type AdminAuditQuery struct {
	Action     string
	Actor      string // an account's email or number
	RecordType string
	RecordID   string
	From, To   string // YYYY-MM-DD in the practice's time zone; To is inclusive
	Before     string // an entry id: show older entries only
}

func adminAuditQueryOf(q url.Values) AdminAuditQuery {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return AdminAuditQuery{Action: get("action"), Actor: get("actor"), RecordType: get("record_type"), RecordID: get("record_id"),
		From: get("from"), To: get("to"), Before: get("before")}
}

// Link is the log's address with q's filter, before the entry before (0:
// from the newest).
func (q AdminAuditQuery) Link(before int64) string {
	v := url.Values{}
	for k, s := range map[string]string{"action": q.Action, "actor": q.Actor, "record_type": q.RecordType,
		"record_id": q.RecordID, "from": q.From, "to": q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return "/staff/admin/audit"
	}
	return "/staff/admin/audit?" + v.Encode()
}

// Filtered reports whether any filter is set (paging aside).
func (q AdminAuditQuery) Filtered() bool {
	return q.Action != "" || q.Actor != "" || q.RecordType != "" || q.RecordID != "" || q.From != "" || q.To != ""
}

// AdminActorLookup finds the id of the account with an email; an error of kind
// NotFound when there is none.
type AdminActorLookup func(ctx context.Context, email string) (int64, error)

// ParseAdminAuditQuery turns the typed filter into an audit.Filter, with a
// message per field that could not be understood (that part of the filter
// is then left out, except an unknown actor, which matches nothing). Dates
// are whole days in loc.
func ParseAdminAuditQuery(ctx context.Context, q AdminAuditQuery, loc *time.Location, lookup AdminActorLookup) (f audit.Filter, errs map[string]string, matchesNothing bool, err error) {
	errs = map[string]string{}
	f.Action, f.RecordType, f.RecordID = q.Action, q.RecordType, q.RecordID
	switch {
	case q.Actor == "":
	case adminIsDigits(q.Actor):
		id, perr := strconv.ParseInt(q.Actor, 10, 64)
		if perr != nil || id <= 0 {
			errs["actor"] = "Enter an account's email or number."
		} else {
			f.ActorID = id
		}
	case strings.Contains(q.Actor, "@"):
		id, lerr := lookup(ctx, q.Actor)
		switch {
		case apperr.KindOf(lerr) == apperr.NotFound:
			errs["actor"] = "No staff account has that email."
			matchesNothing = true
		case lerr != nil:
			return f, errs, false, lerr
		default:
			f.ActorID = id
		}
	default:
		errs["actor"] = "Enter an account's email or number."
	}
	f.From, f.To = schedule.DateRange(q.From, q.To, loc, errs)
	if q.Before != "" {
		id, perr := strconv.ParseInt(q.Before, 10, 64)
		if perr != nil || id <= 0 {
			errs["before"] = "That page of the log does not exist; showing the newest entries."
		} else {
			f.BeforeID = id
		}
	}
	return f, errs, matchesNothing, nil
}

func adminIsDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// AdminAuditRow is one entry as an admin reads it.
type AdminAuditRow struct {
	ID         int64
	When       string
	Who        string
	Action     string
	Record     string
	RecordHref string
	IP         string
	Detail     string
}

// adminRecordHref links an entry's record to its page, where there is one.
func adminRecordHref(recordType, id string) string {
	if !adminIsDigits(id) {
		return ""
	}
	switch recordType {
	case audit.TypeIntake:
		return "/staff/intakes/" + id
	case audit.TypeAccount:
		return "/staff/admin/accounts/" + id
	case audit.TypeClinician:
		return "/staff/admin/clinicians/" + id
	}
	return ""
}

// AdminAuditView is the audit log page.
type AdminAuditView struct {
	web.Layout
	Q           AdminAuditQuery
	Errors      map[string]string
	Rows        []AdminAuditRow
	Older       string // link to the next page of older entries
	Newest      string // link back to the newest entries, when paging
	Actions     []AdminOption
	RecordTypes []AdminOption
	Zone        string
}

func (h *AdminPages) AuditLog(c echo.Context) error {
	ctx := c.Request().Context()
	loc := h.zone(ctx)
	v := &AdminAuditView{Q: adminAuditQueryOf(c.QueryParams()), Zone: loc.String()}
	v.Actions, v.RecordTypes = adminActionOptions(v.Q.Action), adminRecordTypeOptions(v.Q.RecordType)
	v.Title = "Audit log"
	lookup := func(ctx context.Context, email string) (int64, error) {
		acc, err := h.svc.AccountByEmail(ctx, email)
		return acc.ID, err
	}
	f, errs, none, err := ParseAdminAuditQuery(ctx, v.Q, loc, lookup)
	if err != nil {
		return err
	}
	v.Errors = errs
	if v.Q.Before != "" && f.BeforeID != 0 {
		v.Newest = v.Q.Link(0)
	}
	if none {
		return h.r.Render(c, http.StatusOK, "staff_admin_audit", v)
	}
	f.Limit = adminAuditPage + 1
	items, err := h.svc.AuditLog(ctx, f)
	if err != nil {
		return err
	}
	if len(items) > adminAuditPage {
		items = items[:adminAuditPage]
		v.Older = v.Q.Link(items[len(items)-1].ID)
	}
	for _, it := range items {
		row := AdminAuditRow{ID: it.ID, When: it.At.In(loc).Format("Jan 2, 2006, 3:04:05 PM MST"), Who: it.ActorEmail,
			IP: it.IP, Record: audit.RecordWords(it.RecordType, it.RecordID), RecordHref: adminRecordHref(it.RecordType, it.RecordID)}
		row.Action, row.Detail = adminEntryWords(it)
		if row.Who == "" && it.ActorID != nil {
			row.Who = "Staff account " + strconv.FormatInt(*it.ActorID, 10)
		}
		v.Rows = append(v.Rows, row)
	}
	return h.r.Render(c, http.StatusOK, "staff_admin_audit", v)
}
