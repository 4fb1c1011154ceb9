package campaigns_test

import (
	"crypto/rand"
	"encoding/hex"
	"rectify/internal/apitest"
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
	c := a.client()
	c.Department(admin, deptA, "市场监督管理局")
	c.Department(admin, deptB, "公安局")
	a.channel = c.User(admin, "gov-service-system", "channel", "")
	a.callcenter = c.User(admin, "cc-li", "callcenter", "")
	a.supervisor = c.User(admin, "sup-wang", "supervisor", "")
	return a
}

// client is the shared API client (internal/apitest) on this test's system.
func (a *api) client() apitest.Client { return apitest.Client{TB: a.t, URL: a.sys.URL} }

// do sends one request (see apitest.Client.Do).
func (a *api) do(method, path, token string, body any) apitest.Reply {
	a.t.Helper()
	return a.client().Do(method, path, token, body)
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
	return a.sys.Count(a.t, query, args...)
}
