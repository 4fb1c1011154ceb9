package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rectify/workflows"
)

// TestBrowserCallbackQueue drives Chromium through the call center's
// satisfaction call-back queue: the campaign releases two sampled cases, the
// operator sees them oldest first with masked numbers, calls the first (full
// number on the call page) and registers a dissatisfied answer, which opens a
// ticket; the second does not answer.
func TestBrowserCallbackQueue(t *testing.T) {
	s := browserSite(t)
	s.callEveryCase()
	prefix := fmt.Sprintf("BJ%d", time.Now().UnixNano())
	for i, ago := range []time.Duration{3 * time.Hour, time.Hour} {
		s.api(s.tokens["portal"], "POST", "/api/v1/cases", map[string]any{"case_no": fmt.Sprintf("%s-%d", prefix, i+1),
			"service_item_code": "survey", "service_item_name": "食品经营许可证核发", "department_code": deptA,
			"hall_code": "H01", "channel": "hall", "finished_at": time.Now().Add(-ago).Format(time.RFC3339),
			"applicant": map[string]string{"name": "王五", "phone": fmt.Sprintf("1391234000%d", i+1)}}, 201)
	}
	s.released(2)

	people := browserFor(t, s, 2*time.Minute)
	cc := people()
	cc.signIn("cc")
	cc.waitText("nav", "满意度回访")
	cc.click(`nav a[href="/callcenter/callbacks"]`)
	cc.waitText("h1", "办件满意度回访")
	cc.waitText("#calling-window", "当前可以拨打")
	cc.waitText("#callbacks", prefix+"-1", prefix+"-2", "食品经营许可证核发", "139****0001", "0 / 3 次")
	if list := cc.text("#callbacks"); strings.Index(list, prefix+"-1") > strings.Index(list, prefix+"-2") {
		t.Errorf("the older case is not first:\n%s", list)
	}
	if strings.Contains(cc.text("main"), "13912340001") {
		t.Errorf("the queue shows a full phone number")
	}
	cc.shot("callback-queue")

	// The oldest case: reached, dissatisfied. Its call page audits the full number.
	reveals := func() (n int) {
		if err := s.sys.Store.Pool().QueryRow(context.Background(),
			`SELECT count(*) FROM phone_reveals WHERE case_no = $1`, prefix+"-1").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	revealsBefore := reveals()
	cc.click("#callbacks tbody tr:first-child a.button")
	cc.waitText("#phone", "13912340001")
	cc.waitText("h1", prefix+"-1")
	if n := reveals(); n <= revealsBefore {
		t.Errorf("the call page showed the full number with no new phone_reveals row (%d before, %d after)", revealsBefore, n)
	}
	cc.waitText(".card", "食品经营许可证核发", "王五", "0 / 3 次")
	cc.run(chromedp.Click(chromedp.CSS("#reached-yes")), chromedp.Click(chromedp.CSS("#level-very_dissatisfied")),
		chromedp.SetValue(chromedp.CSS("#comment"), "办理时间太长，窗口没有一次性告知材料。"))
	cc.shot("callback-call")
	cc.click("#call-submit")
	cc.waitText(".flash", "已生成工单 GD")
	cc.waitText("#callbacks", prefix+"-2")
	if strings.Contains(cc.text("#callbacks"), prefix+"-1") {
		t.Errorf("the answered case is still in the queue")
	}

	// The next one does not answer: it rests until its retry.
	cc.click("#callbacks tbody tr:first-child a.button")
	cc.waitText("#phone", "13912340002")
	cc.run(chromedp.Click(chromedp.CSS("#reached-no")))
	cc.click("#call-submit")
	cc.waitText(".flash", "已登记本次拨打")
	cc.open("/callcenter/callbacks?all=1")
	cc.waitText("#callbacks", prefix+"-2", "1 / 3 次")

	// The supervisor reads the calls in the analytics page: the department's row
	// counts what the API counts (other tests share the site, so not fixed numbers).
	sup := people()
	sup.signIn("sup")
	sup.waitText("nav", "量化分析")
	sup.open("/analytics")
	sup.waitText("#callbacks", "办件满意度回访")
	row := fmt.Sprintf(`#callback-figures tr[data-dept=%q]`, deptA)
	sup.waitText(row+" th", "市场监督管理局")
	var api struct {
		Departments []struct {
			Cases, Sampled, Called, Reached int
		}
	}
	s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/stats/callbacks?department_code="+deptA, nil, 200), &api)
	if len(api.Departments) != 1 || api.Departments[0].Called < 2 || api.Departments[0].Reached < 1 {
		t.Fatalf("the API's figures for %s: %+v, want at least this test's 2 calls, 1 reached", deptA, api.Departments)
	}
	d := api.Departments[0]
	want := []string{fmt.Sprint(d.Cases), fmt.Sprint(d.Sampled), fmt.Sprint(d.Called)}
	if got := strings.Split(sup.text(row+" td"), "\n"); len(got) < 3 || strings.Join(got[:3], " ") != strings.Join(want, " ") {
		t.Errorf("page row %q, the API says cases, sampled, called = %v", got, want)
	}
	sup.shot("analytics-callbacks")
}

// callEveryCase has every case of "survey" called, at any hour on any day, so a
// test does not depend on when it runs.
func (s *site) callEveryCase() {
	s.t.Helper()
	s.api(s.tokens["sup"], "PUT", "/api/v1/sampling-rules", map[string]any{"always_call_items": []string{"survey"},
		"calling_hours": map[string]string{"start": "00:00", "end": "24:00"}, "call_on_non_working_days": true}, 200)
}

// released waits until the campaign has released n cases to the call-back
// queue, waking it rather than waiting for its pace.
func (s *site) released(n int) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_ = s.sys.Temporal.SignalWorkflow(context.Background(), workflows.CampaignWorkflowID(s.sys.Config.Temporal.TaskQueue),
			"", workflows.SignalCampaignWake, nil)
		var q struct{ Callbacks []json.RawMessage }
		s.decode(s.api(s.tokens["cc"], "GET", "/api/v1/callbacks", nil, 200), &q)
		if len(q.Callbacks) == n {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the campaign released %d of %d cases in 30s", len(q.Callbacks), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
