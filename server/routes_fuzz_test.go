package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"rectify/calendar"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/server"
	"rectify/store"
	"rectify/web"
)

// queryNames are the query parameters the API and the pages read.
var queryNames = []string{"all", "cursor", "department_code", "dept", "due", "expired", "from", "limit", "min_volume",
	"next", "overdue", "page", "period", "q", "status", "tab", "team", "ticket_number", "to", "v", "working_days", "year"}

const fuzzAdmin = "fuzz-admin-token-0123456789"

// badValues are the inputs that reached Postgres unchecked and came back 500
// (issue 15 item 9), and their neighbours.
var badValues = []string{"GD20261126000001", "\xff", "a\x00b", "2026-02-30", "abc", "2026", "-1",
	"99999999999999999999", "../../etc", "%", "测试"}

// TestRoutesRefuseBadInput sends every route each bad value as its path
// parameters and as a query parameter: never a 5xx.
func TestRoutesRefuseBadInput(t *testing.T) {
	routes, send := routeHarness(t)
	for i := range routes {
		for j, v := range badValues {
			if msg := send(uint16(i), v, uint8(i+j), v, j%2 == 0); msg != "" {
				t.Error(msg)
			}
		}
	}
}

// FuzzRoutes sends every route of the API and the pages, as a signed-in admin by
// token and by session, with fuzzed path parameters and one fuzzed query
// parameter, to a real database. Bad input is a 4xx, never a 5xx. One seed per
// route keeps the baseline short enough for CI's few seconds.
func FuzzRoutes(f *testing.F) {
	routes, send := routeHarness(f)
	for i := range routes {
		v := badValues[i%len(badValues)]
		f.Add(uint16(i), v, uint8(i), v, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, ri uint16, param string, qi uint8, value string, bySession bool) {
		if msg := send(ri, param, qi, value, bySession); msg != "" {
			t.Fatal(msg)
		}
	})
}

// routeHarness is the API and the pages on a fresh database with an admin, and a
// function that sends one request and describes a 5xx ("" otherwise).
func routeHarness(tb testing.TB) ([]echoRoute, func(ri uint16, param string, qi uint8, value string, bySession bool) string) {
	f := tb
	st := testdb.New(f)
	ctx := context.Background()
	if err := st.CreateUser(ctx, domain.User{Username: "admin", Role: domain.RoleAdmin}, "x"); err != nil {
		f.Fatal(err)
	}
	session := "fuzz-session-0123456789"
	if err := st.CreateSession(ctx, store.NewSession{Token: session, Username: "admin", CSRFToken: "fuzz-csrf",
		TTL: time.Hour, IdleTimeout: time.Hour}); err != nil {
		f.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := calendar.New(loc, 18*time.Hour)
	log := slog.New(slog.DiscardHandler)
	s := server.New(server.Deps{Store: st, Calendar: cal, Log: log, BootstrapAdminToken: fuzzAdmin})
	web.Register(s.Echo, web.Deps{Store: st, Calendar: cal, Log: log})
	var routes []echoRoute
	for _, r := range s.Echo.Routes() {
		// /readyz asks Temporal, which this test does not run; echo's catch-alls are no routes of ours.
		if r.Path == "/readyz" || strings.HasSuffix(r.Path, "*") || r.Method == "echo_route_any" {
			continue
		}
		routes = append(routes, echoRoute{r.Method, r.Path})
	}
	return routes, func(ri uint16, param string, qi uint8, value string, bySession bool) string {
		r := routes[int(ri)%len(routes)]
		path := paramPattern.ReplaceAllLiteralString(r.path, escapeAll(param))
		target := path + "?" + queryNames[int(qi)%len(queryNames)] + "=" + escapeAll(value)
		req := httptest.NewRequest(r.method, "/", nil)
		u, err := req.URL.Parse(target)
		if err != nil {
			return "" // not a request a client can send
		}
		req.URL, req.RequestURI = u, target
		req.RemoteAddr = "192.0.2.1:1234"
		if bySession {
			req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: session})
			req.Header.Set(server.CSRFHeader, "fuzz-csrf")
		} else {
			req.Header.Set("Authorization", "Bearer "+fuzzAdmin)
		}
		rec := httptest.NewRecorder()
		s.Echo.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			return fmt.Sprintf("%s %s: %d %.300s", r.method, target, rec.Code, rec.Body.String())
		}
		return ""
	}
}

type echoRoute struct{ method, path string }

var paramPattern = regexp.MustCompile(`:[a-z_]+`)

// escapeAll percent-encodes every byte outside the unreserved set, so any bytes
// (invalid UTF-8, NUL, '/', '?') reach the server as data, as a hostile client
// would send them.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
