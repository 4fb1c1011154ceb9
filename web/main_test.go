package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"rectify/config"
	"rectify/internal/apitest"
	"rectify/internal/testenv"
	"rectify/topics"
)

var ts *temporaltest.TestServer

func TestMain(m *testing.M) {
	topics.Default.Preload() // the analytics pages must not wait for it (topics/segment.go)
	testenv.Main(m, &ts)
}

const (
	deptA    = "320100-SCJG"
	deptB    = "320100-GAJ"
	password = "correct-horse-9"
	phone    = "13812341234"
)

// site is one test's running rectify with a user of every role.
type site struct {
	t   *testing.T
	sys *testenv.System
	// bearer tokens, by username
	tokens map[string]string
}

// users of every site: username -> role, department.
var people = []struct{ name, role, dept, display string }{
	{"admin", "admin", "", "系统管理员"},
	{"sup", "supervisor", "", "督办员 王敏"},
	{"cc", "callcenter", "", "话务员 李娜"},
	{"scjg", "department", deptA, "市场监管局 张伟"},
	{"gaj", "department", deptB, "公安局 陈静"},
	{"portal", "channel", "", "网上政务服务平台"},
}

func newSite(t *testing.T, tweak ...func(*config.Config)) *site {
	t.Helper()
	s := &site{t: t, sys: testenv.NewSystem(t, ts, tweak...), tokens: map[string]string{}}
	s.api(testenv.AdminToken, "POST", "/api/v1/departments", map[string]any{"code": deptA, "name": "南京市市场监督管理局"}, 201)
	s.api(testenv.AdminToken, "POST", "/api/v1/departments", map[string]any{"code": deptB, "name": "南京市公安局"}, 201)
	for _, p := range people {
		body := map[string]any{"username": p.name, "password": password, "role": p.role, "display_name": p.display}
		if p.dept != "" {
			body["department_code"] = p.dept
		}
		s.api(testenv.AdminToken, "POST", "/api/v1/users", body, 201)
		var tok struct{ Token string }
		s.decode(s.api(testenv.AdminToken, "POST", "/api/v1/users/"+p.name+"/tokens", nil, 201), &tok)
		s.tokens[p.name] = tok.Token
	}
	return s
}

// api calls the API with a bearer token (internal/apitest) and checks the
// status (0: any).
func (s *site) api(token, method, path string, body any, want int) []byte {
	s.t.Helper()
	r := apitest.Client{TB: s.t, URL: s.sys.URL}.Do(method, path, token, body)
	if want != 0 {
		r.Want(s.t, want)
	}
	return r.Raw
}

func (s *site) decode(b []byte, v any) {
	s.t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		s.t.Fatalf("decode %s: %v", b, err)
	}
}

var seq int

// rate submits a negative rating through the portal channel and returns its ticket.
func (s *site) rate(dept, comment string, aspects ...string) string {
	s.t.Helper()
	seq++
	body := map[string]any{"id": fmt.Sprintf("T-%s-%d-%d", s.t.Name(), time.Now().UnixNano(), seq), "channel": "web",
		"level": "very_dissatisfied", "department_code": dept, "comment": comment, "aspects": aspects,
		"citizen": map[string]any{"name": "张三", "phone": phone}}
	var out struct {
		TicketNumber string `json:"ticket_number"`
	}
	s.decode(s.api(s.tokens["portal"], "POST", "/api/v1/ratings", body, 201), &out)
	return out.TicketNumber
}

type ticketOut struct {
	Number         string `json:"number"`
	RatingID       string `json:"rating_id"`
	Status         string `json:"status"`
	Resolution     any    `json:"resolution"`
	CallTask       bool   `json:"call_task"`
	Overdue        bool   `json:"overdue"`
	PendingRequest *struct {
		Type string `json:"type"`
	} `json:"pending_request"`
}

func (s *site) ticket(number string) ticketOut {
	s.t.Helper()
	var t ticketOut
	s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/tickets/"+number, nil, 200), &t)
	return t
}

// waitFor polls the ticket until ok, for what timers or workflows do on their own.
func (s *site) waitFor(number, what string, ok func(ticketOut) bool) ticketOut {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		t := s.ticket(number)
		if ok(t) {
			return t
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("ticket %s: waited a minute for %s; now %+v", number, what, t)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var surveyLink = regexp.MustCompile(`/s/([A-Za-z0-9_-]{43})`)

// surveyToken reads the survey link from the SMS handed to the gateway (the
// outbox keeps none), waiting for the dispatcher to hand it over.
func (s *site) surveyToken(number string) string {
	s.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ns := s.sys.Inbox.Messages(number)
		for i := len(ns) - 1; i >= 0; i-- { // the newest link
			if m := surveyLink.FindStringSubmatch(ns[i].Body); m != nil {
				return m[1]
			}
		}
	}
	s.t.Fatalf("no survey SMS for %s: %+v", number, s.sys.Inbox.Messages(number))
	return ""
}

// browser is a signed-in (or not) HTTP client that keeps cookies and does not
// follow redirects, so tests see each status.
type browser struct {
	s    *site
	c    *http.Client
	csrf string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	Status   int
	Body     string
	Location string
}

func (b *browser) do(req *http.Request) page {
	b.s.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{Status: res.StatusCode, Body: string(body), Location: res.Header.Get("Location")}
}

func (b *browser) get(path string) page {
	b.s.t.Helper()
	req, _ := http.NewRequest("GET", b.s.sys.URL+path, nil)
	return b.do(req)
}

// post sends a form with the session's CSRF token (unless the form sets _csrf).
func (b *browser) post(path string, form url.Values) page {
	b.s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["_csrf"]; !set {
		form.Set("_csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.s.sys.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// apiCall calls the API with the session cookie, and the CSRF header when csrf is set.
func (b *browser) apiCall(method, path string, body any, csrf string) page {
	b.s.t.Helper()
	req, _ := http.NewRequest(method, b.s.sys.URL+path, jsonBody(body))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	return b.do(req)
}

var (
	formToken = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
)

// login signs in through the form and reads the session's CSRF token from a page.
func (b *browser) login(user, pass string) page {
	b.s.t.Helper()
	p := b.get("/login")
	m := formToken.FindStringSubmatch(p.Body)
	if m == nil {
		b.s.t.Fatalf("sign-in page has no form token:\n%s", p.Body)
	}
	res := b.post("/login", url.Values{"_csrf": {m[1]}, "username": {user}, "password": {pass}})
	if res.Status == http.StatusSeeOther {
		home := b.get(res.Location)
		if m := formToken.FindStringSubmatch(home.Body); m != nil {
			b.csrf = m[1]
		}
	}
	return res
}

func (s *site) signedIn(user string) *browser {
	s.t.Helper()
	b := s.browser()
	if p := b.login(user, password); p.Status != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: status %d:\n%s", user, p.Status, p.Body)
	}
	return b
}

func (s *site) exec(sql string, args ...any) {
	s.t.Helper()
	if _, err := s.sys.Store.Pool().Exec(context.Background(), sql, args...); err != nil {
		s.t.Fatal(err)
	}
}

func jsonBody(body any) io.Reader {
	if body == nil {
		return http.NoBody
	}
	j, _ := json.Marshal(body)
	return bytes.NewReader(j)
}
