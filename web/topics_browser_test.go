package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTopics drives Chromium through the analytics page's 差评热点 and
// 好评经验 in zh-CN: the terms of this test's comments with their bars, the
// praised staff and hall, and a term's link to the ratings mentioning it, with
// typed phone numbers masked everywhere.
func TestBrowserTopics(t *testing.T) {
	s := browserSite(t)
	for _, c := range []string{
		"排队两个小时，窗口只开了一个，电话13812345678",
		"排队太久，叫号系统还坏了",
		"排队的人太多，材料还被退回",
		"材料反复退回，跑了三次",
		"系统卡顿，排队重新取号",
	} {
		s.rate(deptA, c, "queueing")
	}
	for i, c := range []string{"工作人员很耐心，帮办服务热情", "耐心解答，效率很高", "一网通办很方便，工作人员耐心"} {
		s.api(s.tokens["portal"], "POST", "/api/v1/ratings", map[string]any{
			"id": fmt.Sprintf("T-topics-%d-%d", time.Now().UnixNano(), i), "channel": "hall", "level": "very_satisfied",
			"department_code": deptA, "staff_id": "S-0042", "hall_code": "H-XW", "comment": c}, 201)
	}

	sup := browserFor(t, s, 2*time.Minute)()
	sup.signIn("sup")
	sup.waitText("nav", "量化分析")
	sup.open("/analytics?department_code=" + deptA)
	sup.waitText("#topics-hot", "差评热点")
	sup.waitText("#topics-good", "好评经验")
	sup.waitText("#topics-negative tbody tr:first-child", "排队", "4", "↑ +4")
	sup.waitText("#topics-negative", "材料", "窗口")
	sup.waitText("#topics-positive tbody tr:first-child", "耐心", "3")
	sup.waitText("#praised-staff", "S-0042", "3")
	sup.waitText("#praised-halls", "H-XW")
	if txt := sup.text("main"); strings.Contains(txt, "13812345678") {
		t.Errorf("the analytics page shows a typed phone number")
	}
	// ECharts drew both bar charts.
	for _, id := range []string{"chart-topics-hot", "chart-topics-good"} {
		var canvases int
		for deadline := time.Now().Add(10 * time.Second); canvases == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			canvases, _ = chromedp.Run(sup.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#%s canvas").length`, id)))
		}
		if canvases == 0 {
			t.Errorf("#%s has no chart", id)
		}
	}
	sup.run(chromedp.ScrollIntoView(chromedp.CSS("#topics")))
	sup.shot("analytics-topics")

	// A term leads to the ratings that mention it.
	sup.click(`#topics-negative tbody tr:first-child th a`)
	sup.waitText("h1", "提到“排队”的评价")
	sup.waitText("#mentions", "排队两个小时", "***********", "非常不满意")
	if rows := strings.Count(sup.text("#mentions tbody"), "排队"); rows < 4 {
		t.Errorf("the mentions list shows %d ratings with 排队, want 4:\n%s", rows, sup.text("#mentions"))
	}
	if strings.Contains(sup.text("main"), "13812345678") {
		t.Errorf("the mentions list shows a typed phone number")
	}
	sup.shot("analytics-topic-mentions")
}
