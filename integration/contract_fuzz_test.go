package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"rectify/hmacsig"
	"rectify/internal/testenv"
	"rectify/server"
)

// TestContractFuzz (issue 16 item 13) replays a schema-driven fuzz of every
// operation of server/openapi.yaml against a running system: valid requests as
// each role, then requests mutated from the document's schemas (each required
// field dropped, each field null, of the wrong type or random, an unknown field,
// malformed JSON, a text/plain body, an oversized body, no credentials, unknown
// resources, out-of-range query parameters). The system's HTTP server checks every
// exchange against the document (testenv.Contract), so a response the document
// does not allow fails the test; so does any 5xx. Finally every 4xx the document
// lists for an operation must have been answered at least once.
func TestContractFuzz(t *testing.T) {
	t.Parallel()
	const secret = "fz-webhook-secret"
	a, tm := setup(t)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(server.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	f := &fuzzer{t: t, a: a, rng: rand.New(rand.NewPCG(16, 13)), seen: map[string]map[int]bool{}}

	// Resources to aim at: a ticket of deptA, a case with its call-back, a
	// survey link, a token, a calendar day.
	number := a.negative(tm.channel, reachable(a.rating(a.id("fz"), "very_dissatisfied", deptA)))
	a.dispatched(tm.deptA, number)
	caseNo := "FZ-" + a.prefix
	a.do("POST", "/api/v1/cases", admin, map[string]any{"case_no": caseNo, "service_item_code": "S-1",
		"department_code": deptA, "finished_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
		"applicant": map[string]any{"name": "李四", "phone": "13900001111"}}).Want(t, http.StatusCreated)
	tokenID := "1"
	// The campaign workflow releases call-backs at its own pace; 1 is the first
	// one's id once it has (until then, 404).
	callbackID := "1"
	params := map[string]string{
		"number": number, "action": "urge", "username": "fz-user-" + a.prefix, "id": a.id("fz"),
		"year": "2026", "date": "2026-12-31", "token": strings.Repeat("A", 43), "name": "departments.csv",
		"word": "跨省通办",
		// A department that does not exist: a valid robot body then answers 404,
		// and no fuzzed robot ever posts to a real group.
		"code": "FZ-NO-SUCH-DEPT",
	}
	a.user(params["username"], "supervisor", "")
	roles := map[string]string{"admin": admin, "supervisor": tm.supervisor, "callcenter": tm.callcenter,
		"department": tm.deptA, "other_department": tm.deptB, "channel": tm.channel, "none": ""}
	roleNames := make([]string, 0, len(roles))
	for r := range roles {
		roleNames = append(roleNames, r)
	}
	sort.Strings(roleNames)

	// A live survey link (a second ticket, signed and resolved), used before the
	// fuzz below spends the survey rate limit.
	second := a.negative(tm.channel, reachable(a.rating(a.id("fz2"), "very_dissatisfied", deptA)))
	a.dispatched(tm.deptA, second)
	a.mustAct(tm.deptA, second, "sign", nil)
	a.mustAct(tm.deptA, second, "resolve", map[string]any{"report": "已整改"})
	live := "/api/v1/surveys/" + a.surveyToken(second, 1)
	f.send("POST /api/v1/surveys/{token}", "POST", live, "", "application/json", []byte(`{"level":`))
	f.send("POST /api/v1/surveys/{token}", "POST", live, "", "application/json", []byte(`{"level":"great"}`))
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			op := item.GetOperation(method)
			if op == nil {
				continue
			}
			key := method + " " + path
			if f.seen[key] == nil {
				f.seen[key] = map[int]bool{} // listed even if every request failed
			}
			p := params
			if strings.Contains(path, "/tokens/{id}") {
				p = withParam(params, "id", tokenID)
			} else if strings.HasPrefix(path, "/api/v1/callbacks/{id}") {
				p = withParam(params, "id", callbackID)
			}
			target := fill(path, p)
			body := sampleBody(op, path)
			// Every role, with a valid-looking request.
			for _, r := range roleNames {
				f.send(key, method, target, roles[r], "application/json", body)
			}
			// Unknown resources.
			if strings.Contains(path, "{") {
				f.send(key, method, fill(path, withParam(withParam(withParam(p, "number", "GD00000000000000"), "username", "nobody"),
					"id", "999999")), admin, "application/json", body)
				f.send(key, method, fill(path, map[string]string{"number": "x", "action": "fly", "username": "nobody",
					"id": "no-such", "year": "12x", "date": "2026-02-30", "token": "short", "name": "budgets.pdf", "word": "nosuchword", "code": "x"}), admin, "application/json", body)
			}
			// Query parameters: each out of its range, and one the operation does not take.
			for _, prm := range op.Parameters {
				if prm.Value.In != "query" {
					continue
				}
				for _, bad := range []string{"abc", "-1", "0", "99999999", "2026-13-40", strings.Repeat("z", 300)} {
					f.send(key, method, target+sep(target)+url.QueryEscape(prm.Value.Name)+"="+url.QueryEscape(bad), admin, "", nil)
				}
			}
			if strings.HasPrefix(path, "/api/v1/stats/") {
				f.send(key, method, target+sep(target)+"bogus_param=1", admin, "", nil)
			}
			// Media type and size, on every operation: the ceilings hold for all routes.
			f.send(key, method, target, admin, "text/plain", []byte("x"))
			f.send(key, method, target, admin, "multipart/form-data; boundary=x", []byte("--x--"))
			f.sendSized(key, method, target, admin, 17<<20)
			if op.RequestBody == nil {
				continue
			}
			// Body mutations driven by the request schema.
			f.send(key, method, target, admin, "application/json", []byte(`{`))
			f.send(key, method, target, admin, "application/json", []byte(`{"no_such_field":1}`))
			f.send(key, method, target, admin, "application/json", []byte(`[]`))
			var base map[string]any
			_ = json.Unmarshal(body, &base)
			sch := op.RequestBody.Value.Content.Get("application/json").Schema.Value
			for _, m := range mutations(sch, base, f.rng) {
				for _, r := range []string{"admin", "supervisor", "department", "callcenter", "channel"} {
					f.send(key, method, target, roles[r], "application/json", m)
				}
			}
		}
	}

	// Answers that need a state: conflicts, a spent survey link, the rate limit.
	f.send("POST /api/v1/departments", "POST", "/api/v1/departments", admin, "application/json", []byte(`{"code":"`+deptA+`","name":"重复"}`))
	f.send("POST /api/v1/users", "POST", "/api/v1/users", admin, "application/json",
		[]byte(`{"username":"`+params["username"]+`","password":"correct-horse","role":"admin"}`))
	r := reachable(a.rating(a.id("fz"), "satisfied", deptA))
	b, _ := json.Marshal(r)
	f.send("POST /api/v1/ratings", "POST", "/api/v1/ratings", tm.channel, "application/json", b)
	f.send("POST /api/v1/cases", "POST", "/api/v1/cases", admin, "application/json",
		[]byte(`{"case_no":"`+caseNo+`","service_item_code":"S-2","department_code":"`+deptA+`","finished_at":"2026-01-01T00:00:00Z"}`))
	f.send("POST /api/v1/tickets/{number}/{action}", "POST", fill("/api/v1/tickets/{number}/{action}", withParam(params, "action", "sign")),
		tm.deptA, "application/json", nil)
	f.send("POST /api/v1/tickets/{number}/{action}", "POST", fill("/api/v1/tickets/{number}/{action}", params),
		tm.supervisor, "application/json", []byte(`{"note":"a"}`), "Idempotency-Key", "fz-1")
	f.send("POST /api/v1/tickets/{number}/{action}", "POST", fill("/api/v1/tickets/{number}/{action}", params),
		tm.supervisor, "application/json", []byte(`{"note":"b"}`), "Idempotency-Key", "fz-1")
	f.send("PUT /api/v1/sampling-rules", "PUT", "/api/v1/sampling-rules", admin, "application/json", []byte(`{}`), "If-Match", `"999999"`)
	f.send("GET /api/v1/calendar/{year}", "GET", "/api/v1/calendar/2199", admin, "", nil)
	f.send("GET /api/v1/calendar/deadline", "GET", "/api/v1/calendar/deadline?from=2199-06-01T09:00:00%2B08:00&working_days=3",
		admin, "", nil)
	// Webhooks: the system runs the built-in workbench and the dev SMS gateway,
	// which have none; a second API on the same database and engine has both.
	sys := a.sys.System
	hooks := httptest.NewServer(testenv.Contract(t, server.New(server.Deps{Store: sys.Store, Engine: sys.Engine,
		Temporal: sys.Temporal, Calendar: sys.Calendar, Log: sys.Log, BootstrapAdminToken: admin,
		Ecosystem: server.Ecosystem{PlatformSecret: secret, SMSSecret: secret}}).Echo))
	defer hooks.Close()
	f.base = hooks.URL
	for _, hook := range []string{"/api/v1/webhooks/12345", "/api/v1/webhooks/sms-receipts"} {
		f.send("POST "+hook, "POST", hook, "", "application/json", []byte(`{}`))
		for _, body := range []string{`{`, `{}`, `{"no_such_field":1}`, `{"receipts":[{"id":"","status":"lost"}]}`,
			`{"event_id":"e1","type":"sign","ticket_number":"` + number + `","department_code":"` + deptB + `"}`,
			`{"event_id":"e2","type":"sign","ticket_number":"` + number + `","department_code":"` + deptA + `"}`} {
			h := http.Header{}
			hmacsig.SetHeaders(h, secret, time.Now(), []byte(body))
			f.send("POST "+hook, "POST", hook, "", "application/json", []byte(body),
				hmacsig.HeaderTimestamp, h.Get(hmacsig.HeaderTimestamp), hmacsig.HeaderSignature, h.Get(hmacsig.HeaderSignature))
		}
	}
	f.base = ""
	for range 40 {
		f.send("POST /api/v1/surveys/{token}", "POST", fill("/api/v1/surveys/{token}", params), "", "application/json", []byte(`{"level":"satisfied"}`))
		f.send("GET /s/{token}", "GET", fill("/s/{token}", params), "", "", nil)
	}

	// Every documented 4xx was answered.
	var missing []string
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			key := method + " " + path
			for code := range op.Responses.Map() {
				var n int
				if _, err := fmt.Sscan(code, &n); err != nil || n < 400 || n >= 500 {
					continue
				}
				if !f.seen[key][n] && unreachedHere[fmt.Sprintf("%s → %d", key, n)] == "" {
					missing = append(missing, fmt.Sprintf("%s → %d", key, n))
				}
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("documented but never answered: %s", m)
	}
	t.Logf("%d requests over %d operations", f.n, len(f.seen))
}

