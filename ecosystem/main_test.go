package ecosystem

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"rectify/internal/apitest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"rectify/hmacsig"
	"rectify/internal/testenv"
)

var ts *temporaltest.TestServer

func TestMain(m *testing.M) { testenv.Main(m, &ts) }

const (
	deptA  = "320100-SCJG"
	deptB  = "320100-GAJ"
	secret = "shared-secret-0123456789"
)

// fakeEndpoint is a system around rectify that rectify pushes signed bodies
// to: it checks each signature (a bad one fails the test and is answered 401),
// answers 503 while down and hands every other body to accept, under mu.
type fakeEndpoint struct {
	*httptest.Server
	mu       sync.Mutex
	down     int // answer 503 to this many more
	attempts int
}

// newFakeEndpoint starts a fake that is down for the first down requests; what
// names its requests in failures.
func newFakeEndpoint(t *testing.T, down int, what string, accept func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeEndpoint {
	e := &fakeEndpoint{down: down}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := hmacsig.Verify(secret, r.Header, body, time.Now()); err != nil {
			t.Errorf("%s with a bad signature: %v", what, err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.attempts++
		if e.down > 0 {
			e.down--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		accept(w, r, body)
	}))
	t.Cleanup(e.Close)
	return e
}

// client drives one system over HTTP.
type client struct {
	t   *testing.T
	url string
}

// api is the shared API client (internal/apitest) on this system.
func (c client) api() apitest.Client { return apitest.Client{TB: c.t, URL: c.url} }

// do sends a request (see apitest.Client.Do); header may sign it.
func (c client) do(method, path, token string, body any, header http.Header) apitest.Reply {
	c.t.Helper()
	return c.api().Do(method, path, token, body, header)
}

// must sends a request that must answer want.
func (c client) must(want int, method, path, token string, body any) apitest.Reply {
	c.t.Helper()
	return c.do(method, path, token, body, nil).Want(c.t, want)
}

// signed posts body with the webhook signature of secret.
func (c client) signed(path, secret string, body any) apitest.Reply {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	h := http.Header{}
	hmacsig.SetHeaders(h, secret, time.Now(), b)
	return c.do("POST", path, "", b, h)
}

// team is one user of each role the tests need, by token.
type team struct{ channel, supervisor, deptA, deptB string }

// setup registers two departments and the team.
func (c client) setup() team {
	c.t.Helper()
	admin := testenv.AdminToken
	for code, name := range map[string]string{deptA: "市场监督管理局", deptB: "公安局"} {
		c.api().Department(admin, code, name)
	}
	user := func(name, role, dept string) string {
		return c.api().User(admin, name, role, dept)
	}
	return team{channel: user("portal", "channel", ""), supervisor: user("sup", "supervisor", ""),
		deptA: user("scjg", "department", deptA), deptB: user("gaj", "department", deptB)}
}

// negative submits a negative rating and returns its ticket number.
func (c client) negative(token, id, dept string, reachable bool) string {
	c.t.Helper()
	r := map[string]any{"id": id, "channel": "web", "level": "very_dissatisfied", "department_code": dept,
		"comment": "窗口排队一个多小时", "aspects": []string{"queueing"}}
	if reachable {
		r["citizen"] = map[string]any{"name": "王小明", "phone": "13812345678", "anonymous": false}
	}
	var out struct {
		TicketNumber string `json:"ticket_number"`
	}
	c.must(201, "POST", "/api/v1/ratings", token, r).Decode(c.t, &out)
	if out.TicketNumber == "" {
		c.t.Fatalf("negative rating %s has no ticket", id)
	}
	return out.TicketNumber
}

type ticket struct {
	Number         string `json:"number"`
	Status         string `json:"status"`
	DepartmentCode string `json:"department_code"`
	Round          int    `json:"round"`
	PendingRequest *struct {
		Type string `json:"type"`
	} `json:"pending_request"`
	Events []struct {
		Type  string `json:"type"`
		Actor string `json:"actor"`
	} `json:"events"`
}

func (c client) ticket(token, number string) ticket {
	c.t.Helper()
	var tk ticket
	c.must(200, "GET", "/api/v1/tickets/"+number, token, nil).Decode(c.t, &tk)
	return tk
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
