package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/calendar"
	"rectify/campaigns"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

func TestAnalyticsPage(t *testing.T) {
	st := testdb.New(t)
	testdb.TwoDepartments(t, st)
	now := time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC)
	testdb.ThreeRatings(t, st, now.Add(-24*time.Hour))
	loc, _ := time.LoadLocation("Asia/Shanghai")
	callBack(t, st, now, loc)
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
		"echarts.min.js", "服务态度",
		// D-A: 2 cases sampled, both called, one reached (a satisfied answer); self-submitted 2 ratings, 1 satisfied.
		`<tr data-dept="D-A"><th scope="row">甲局</th>` + cells("2", "2", "2", "100.0%", "1", "50.0%", "0", "1", "100.0%", "8.00", "2", "50.0%", "6.50"),
		// D-B: its one case never called, so no reach rate.
		`<tr data-dept="D-B"><th scope="row">乙局</th>` + cells("1", "1", "0", "0.0%", "0", "–"),
		`<tfoot><tr><th scope="row">合计</th>` + cells("3", "3", "2", "66.7%", "1", "50.0%"),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A department user sees their own department only, and no red/black lists; its
	// call-back figures are of the last ended month (2026-01), so this month's
	// sampled cases are not in them (issue 15, item 15).
	code, body = get(domain.User{Username: "depa", Role: domain.RoleDepartment, DepartmentCode: "D-A"}, "department_code=D-B")
	if code != 200 || !strings.Contains(body, "甲局") || strings.Contains(body, "乙局") || strings.Contains(body, "红榜") ||
		strings.Contains(body, `<tr data-dept="D-A">`) || strings.Contains(body, "合计") ||
		!strings.Contains(body, `<p class="hint" id="callback-month">本部门的回访数字按已结束的整月提供，当前显示 2026-01`) {
		t.Errorf("department user: status %d: %s", code, body)
	}
	// Bad dates fall back to the last 30 days with a message.
	if code, body = get(domain.User{Username: "sup", Role: domain.RoleSupervisor}, "from=yesterday"); code != 200 || !strings.Contains(body, "日期范围无效") {
		t.Errorf("bad dates: status %d", code)
	}
}

// cells is table cells as the page writes them.
func cells(vs ...string) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(`<td class="num">` + v + `</td>`)
	}
	return b.String()
}

// callBack has two D-A cases and one D-B case finished two hours before now,
// all sampled and released; D-A's first is answered satisfied, its second not
// reached, D-B's never called.
func callBack(t *testing.T, st *store.Store, now time.Time, loc *time.Location) {
	t.Helper()
	ctx := context.Background()
	rules := campaigns.Default()
	rules.AlwaysCallItems = []string{"survey"}
	rules.CallingHours, rules.CallOnNonWorkingDays = campaigns.Hours{Start: "00:00", End: "24:00"}, true
	rules, err := campaigns.SaveRules(ctx, st, rules, nil, "sup")
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.NewCase
	for i, dept := range []string{"D-A", "D-A", "D-B"} {
		cs = append(cs, store.NewCase{CaseNo: fmt.Sprintf("C-%d", i), ServiceItemCode: "survey", DepartmentCode: dept,
			FinishedAt: now.Add(-2 * time.Hour), ApplicantPhone: fmt.Sprintf("1380000000%d", i), BodyHash: []byte{1}})
	}
	if _, err := campaigns.Intake(ctx, st, cs); err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.ReleaseCallbacks(ctx, st, rules, now, loc); err != nil {
		t.Fatal(err)
	}
	answer := store.NewRating{BodyHash: []byte{2}, Rating: domain.Rating{ID: "cb-C-0", Channel: domain.ChannelHotline,
		Level: domain.Satisfied, RatedAt: now, DepartmentCode: "D-A", Service: domain.Service{CaseNo: "C-0"}, Aspects: []string{}}}
	if _, err := st.CreateRatings(ctx, []store.NewRating{answer}); err != nil {
		t.Fatal(err)
	}
	for no, a := range map[string]store.NewCallAttempt{"C-0": {Reached: true, RatingID: "cb-C-0"}, "C-1": {}} {
		if err := st.Pool().QueryRow(ctx, `SELECT id FROM callbacks WHERE case_no = $1`, no).Scan(&a.CallbackID); err != nil {
			t.Fatalf("call-back of %s: %v", no, err)
		}
		a.CalledBy, a.At = "cc", now
		if _, _, err := st.LogCallAttempt(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}
