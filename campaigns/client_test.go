package campaigns_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"rectify/internal/testenv"
)

// Departments of every test system.
const (
	deptA = "320100-SCJG"
	deptB = "320100-GAJ"
	admin = testenv.AdminToken
)

// api is one test's running rectify, driven over HTTP as its users would.
type api struct {
	t      *testing.T
	sys    *testenv.System
	prefix string // keeps case numbers (and so rating and workflow ids) unique on the shared Temporal server
	// bearer tokens
	channel, callcenter, supervisor string
}

func setup(t *testing.T) *api {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	a := &api{t: t, sys: testenv.NewSystem(t, ts), prefix: hex.EncodeToString(b)}
	for code, name := range map[string]string{deptA: "市场监督管理局", deptB: "公安局"} {
		a.do("POST", "/api/v1/departments", admin, map[string]string{"code": code, "name": name}).want(http.StatusCreated)
	}
	a.channel = a.user("gov-service-system", "channel", "")
	a.callcenter = a.user("cc-li", "callcenter", "")
	a.supervisor = a.user("sup-wang", "supervisor", "")
	return a
}

// user creates a user (of dept, for department staff) and returns its API token.
func (a *api) user(name, role, dept string) string {
	a.t.Helper()
	a.do("POST", "/api/v1/users", admin, map[string]string{"username": name, "password": "correct horse battery", "role": role,
		"department_code": dept}).want(http.StatusCreated)
	var tok struct {
		Token string `json:"token"`
	}
	a.do("POST", "/api/v1/users/"+name+"/tokens", admin, nil).want(http.StatusCreated).decode(&tok)
	return tok.Token
}

// reply is an HTTP response, read whole.
type reply struct {
	t            *testing.T
	Method, Path string
	Status       int
	Raw          []byte
}

func (r reply) String() string {
	return fmt.Sprintf("%s %s → %d %s", r.Method, r.Path, r.Status, strings.TrimSpace(string(r.Raw)))
}

func (a *api) do(method, path, token string, body any) reply {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.sys.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return reply{t: a.t, Method: method, Path: path, Status: resp.StatusCode, Raw: raw}
}

func (r reply) want(status int) reply {
	r.t.Helper()
	if r.Status != status {
		r.t.Fatalf("want %d, got %s", status, r)
	}
	return r
}

func (r reply) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		r.t.Fatalf("%s: %v", r, err)
	}
}

// wantError checks the status and the contract's error code.
func (r reply) wantError(status int, code string, fields ...string) {
	r.t.Helper()
	r.want(status)
	var e struct {
		Error struct {
			Code   string `json:"code"`
			Fields []struct {
				Field string `json:"field"`
			} `json:"fields"`
		} `json:"error"`
	}
	r.decode(&e)
	if e.Error.Code != code {
		r.t.Fatalf("%s: want error code %q", r, code)
	}
	for _, f := range fields {
		found := false
		for _, g := range e.Error.Fields {
			found = found || g.Field == f
		}
		if !found {
			r.t.Fatalf("%s: want field %q named", r, f)
		}
	}
}

// kase is a finished case as a service system reports it.
func (a *api) kase(no, dept, item, phone string, finishedAgo time.Duration) map[string]any {
	c := map[string]any{"case_no": a.prefix + "-" + no, "service_item_code": item, "department_code": dept,
		"hall_code": "H01", "channel": "hall", "finished_at": time.Now().Add(-finishedAgo).Format(time.RFC3339)}
	if phone != "" {
		c["applicant"] = map[string]string{"name": "张三", "phone": phone}
	}
	return c
}

// count runs a SELECT count(*) on the test's database.
func (a *api) count(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.sys.Store.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
	return n
}
