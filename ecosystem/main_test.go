package ecosystem

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"rectify/hmacsig"
	"rectify/internal/testenv"
)

var ts *temporaltest.TestServer

func TestMain(m *testing.M) {
	ts = testenv.StartTemporal()
	code := m.Run()
	ts.Stop()
	os.Exit(code)
}

const (
	deptA  = "320100-SCJG"
	deptB  = "320100-GAJ"
	secret = "shared-secret-0123456789"
)

// client drives one system over HTTP.
type client struct {
	t   *testing.T
	url string
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// do sends a JSON request; headers may sign it.
func (c client) do(method, path, token string, body any, header http.Header) reply {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				c.t.Fatal(err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, b}
}

// must sends a request that must answer want.
func (c client) must(want int, method, path, token string, body any) reply {
	c.t.Helper()
	r := c.do(method, path, token, body, nil)
	if r.status != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, want)
	}
	return r
}

// signed posts body with the webhook signature of secret.
func (c client) signed(path, secret string, body any) reply {
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
		c.must(201, "POST", "/api/v1/departments", admin, map[string]string{"code": code, "name": name})
	}
	user := func(name, role, dept string) string {
		u := map[string]string{"username": name, "password": "password-123", "role": role}
		if dept != "" {
			u["department_code"] = dept
		}
		c.must(201, "POST", "/api/v1/users", admin, u)
		var tok struct{ Token string }
		c.must(201, "POST", "/api/v1/users/"+name+"/tokens", admin, nil).decode(c.t, &tok)
		return tok.Token
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
	c.must(201, "POST", "/api/v1/ratings", token, r).decode(c.t, &out)
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
	c.must(200, "GET", "/api/v1/tickets/"+number, token, nil).decode(c.t, &tk)
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
