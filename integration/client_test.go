package integration

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"rectify/internal/apitest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"rectify/config"
	"rectify/internal/testenv"
)

// Departments every test system registers, and one it never does.
const (
	deptA       = "320100-SCJG" // 市场监管局
	deptB       = "320100-GAJ"  // 公安局
	deptUnknown = "320100-NOPE"
	admin       = testenv.AdminToken
)

// api is one test's running rectify, driven over HTTP.
type api struct {
	t      *testing.T
	sys    *testenv.System
	prefix string // keeps rating ids (and so workflow ids) unique on the shared Temporal server
}

// with is the same system seen from t, for subtests: failures belong to them.
func (a *api) with(t *testing.T) *api {
	b := *a
	b.t = t
	return &b
}

// team holds the bearer tokens of the people who use a test system.
type team struct {
	channel, callcenter, supervisor string
	deptA, deptB                    string // department users of deptA and deptB
	// usernames, as events name their actors
	callcenterUser, supervisorUser, deptAUser, deptBUser string
}

// setup starts a system with two departments and one user of each role.
func setup(t *testing.T, tweak ...func(*config.Config)) (*api, team) {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	a := &api{t: t, sys: testenv.NewSystem(t, ts, tweak...), prefix: hex.EncodeToString(b)}
	a.department(deptA, "市场监督管理局")
	a.department(deptB, "公安局")
	tm := team{callcenterUser: "cc-li", supervisorUser: "sup-wang", deptAUser: "scjg-zhang", deptBUser: "gaj-chen"}
	tm.channel = a.user("web-portal", "channel", "")
	tm.callcenter = a.user(tm.callcenterUser, "callcenter", "")
	tm.supervisor = a.user(tm.supervisorUser, "supervisor", "")
	tm.deptA = a.user(tm.deptAUser, "department", deptA)
	tm.deptB = a.user(tm.deptBUser, "department", deptB)
	return a, tm
}

// compressed makes one working day last d of wall-clock time.
func compressed(d time.Duration) func(*config.Config) {
	return func(c *config.Config) { c.Calendar.Mode, c.Calendar.CompressedDay = "compressed", d }
}

// client is the shared API client (internal/apitest) on this test's system.
func (a *api) client() apitest.Client { return apitest.Client{TB: a.t, URL: a.sys.URL} }

// do sends one request (see apitest.Client.Do).
func (a *api) do(method, path, token string, body any) apitest.Reply {
	a.t.Helper()
	return a.client().Do(method, path, token, body)
}

// --- set-up through the admin API ---

func (a *api) department(code, name string) {
	a.t.Helper()
	a.client().Department(admin, code, name)
}

// user creates a user and returns a fresh API token for it.
func (a *api) user(username, role, dept string) string {
	a.t.Helper()
	return a.client().User(admin, username, role, dept)
}

// --- ratings ---

// id makes a rating id unique to this test.
func (a *api) id(name string) string { return "IT-" + a.prefix + "-" + name }

// rating is a valid rating body; level decides whether it is negative.
func (a *api) rating(id, level, dept string) map[string]any {
	return map[string]any{
		"id": id, "channel": "hall", "level": level, "department_code": dept,
		"rated_at":          time.Now().Add(-time.Hour).Format(time.RFC3339),
		"service_item_code": "320100-XK-0001", "hall_code": "H-01", "region_code": "320102",
		"aspects": []string{"queueing", "attitude"}, "comment": "窗口排队一个多小时，工作人员态度冷淡",
	}
}

// reachable makes the rater a real-name citizen with a phone (followed up by SMS).
func reachable(r map[string]any) map[string]any {
	r["citizen"] = map[string]any{"name": "王小明", "phone": "13812345678", "anonymous": false}
	return r
}

// ratingView is the answer to POST /api/v1/ratings.
type ratingView struct {
	ID           string `json:"id"`
	Negative     bool   `json:"negative"`
	TicketNumber string `json:"ticket_number"`
}

