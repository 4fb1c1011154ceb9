package web_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// Who asks: signed out, each role, and a department user of the ticket's own
// department and of another. Pages and cookie API calls use a browser session;
// the channel role cannot sign in, so it uses its bearer token on the API.
var askers = []string{"anon", "admin", "sup", "cc", "own", "other", "channel"}

// want lists the expected status per asker; a missing asker expects def.
type want map[string]int

// Statuses that name a class rather than one status, for endpoints whose
// validation order is their own business: only the authorization is checked.
const (
	allowed = -1 // let through: anything but 401, 403 or a fault
	refused = -2 // not let through: 401, 403 or 404
)

func statusOK(got, want int) bool {
	switch want {
	case allowed:
		return got != 401 && got != 403 && got < 500
	case refused:
		return got == 401 || got == 403 || got == 404
	}
	return got == want
}

func (w want) of(asker string, def int) int {
	if s, ok := w[asker]; ok {
		return s
	}
	return def
}

// TestAuthorization walks every page and API endpoint as every kind of caller and
// checks the status; it fails when a route has no row, so a new endpoint cannot
// go untested.
func TestAuthorization(t *testing.T) {
	s := newSite(t)
	tk := s.rate(deptA, "窗口人员态度差", "attitude")
	s.waitFor(tk, "awaiting_sign", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	rating := s.ticket(tk).RatingID
	// A ticket that moved: rated against deptB, returned by it, dispatched to deptA.
	// It and its rating are deptA's now, and deptB sees neither (issue 15, item 14).
	moved := s.rate(deptB, "材料被退回两次", "handling")
	s.waitFor(moved, "awaiting_sign", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	s.api(s.tokens["gaj"], "POST", "/api/v1/tickets/"+moved+"/return", map[string]any{"reason": "不属于本单位职责"}, 200)
	s.waitFor(moved, "pending_dispatch", func(t ticketOut) bool { return t.Status == "pending_dispatch" })
	s.api(s.tokens["cc"], "POST", "/api/v1/tickets/"+moved+"/dispatch", map[string]any{"department_code": deptA}, 200)
	s.waitFor(moved, "awaiting_sign", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	movedRating := s.ticket(moved).RatingID

	sessions := map[string]*browser{"anon": s.browser()}
	for asker, user := range map[string]string{"admin": "admin", "sup": "sup", "cc": "cc", "own": "scjg", "other": "gaj"} {
		sessions[asker] = s.signedIn(user)
	}

	// staff is everyone signed in; sign-in needed pages send the signed-out away.
	const redirect = http.StatusSeeOther
	onlyAdmin := want{"anon": redirect, "admin": 200, "channel": 0}
	rows := []struct {
		method, route, path string
		body                any
		def                 int // status for askers w does not name
		w                   want
	}{
		// Pages (GET). Signed out: to the sign-in page.
		{"GET", "/", "/", nil, redirect, want{"channel": 0}},
		{"GET", "/login", "/login", nil, 200, want{"admin": redirect, "sup": redirect, "cc": redirect, "own": redirect, "other": redirect, "channel": 0}},
		{"GET", "/dept", "/dept", nil, 403, want{"anon": redirect, "own": 200, "other": 200, "channel": 0}},
		{"GET", "/callcenter", "/callcenter", nil, 403, want{"anon": redirect, "cc": 200, "channel": 0}},
		{"GET", "/callcenter/rating", "/callcenter/rating", nil, 403, want{"anon": redirect, "cc": 200, "channel": 0}},
		{"GET", "/supervisor", "/supervisor", nil, 403, want{"anon": redirect, "admin": 200, "sup": 200, "channel": 0}},
		{"GET", "/tickets", "/tickets", nil, 200, want{"anon": redirect, "channel": 0}},
		{"GET", "/analytics", "/analytics", nil, 200, want{"anon": redirect, "cc": 403, "channel": 0}},
		{"GET", "/analytics/mentions", "/analytics/mentions?term=%E6%8E%92%E9%98%9F&department_code=" + deptA, nil, 200, want{"anon": redirect, "cc": 403, "other": 403, "channel": 0}},
		{"GET", "/tickets/:number", "/tickets/" + tk, nil, 200, want{"anon": redirect, "other": 404, "channel": 0}},
		{"GET", "/tickets/:number", "/tickets/" + moved, nil, 200, want{"anon": redirect, "other": 404, "channel": 0}},
		{"GET", "/tickets/:number", "/tickets/NO-SUCH", nil, 404, want{"anon": redirect, "channel": 0}},
		{"GET", "/admin/departments", "/admin/departments", nil, 403, onlyAdmin},
		{"GET", "/admin/users", "/admin/users", nil, 403, onlyAdmin},
		{"GET", "/admin/calendar", "/admin/calendar", nil, 403, onlyAdmin},
		{"GET", "/static/:name", "/static/app.css", nil, 200, want{"channel": 0}},
		{"GET", "/lang/:lang", "/lang/en?next=/tickets", nil, redirect, want{"channel": 0}},
		{"GET", "/s/:token", "/s/not-a-token", nil, 410, want{"channel": 0}},
		// Page forms (POST, with the session's CSRF token). Bodies are incomplete on
		// purpose: an allowed caller gets the API's 4xx, not a change.
		{"POST", "/login", "/login", url.Values{}, 403, want{"channel": 0}}, // no sign-in form token
		{"POST", "/logout", "/logout#probe", url.Values{"_csrf": {"wrong"}}, 403, want{"anon": 401, "channel": 0}},
		{"POST", "/s/:token", "/s/not-a-token", url.Values{}, 410, want{"channel": 0}},
		{"POST", "/tickets/:number/:action", "/tickets/" + tk + "/return", url.Values{}, 403, want{"anon": 401, "own": 422, "other": 404, "channel": 0}},
		{"POST", "/tickets/:number/:action", "/tickets/" + tk + "/decide_extension", url.Values{}, 403, want{"anon": 401, "sup": 422, "other": 404, "channel": 0}},
		{"POST", "/tickets/:number/:action", "/tickets/" + tk + "/log_call", url.Values{"reached": {"false"}}, 403, want{"anon": 401, "cc": 409, "other": 404, "channel": 0}},
		{"POST", "/tickets/:number/reveal", "/tickets/" + tk + "/reveal", url.Values{}, 403, want{"anon": 401, "cc": 200, "channel": 0}},
		{"POST", "/callcenter/rating", "/callcenter/rating", url.Values{}, 403, want{"anon": 401, "cc": 422, "channel": 0}},
		{"GET", "/callcenter/callbacks", "/callcenter/callbacks", nil, 403, want{"anon": redirect, "cc": 200, "channel": 0}},
		{"GET", "/callcenter/callbacks/:id", "/callcenter/callbacks/0", nil, 403, want{"anon": redirect, "cc": allowed, "channel": 0}},
		{"POST", "/callcenter/callbacks/:id/log", "/callcenter/callbacks/0/log", url.Values{}, 403, want{"anon": 401, "cc": allowed, "channel": 0}},
		{"POST", "/admin/departments", "/admin/departments", url.Values{}, 403, want{"anon": 401, "admin": 422, "channel": 0}},
		{"POST", "/admin/users", "/admin/users", url.Values{}, 403, want{"anon": 401, "admin": 422, "channel": 0}},
		{"POST", "/admin/users/:username/tokens", "/admin/users/nobody/tokens", url.Values{}, 403, want{"anon": 401, "admin": 404, "channel": 0}},
		{"POST", "/admin/users/:username/unlock", "/admin/users/nobody/unlock", url.Values{}, 403, want{"anon": 401, "admin": 404, "channel": 0}},
		{"POST", "/admin/users/:username/disable", "/admin/users/nobody/disable", url.Values{"disabled": {"true"}}, 403, want{"anon": 401, "admin": 404, "channel": 0}},
		{"GET", "/admin/audit", "/admin/audit", nil, 403, onlyAdmin},
		{"GET", "/notices", "/notices", nil, 200, want{"anon": redirect, "cc": 403, "channel": 0}},
		{"POST", "/notices/read-all", "/notices/read-all", url.Values{}, 303, want{"anon": 401, "cc": 403, "channel": 0}},
		{"POST", "/notices/:id/read", "/notices/999999/read", url.Values{}, 404, want{"anon": 401, "cc": 403, "channel": 0}},
		{"POST", "/admin/robots", "/admin/robots", url.Values{"department_code": {"NO-SUCH"}}, 403, want{"anon": 401, "admin": 422, "channel": 0}},
		{"POST", "/admin/departments/:code/robot/delete", "/admin/departments/NO-SUCH/robot/delete", url.Values{}, 403, want{"anon": 401, "admin": 404, "channel": 0}},
		{"GET", "/account/password", "/account/password", nil, 200, want{"anon": redirect, "channel": 0}},
		{"POST", "/account/password", "/account/password", url.Values{"password": {"a"}, "confirm": {"b"}}, 422, want{"anon": 401, "channel": 0}},
		{"POST", "/admin/calendar", "/admin/calendar", url.Values{"date": {"2026-13-01"}, "kind": {"holiday"}}, 403, want{"anon": 401, "admin": 400, "channel": 0}},
		{"POST", "/admin/calendar/:date/delete", "/admin/calendar/2026-12-31/delete", url.Values{}, 403, want{"anon": 401, "admin": 404, "channel": 0}},

		// The API, with the session cookie (and X-CSRF-Token when writing) or, for
		// the channel, its bearer token.
		{"GET", "/healthz", "/healthz", nil, 200, nil},
		{"GET", "/readyz", "/readyz", nil, 200, nil},
		{"GET", "/api/v1/departments", "/api/v1/departments", nil, 200, want{"anon": 401, "channel": 403}},
		{"POST", "/api/v1/departments", "/api/v1/departments", map[string]any{}, 403, want{"anon": 401, "admin": 422}},
		{"GET", "/api/v1/users", "/api/v1/users", nil, 403, want{"anon": 401, "admin": 200}},
		{"POST", "/api/v1/users", "/api/v1/users", map[string]any{}, 403, want{"anon": 401, "admin": 422}},
		{"POST", "/api/v1/users/:username/tokens", "/api/v1/users/nobody/tokens", nil, 403, want{"anon": 401, "admin": 404}},
		{"PATCH", "/api/v1/users/:username", "/api/v1/users/nobody", map[string]any{"disabled": true}, 403, want{"anon": 401, "admin": 404}},
		{"GET", "/api/v1/users/:username/tokens", "/api/v1/users/nobody/tokens", nil, 403, want{"anon": 401, "admin": 404}},
		{"DELETE", "/api/v1/users/:username/tokens/:id", "/api/v1/users/nobody/tokens/1", nil, 403, want{"anon": 401, "admin": 404}},
		{"GET", "/api/v1/audit", "/api/v1/audit", nil, 403, want{"anon": 401, "admin": 200}},
		{"POST", "/api/v1/ratings", "/api/v1/ratings", map[string]any{}, 403, want{"anon": 401, "admin": 422, "cc": 422, "channel": 422}},
		{"POST", "/api/v1/ratings/batch", "/api/v1/ratings/batch", map[string]any{"ratings": []any{}}, 403, want{"anon": 401, "admin": 200, "cc": 200, "channel": 200}},
		{"GET", "/api/v1/ratings/:id", "/api/v1/ratings/" + rating, nil, 200, want{"anon": 401, "other": 404, "channel": 403}},
		{"GET", "/api/v1/ratings/:id", "/api/v1/ratings/" + movedRating, nil, 200, want{"anon": 401, "other": 404, "channel": 403}},
		{"GET", "/api/v1/tickets/:number", "/api/v1/tickets/" + moved, nil, 200, want{"anon": 401, "other": 404, "channel": 403}},
		{"GET", "/api/v1/tickets", "/api/v1/tickets", nil, 200, want{"anon": 401, "channel": 403}},
		{"GET", "/api/v1/tickets/:number", "/api/v1/tickets/" + tk, nil, 200, want{"anon": 401, "other": 404, "channel": 403}},
		{"POST", "/api/v1/tickets/:number/:action", "/api/v1/tickets/" + tk + "/return", map[string]any{}, 403, want{"anon": 401, "own": 422, "other": 404}},
		{"POST", "/api/v1/tickets/:number/:action", "/api/v1/tickets/" + tk + "/urge", map[string]any{}, 403, want{"anon": 401, "sup": 422, "other": 404}},
		{"GET", "/api/v1/notifications", "/api/v1/notifications", nil, 200, want{"anon": 401, "channel": 403}},
		{"POST", "/api/v1/notifications/read-all", "/api/v1/notifications/read-all", nil, 200, want{"anon": 401, "channel": 403}},
		{"POST", "/api/v1/notifications/:id/read", "/api/v1/notifications/999999/read", nil, 404, want{"anon": 401, "channel": 403}},
		{"GET", "/api/v1/robots", "/api/v1/robots", nil, 403, want{"anon": 401, "admin": 200}},
		{"GET", "/api/v1/departments/:code/robot", "/api/v1/departments/NO-SUCH/robot", nil, 403, want{"anon": 401, "admin": 404}},
		{"PUT", "/api/v1/departments/:code/robot", "/api/v1/departments/NO-SUCH/robot", map[string]any{}, 403, want{"anon": 401, "admin": 422}},
		{"DELETE", "/api/v1/departments/:code/robot", "/api/v1/departments/NO-SUCH/robot", nil, 403, want{"anon": 401, "admin": 404}},
		{"GET", "/api/v1/calendar/deadline", "/api/v1/calendar/deadline?from=2026-11-25T09:00:00%2B08:00&working_days=1", nil, 200, want{"anon": 401, "channel": 403}},
		{"GET", "/api/v1/calendar/:year", "/api/v1/calendar/2026", nil, 200, want{"anon": 401, "channel": 403}},
		{"PUT", "/api/v1/calendar/days/:date", "/api/v1/calendar/days/2026-13-01", map[string]any{}, 403, want{"anon": 401, "admin": 400}},
		{"DELETE", "/api/v1/calendar/days/:date", "/api/v1/calendar/days/2026-12-31", nil, 403, want{"anon": 401, "admin": 404}},
		{"POST", "/api/v1/surveys/:token", "/api/v1/surveys/not-a-token", map[string]any{"level": "satisfied"}, 410, nil},
		// Statistics, call-backs on service cases, docs, metrics and webhooks. The
		// write probes send a string where an object belongs.
		{"GET", "/api/v1/stats/:name", "/api/v1/stats/departments.csv", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/departments", "/api/v1/stats/departments", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/service_items", "/api/v1/stats/service_items", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/channels", "/api/v1/stats/channels", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/regions", "/api/v1/stats/regions", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/staff", "/api/v1/stats/staff", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/aspects", "/api/v1/stats/aspects", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/trends", "/api/v1/stats/trends", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/rankings", "/api/v1/stats/rankings", nil, 200, want{"anon": 401, "cc": 403, "channel": 403, "own": 403, "other": 403}},
		{"GET", "/api/v1/stats/settings", "/api/v1/stats/settings", nil, 403, want{"anon": 401, "admin": 200, "sup": 200}},
		{"PUT", "/api/v1/stats/settings", "/api/v1/stats/settings", "x", 403, want{"anon": 401, "admin": allowed, "sup": allowed}},
		{"GET", "/api/v1/stats/callbacks", "/api/v1/stats/callbacks", nil, 200, want{"anon": 401, "cc": 403, "channel": 403}},
		{"GET", "/api/v1/stats/topics", "/api/v1/stats/topics?department_code=" + deptA, nil, 200, want{"anon": 401, "cc": 403, "channel": 403, "other": 403}},
		{"GET", "/api/v1/topics/words", "/api/v1/topics/words", nil, 403, want{"anon": 401, "admin": 200, "sup": 200}},
		{"PUT", "/api/v1/topics/words/:word", "/api/v1/topics/words/%E8%B7%A8%E7%9C%81%E9%80%9A%E5%8A%9E", map[string]any{"kind": "term"}, 403, want{"anon": 401, "admin": 200}},
		{"DELETE", "/api/v1/topics/words/:word", "/api/v1/topics/words/nosuchword", nil, 403, want{"anon": 401, "admin": 404}},
		{"POST", "/api/v1/cases", "/api/v1/cases", "x", 403, want{"anon": 401, "admin": allowed, "channel": allowed}},
		{"POST", "/api/v1/cases/batch", "/api/v1/cases/batch", "x", 403, want{"anon": 401, "admin": allowed, "channel": allowed}},
		{"GET", "/api/v1/callbacks", "/api/v1/callbacks", nil, 403, want{"anon": 401, "admin": 200, "sup": 200, "cc": 200}},
		{"POST", "/api/v1/callbacks/:id/log", "/api/v1/callbacks/0/log", "x", 403, want{"anon": 401, "cc": allowed}},
		{"GET", "/api/v1/sampling-rules", "/api/v1/sampling-rules", nil, 403, want{"anon": 401, "admin": 200, "sup": 200}},
		{"PUT", "/api/v1/sampling-rules", "/api/v1/sampling-rules", "x", 403, want{"anon": 401, "admin": allowed, "sup": allowed}},
		{"GET", "/metrics", "/metrics", nil, 200, nil},
		{"GET", "/api/openapi.yaml", "/api/openapi.yaml", nil, 200, nil},
		{"GET", "/api/docs", "/api/docs", nil, 200, nil},
		{"GET", "/api/docs/redoc.standalone.js", "/api/docs/redoc.standalone.js", nil, 200, nil},
		{"POST", "/api/v1/webhooks/12345", "/api/v1/webhooks/12345", map[string]any{}, refused, nil},
		{"POST", "/api/v1/webhooks/sms-receipts", "/api/v1/webhooks/sms-receipts", map[string]any{}, refused, nil},
	}

	covered := map[string]bool{}
	checks := 0
	for _, r := range rows {
		covered[r.method+" "+r.route] = true
		for _, asker := range askers {
			wantStatus := r.w.of(asker, r.def)
			if wantStatus == 0 {
				continue // not applicable: the channel has no pages
			}
			checks++
			got := s.call(sessions, asker, r.method, r.path, r.body)
			if !statusOK(got.Status, wantStatus) {
				t.Errorf("%s %s as %s: status %d, want %d\n%.300s", r.method, r.path, asker, got.Status, wantStatus, got.Body)
			}
		}
	}
	t.Logf("%d routes, %d requests", len(covered), checks)
	var missing []string
	for _, rt := range s.sys.Server.Echo.Routes() {
		key := rt.Method + " " + rt.Path
		if rt.Method == "echo_route_not_found" || strings.HasSuffix(rt.Path, "/*") || covered[key] {
			continue
		}
		missing = append(missing, key)
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route %s has no row in the authorization table", m)
	}
}

// call makes one request as asker: a form or a page with its browser session, an
// API call with its session cookie (the channel: bearer token).
func (s *site) call(sessions map[string]*browser, asker, method, path string, body any) page {
	s.t.Helper()
	path, _, _ = strings.Cut(path, "#")
	if asker == "channel" {
		b := s.browser()
		req, _ := http.NewRequest(method, s.sys.URL+path, jsonBody(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.tokens["portal"])
		return b.do(req)
	}
	b := sessions[asker]
	switch v := body.(type) {
	case url.Values:
		form := url.Values{}
		for k, vs := range v {
			form[k] = vs
		}
		return b.post(path, form)
	default:
		csrf := ""
		if method != "GET" {
			csrf = b.csrf
		}
		if asker == "anon" {
			csrf = "x"
		}
		return b.apiCall(method, path, body, csrf)
	}
}
