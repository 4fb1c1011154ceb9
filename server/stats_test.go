package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"rectify/calendar"
	"rectify/domain"
	"rectify/internal/apitest"
	"rectify/internal/testdb"
	"rectify/internal/testenv"
	"rectify/server"
)

const statsAdmin = "stats-admin-token-0123456789"

// statsServer is the API on a fresh database with two departments, a supervisor,
// a D-A department user, and three ratings on 2026-02-10 (Shanghai).
func statsServer(t *testing.T) *httptest.Server {
	t.Helper()
	st := testdb.New(t)
	testdb.TwoDepartments(t, st)
	for _, u := range []domain.User{{Username: "sup", Role: domain.RoleSupervisor}, {Username: "depa", Role: domain.RoleDepartment, DepartmentCode: "D-A"}} {
		testdb.UserWithToken(t, st, u, u.Username+"-token-0123456789")
	}
	testdb.ThreeRatings(t, st, time.Date(2026, 2, 10, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	loc, _ := time.LoadLocation("Asia/Shanghai")
	s := server.New(server.Deps{Store: st, Calendar: calendar.New(loc, 18*time.Hour),
		Log: slog.New(slog.DiscardHandler), BootstrapAdminToken: statsAdmin})
	// Every answer is checked against openapi.yaml, where each answer has its own
	// path and shape (issue 16 item 12).
	srv := httptest.NewServer(testenv.Contract(t, s.Echo))
	t.Cleanup(srv.Close)
	return srv
}

type got struct {
	status int
	header http.Header
	body   []byte
}

// call sends body (sent as it is, "" included) with the bearer token.
func call(t *testing.T, srv *httptest.Server, token, method, path, body string) got {
	t.Helper()
	r := apitest.Client{TB: t, URL: srv.URL}.Do(method, path, token, body)
	return got{r.Status, r.Header, r.Raw}
}

// wantStatuses GETs each path as the admin and checks its status.
func wantStatuses(t *testing.T, srv *httptest.Server, statuses map[string]int) {
	t.Helper()
	for path, status := range statuses {
		if g := call(t, srv, statsAdmin, "GET", path, ""); g.status != status {
			t.Errorf("%s: status %d, want %d: %s", path, g.status, status, g.body)
		}
	}
}

const feb = "?from=2026-02-01&to=2026-02-28"

func TestStatsAPI(t *testing.T) {
	srv := statsServer(t)

	t.Run("departments answers API.md's shape", func(t *testing.T) {
		g := call(t, srv, statsAdmin, "GET", "/api/v1/stats/departments"+feb, "")
		if g.status != 200 {
			t.Fatalf("status %d: %s", g.status, g.body)
		}
		var body struct {
			Departments []map[string]any `json:"departments"`
		}
		if err := json.Unmarshal(g.body, &body); err != nil {
			t.Fatal(err)
		}
		if len(body.Departments) != 2 {
			t.Fatalf("departments: %s", g.body)
		}
		a := body.Departments[0]
		for _, k := range []string{"department_code", "total", "by_level", "satisfaction_rate", "negative_rate", "score",
			"tickets", "rectified", "rectified_on_time", "followed_up", "satisfied_after_followup", "overdue", "returns",
			"extensions", "reopened"} {
			if _, ok := a[k]; !ok {
				t.Errorf("row has no %q: %v", k, a)
			}
		}
		want := map[string]any{"department_code": "D-A", "department_name": "甲局", "total": 2.0, "negative_rate": 0.5,
			"satisfaction_rate": 0.5, "score": 6.5, "tickets": 1.0,
			"by_level": map[string]any{"very_satisfied": 1.0, "satisfied": 0.0, "basically_satisfied": 0.0, "dissatisfied": 1.0, "very_dissatisfied": 0.0}}
		for k, v := range want {
			if gv, _ := json.Marshal(a[k]); string(gv) != mustJSON(v) {
				t.Errorf("%s = %s, want %s", k, gv, mustJSON(v))
			}
		}
	})

	t.Run("department users see their own department", func(t *testing.T) {
		g := call(t, srv, "depa-token-0123456789", "GET", "/api/v1/stats/departments"+feb, "")
		if g.status != 200 || !strings.Contains(string(g.body), `"D-A"`) || strings.Contains(string(g.body), `"D-B"`) {
			t.Errorf("status %d: %s", g.status, g.body)
		}
		for _, path := range []string{"/api/v1/stats/departments" + feb + "&department_code=D-B", "/api/v1/stats/rankings" + feb,
			"/api/v1/stats/settings"} {
			if g := call(t, srv, "depa-token-0123456789", "GET", path, ""); g.status != 403 {
				t.Errorf("%s: status %d, want 403", path, g.status)
			}
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		wantStatuses(t, srv, map[string]int{
			"/api/v1/stats/departments?from=yesterday":                   400,
			"/api/v1/stats/departments?from=2026-02-02&to=2026-02-01":    400,
			"/api/v1/stats/departments?from=2000-01-01&to=2026-02-01":    400,
			"/api/v1/stats/trends?period=year":                           400,
			"/api/v1/stats/rankings?metric=luck":                         400,
			"/api/v1/stats/rankings?limit=0":                             400,
			"/api/v1/stats/budgets":                                      404,
			"/api/v1/stats/departments.pdf":                              404,
			"/api/v1/stats/departments?from=2026-02-01T00:00:00%2B08:00": 200,
		})
	})

	// Issue 16 item 11: a parameter of another answer is not silently ignored.
	t.Run("parameters of another answer", func(t *testing.T) {
		g := call(t, srv, statsAdmin, "GET", "/api/v1/stats/channels?limit=abc&period=bogus", "")
		if g.status != 422 || !strings.Contains(string(g.body), `"code":"unknown_parameter"`) ||
			!strings.Contains(string(g.body), `"field":"limit"`) || !strings.Contains(string(g.body), `"field":"period"`) {
			t.Errorf("status %d: %s", g.status, g.body)
		}
		wantStatuses(t, srv, map[string]int{
			"/api/v1/stats/departments.csv?metric=score":                    422,
			"/api/v1/stats/trends?min_volume=3":                             422,
			"/api/v1/stats/rankings.csv?min_volume=3":                       200,
			"/api/v1/stats/departments?department_code=D-A&from=2026-02-01": 200,
		})
	})

	t.Run("CSV export", func(t *testing.T) {
		g := call(t, srv, "sup-token-0123456789", "GET", "/api/v1/stats/departments.csv"+feb, "")
		if g.status != 200 || !strings.HasPrefix(g.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("status %d, %s", g.status, g.header.Get("Content-Type"))
		}
		lines := strings.Split(strings.TrimPrefix(string(g.body), "\uFEFF"), "\n")
		if !strings.HasPrefix(lines[0], "部门编码,部门名称,评价总数,非常满意,满意,基本满意,不满意,非常不满意,好评率,差评率,综合得分") {
			t.Errorf("header: %s", lines[0])
		}
		if !strings.HasPrefix(lines[1], "D-A,甲局,2,1,0,0,1,0,50.00%,50.00%,6.50,1,") {
			t.Errorf("first row: %s", lines[1])
		}
		if cd := g.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="departments_20260201-20260228.csv"`) {
			t.Errorf("Content-Disposition: %s", cd)
		}
	})

	t.Run("Excel export", func(t *testing.T) {
		for _, name := range []string{"departments", "aspects", "trends", "rankings"} {
			q := feb
			if name == "rankings" {
				q += "&min_volume=1" // a parameter of the rankings only
			}
			g := call(t, srv, statsAdmin, "GET", "/api/v1/stats/"+name+".xlsx"+q, "")
			if g.status != 200 {
				t.Fatalf("%s: status %d: %s", name, g.status, g.body)
			}
			f, err := excelize.OpenReader(bytes.NewReader(g.body))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil || len(rows) < 2 {
				t.Fatalf("%s: rows %v, %v", name, rows, err)
			}
			if !strings.Contains(strings.Join(rows[0], ","), "评价总数,非常满意") {
				t.Errorf("%s header: %v", name, rows[0])
			}
			f.Close()
		}
	})

	t.Run("settings change the score", func(t *testing.T) {
		if g := call(t, srv, statsAdmin, "PUT", "/api/v1/stats/settings", `{"weights":[10,8,6,4,2]}`); g.status != 200 {
			t.Fatalf("status %d: %s", g.status, g.body)
		}
		g := call(t, srv, statsAdmin, "GET", "/api/v1/stats/departments"+feb+"&department_code=D-A", "")
		if !strings.Contains(string(g.body), `"score":7`) { // (10 + 4) / 2
			t.Errorf("score with new weights: %s", g.body)
		}
		if g := call(t, srv, "sup-token-0123456789", "PUT", "/api/v1/stats/settings", `{"weights":[1,2,3,4,5]}`); g.status != 422 {
			t.Errorf("rising weights: status %d: %s", g.status, g.body)
		}
		if g := call(t, srv, "sup-token-0123456789", "PUT", "/api/v1/stats/settings", `{"min_volume":-1}`); g.status != 422 {
			t.Errorf("negative min_volume: status %d: %s", g.status, g.body)
		}
	})

	t.Run("rankings and trends", func(t *testing.T) {
		g := call(t, srv, statsAdmin, "GET", "/api/v1/stats/rankings"+feb+"&min_volume=2", "")
		if g.status != 200 || !strings.Contains(string(g.body), `"red":[{"place":1,"department_code":"D-A"`) ||
			!strings.Contains(string(g.body), `"unranked":1`) {
			t.Errorf("rankings: %d %s", g.status, g.body)
		}
		g = call(t, srv, statsAdmin, "GET", "/api/v1/stats/trends?from=2026-02-09&to=2026-02-11&period=day", "")
		if g.status != 200 || !strings.Contains(string(g.body), `{"period_start":"2026-02-10","total":3,`) {
			t.Errorf("trends: %d %s", g.status, g.body)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