// negative submits a negative rating and returns its ticket number.
func (a *api) negative(token string, body map[string]any) string {
	a.t.Helper()
	var rv ratingView
	a.do("POST", "/api/v1/ratings", token, body).Want(a.t, http.StatusCreated).Decode(a.t, &rv)
	if !rv.Negative || rv.TicketNumber == "" {
		a.t.Fatalf("negative rating %v answered %+v: want negative with a ticket number", body["id"], rv)
	}
	return rv.TicketNumber
}

// --- tickets ---

type eventView struct {
	Seq   int            `json:"seq"`
	Type  string         `json:"type"`
	Actor string         `json:"actor"`
	At    time.Time      `json:"at"`
	Note  string         `json:"note"`
	Round int            `json:"round"`
	Data  map[string]any `json:"data"`
}

type requestView struct {
	Type        string `json:"type"`
	WorkingDays int    `json:"working_days"`
	Reason      string `json:"reason"`
}

// ticketView is the contract's ticket.
type ticketView struct {
	Number          string       `json:"number"`
	RatingID        string       `json:"rating_id"`
	Status          string       `json:"status"`
	Resolution      *string      `json:"resolution"`
	DepartmentCode  string       `json:"department_code"`
	Round           int          `json:"round"`
	StageStartedAt  *time.Time   `json:"stage_started_at"`
	DueAt           *time.Time   `json:"due_at"`
	Overdue         bool         `json:"overdue"`
	EscalationLevel int          `json:"escalation_level"`
	PendingRequest  *requestView `json:"pending_request"`
	CallTask        bool         `json:"call_task"`
	CallAttempts    int          `json:"call_attempts"`
	CreatedAt       time.Time    `json:"created_at"`
	ClosedAt        *time.Time   `json:"closed_at"`
	Events          []eventView  `json:"events"`
}

func (v ticketView) resolution() string {
	if v.Resolution == nil {
		return ""
	}
	return *v.Resolution
}

// event returns the first event of type typ.
func (v ticketView) event(typ string) (eventView, bool) {
	for _, e := range v.Events {
		if e.Type == typ {
			return e, true
		}
	}
	return eventView{}, false
}

func (v ticketView) eventTypes() []string {
	var ts []string
	for _, e := range v.Events {
		ts = append(ts, e.Type)
	}
	return ts
}

func (v ticketView) String() string {
	due := "-"
	if v.DueAt != nil {
		due = v.DueAt.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%s status=%s resolution=%s dept=%s round=%d due=%s overdue=%v level=%d call_task=%v events=%v",
		v.Number, v.Status, v.resolution(), v.DepartmentCode, v.Round, due, v.Overdue, v.EscalationLevel, v.CallTask, v.eventTypes())
}

// ticket reads a ticket (200 expected).
func (a *api) ticket(token, number string) ticketView {
	a.t.Helper()
	var v ticketView
	a.do("GET", "/api/v1/tickets/"+url.PathEscape(number), token, nil).Want(a.t, http.StatusOK).Decode(a.t, &v)
	return v
}

// act takes an action on a ticket.
func (a *api) act(token, number, action string, body any) apitest.Reply {
	a.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	return a.do("POST", "/api/v1/tickets/"+url.PathEscape(number)+"/"+action, token, body)
}

// mustAct takes an action that must succeed and returns the ticket it answered with.
func (a *api) mustAct(token, number, action string, body any) ticketView {
	a.t.Helper()
	var v ticketView
	a.act(token, number, action, body).Want(a.t, http.StatusOK).Decode(a.t, &v)
	return v
}

// waitTicket polls a ticket until cond holds, failing after timeout.
func (a *api) waitTicket(token, number, what string, timeout time.Duration, cond func(ticketView) bool) ticketView {
	a.t.Helper()
	var v ticketView
	apitest.Eventually(a.t, timeout, what, func() error {
		v = a.ticket(token, number)
		if !cond(v) {
			return fmt.Errorf("ticket is %s", v)
		}
		return nil
	})
	return v
}