// unreachedHere are documented answers this test cannot bring about, and why.
var unreachedHere = map[string]string{
	"POST /api/v1/callbacks/{id}/log → 409": "needs a call-back the campaign workflow has released and one answered; " +
		"the fuzz does not wait for the campaign's pace",
}

type fuzzer struct {
	t    *testing.T
	a    *api
	rng  *rand.Rand
	seen map[string]map[int]bool
	n    int
	big  []byte
	base string // "": the system's server
}

func (f *fuzzer) send(key, method, target, token, ctype string, body []byte, hdr ...string) {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	f.do(key, method, target, token, ctype, rd, int64(len(body)), hdr...)
}

func (f *fuzzer) sendSized(key, method, target, token string, n int) {
	if len(f.big) < n {
		f.big = bytes.Repeat([]byte(" "), n)
	}
	f.do(key, method, target, token, "application/json", bytes.NewReader(f.big[:n]), int64(n))
}

func (f *fuzzer) do(key, method, target, token, ctype string, rd io.Reader, n int64, hdr ...string) {
	f.t.Helper()
	base := f.a.sys.URL
	if f.base != "" {
		base = f.base
	}
	req, err := http.NewRequest(method, base+target, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.ContentLength = n
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Errorf("%s %s: %v", method, target, err)
		return
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f.n++
	if f.seen[key] == nil {
		f.seen[key] = map[int]bool{}
	}
	f.seen[key][resp.StatusCode] = true
	if resp.StatusCode >= 500 {
		f.t.Errorf("%s %s → %d: %.300s", method, target, resp.StatusCode, raw)
	}
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func fill(path string, p map[string]string) string {
	return pathParam.ReplaceAllStringFunc(path, func(m string) string {
		return url.PathEscape(p[m[1:len(m)-1]])
	})
}

func withParam(p map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range p {
		out[a] = b
	}
	out[k] = v
	return out
}

func sep(target string) string {
	if strings.Contains(target, "?") {
		return "&"
	}
	return "?"
}

// sampleBody is a valid body for the operation where one is known, else {}.
func sampleBody(op *openapi3.Operation, path string) []byte {
	if op.RequestBody == nil {
		return nil
	}
	body := map[string]any{}
	switch op.OperationID {
	case "createDepartment":
		body = map[string]any{"code": "FZ-D", "name": "模糊测试局"}
	case "createUser":
		body = map[string]any{"username": "fz-new", "password": "correct-horse", "role": "supervisor"}
	case "patchUser":
		body = map[string]any{"disabled": false}
	case "createRating":
		body = map[string]any{"id": "FZ-R-1", "channel": "web", "level": "satisfied", "department_code": deptA}
	case "createRatingBatch":
		body = map[string]any{"ratings": []any{map[string]any{"id": "FZ-R-2", "channel": "web", "level": "satisfied", "department_code": deptA}}}
	case "actOnTicket":
		body = map[string]any{"note": "请尽快处理"}
	case "answerSurvey":
		body = map[string]any{"level": "satisfied"}
	case "putCalendarDay":
		body = map[string]any{"kind": "holiday", "name": "测试"}
	case "putStatsSettings":
		body = map[string]any{"min_volume": 1}
	case "createCase":
		body = map[string]any{"case_no": "FZ-C-1", "service_item_code": "S", "department_code": deptA, "finished_at": "2026-11-20T10:00:00+08:00"}
	case "createCaseBatch":
		body = map[string]any{"cases": []any{}}
	case "logCallback":
		body = map[string]any{"reached": false}
	case "putRobot": // aimed at a department that does not exist: 404, nothing posted anywhere
		body = map[string]any{"kind": "wecom", "webhook_url": "https://robot.example.invalid/cgi-bin/webhook/send?key=fz"}
	}
	b, _ := json.Marshal(body)
	return b
}

// mutations derives bodies from the schema: each required field dropped, each
// property null, of the wrong type, and random values, plus random whole values.
func mutations(s *openapi3.Schema, base map[string]any, rng *rand.Rand) [][]byte {
	var out [][]byte
	add := func(m map[string]any) {
		b, _ := json.Marshal(m)
		out = append(out, b)
	}
	clone := func() map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	for _, req := range s.Required {
		m := clone()
		delete(m, req)
		add(m)
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, v := range []any{nil, 12345, true, "x", []any{1}, map[string]any{"a": 1}, strings.Repeat("长", 3000), randomValue(rng, 2)} {
			m := clone()
			m[n] = v
			add(m)
		}
	}
	return out
}

func randomValue(rng *rand.Rand, depth int) any {
	switch k := rng.IntN(7); {
	case k == 0:
		return nil
	case k == 1:
		return rng.IntN(2) == 0
	case k == 2:
		return rng.NormFloat64() * 1e6
	case k == 3 || depth == 0:
		const alphabet = "aZ09-_.:/ 评价\u0007\u00e9"
		r := []rune(alphabet)
		var b strings.Builder
		for range rng.IntN(20) {
			b.WriteRune(r[rng.IntN(len(r))])
		}
		return b.String()
	case k == 4:
		return []any{randomValue(rng, depth-1), randomValue(rng, depth-1)}
	default:
		return map[string]any{"k": randomValue(rng, depth-1)}
	}
}
