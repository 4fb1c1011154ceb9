package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"rectify/calendar"
	"rectify/domain"
	"rectify/store"
)

// analyticsDB is a fresh migrated database (internal/testenv would import this
// package through app).
func analyticsDB(t *testing.T) *store.Store {
	t.Helper()
	base := os.Getenv("RECTIFY_TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "rectify_test_" + hex.EncodeToString(b)
	u.Path = "/" + name
	ctx := context.Background()
	st, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		if conn, err := pgx.Connect(context.Background(), base); err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(context.Background())
		}
	})
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAnalyticsPage(t *testing.T) {
	st := analyticsDB(t)
	ctx := context.Background()
	for _, d := range []domain.Department{{Code: "D-A", Name: "甲局"}, {Code: "D-B", Name: "乙局"}} {
		if err := st.CreateDepartment(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC)
	var rs []store.NewRating
	for i, r := range []struct {
		dept  string
		level domain.Level
	}{{"D-A", domain.VerySatisfied}, {"D-A", domain.Dissatisfied}, {"D-B", domain.Satisfied}} {
		id := string(rune('a' + i))
		h := sha256.Sum256([]byte(id))
		rs = append(rs, store.NewRating{BodyHash: h[:], Rating: domain.Rating{ID: id, Channel: domain.ChannelHall,
			Level: r.level, Negative: r.level.Negative(), RatedAt: now.Add(-24 * time.Hour), DepartmentCode: r.dept,
			Aspects: []string{"attitude"}}})
	}
	if _, err := st.CreateRatings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e := echo.New()
	w := Register(e, Deps{Store: st, Calendar: calendar.New(loc, 18*time.Hour), Log: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})

	get := func(u domain.User, query string) (int, string) {
		req := httptest.NewRequest("GET", "/analytics?"+query, nil)
		rec := httptest.NewRecorder()
		c := e.NewContext(req, rec)
		c.Set(sessKey, &sess{Session: store.Session{User: u, CSRFToken: "x"}})
		if err := w.analytics(c); err != nil {
			t.Fatal(err)
		}
		return rec.Code, rec.Body.String()
	}
	code, body := get(domain.User{Username: "sup", Role: domain.RoleSupervisor}, "period=week")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	for _, want := range []string{"量化分析", `href="/tickets?dept=D-A"`, "甲局", "乙局", "50.0%", "红榜", "黑榜",
		`/api/v1/stats/departments.xlsx?from=2026-01-22&amp;to=2026-02-20`, `id="analytics-data"`, `"aspect_negative":[1]`,
		"echarts.min.js", "服务态度"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A department user sees their own department only, and no red/black lists.
	code, body = get(domain.User{Username: "depa", Role: domain.RoleDepartment, DepartmentCode: "D-A"}, "department_code=D-B")
	if code != 200 || !strings.Contains(body, "甲局") || strings.Contains(body, "乙局") || strings.Contains(body, "红榜") {
		t.Errorf("department user: status %d: %s", code, body)
	}
	// Bad dates fall back to the last 30 days with a message.
	if code, body = get(domain.User{Username: "sup", Role: domain.RoleSupervisor}, "from=yesterday"); code != 200 || !strings.Contains(body, "日期范围无效") {
		t.Errorf("bad dates: status %d", code)
	}
}