// opened waits for the workflow's first write: the ticket's first event.
func (a *api) opened(token, number string) ticketView {
	a.t.Helper()
	return a.waitTicket(token, number, "the workflow's first event", 15*time.Second,
		func(v ticketView) bool { return len(v.Events) > 0 })
}

// dispatched waits for a dispatched ticket's first write: the event and the sign
// deadline, which the same transaction writes.
func (a *api) dispatched(token, number string) ticketView {
	a.t.Helper()
	v := a.opened(token, number)
	if v.Events[0].Type != "dispatched" || v.DueAt == nil || v.StageStartedAt == nil {
		a.t.Fatalf("ticket %s: want its first event dispatched, read together with the sign deadline", v)
	}
	return v
}

// --- notifications, calendar, database ---

type notificationView struct {
	TicketNumber string `json:"ticket_number"`
	Kind         string `json:"kind"`
	Channel      string `json:"channel"`
	Recipient    string `json:"recipient"`
	Body         string `json:"body"`
}

func (a *api) notifications(number string) []notificationView {
	a.t.Helper()
	var out struct {
		Notifications []notificationView `json:"notifications"`
	}
	a.do("GET", "/api/v1/notifications?ticket_number="+url.QueryEscape(number), admin, nil).
		Want(a.t, http.StatusOK).Decode(a.t, &out)
	return out.Notifications
}

// hasNotification reports whether a message of kind went out on channel.
func hasNotification(ns []notificationView, kind, channel string) bool {
	return slices.ContainsFunc(ns, func(n notificationView) bool { return n.Kind == kind && n.Channel == channel })
}

var surveyLink = regexp.MustCompile(`/s/([A-Za-z0-9_-]{43})`)

// surveyToken waits for the round's survey SMS and returns the token of its link,
// read where the citizen reads it: the SMS handed to the gateway. The outbox
// listing shows the message without a usable link (issue 15 item 3).
func (a *api) surveyToken(number string, round int) string {
	a.t.Helper()
	var tok string
	apitest.Eventually(a.t, 10*time.Second, "the survey SMS of round "+fmt.Sprint(round), func() error {
		var smss []string
		tok = ""
		for _, n := range a.sys.Inbox.Messages(number) {
			if n.Channel == "sms" && n.Kind == "survey" {
				smss = append(smss, n.Body)
				if m := surveyLink.FindStringSubmatch(n.Body); m != nil {
					tok = m[1] // oldest first: the last SMS is this round's
				}
			}
		}
		if len(smss) != round || tok == "" {
			return fmt.Errorf("want %d survey SMS with a /s/{token} link, got %q", round, smss)
		}
		listed := 0
		for _, n := range a.notifications(number) {
			if n.Channel != "sms" || n.Kind != "survey" {
				continue
			}
			listed++
			if strings.Contains(n.Body, "13812345678") {
				return fmt.Errorf("the SMS listing shows the full phone number: %+v", n)
			}
			if surveyLink.MatchString(n.Body) {
				return fmt.Errorf("the SMS listing shows a usable survey link: %+v", n)
			}
		}
		if listed != round {
			return fmt.Errorf("want %d survey SMS listed, got %d", round, listed)
		}
		return nil
	})
	return tok
}

// deadline asks the calendar API for the end of the n-th working day after from.
func (a *api) deadline(from time.Time, n int) time.Time {
	a.t.Helper()
	var out struct {
		DueAt time.Time `json:"due_at"`
	}
	q := url.Values{"from": {from.Format(time.RFC3339Nano)}, "working_days": {fmt.Sprint(n)}}
	a.do("GET", "/api/v1/calendar/deadline?"+q.Encode(), admin, nil).Want(a.t, http.StatusOK).Decode(a.t, &out)
	return out.DueAt
}

// count runs a SELECT count(*) against the system's own database.
func (a *api) count(query string, args ...any) int {
	a.t.Helper()
	return a.sys.Count(a.t, query, args...)
}
