package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"rectify/config"
)

// Issue 17 items 8–12: screens that said the wrong thing. Each test drives
// Debian's Chromium through one page as its user would and checks what they read.

// eval runs a script in the page and decodes its JSON result into v.
func (b *tab) eval(script string, v any) {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("JSON.stringify((function(){"+script+"})())"))
	if err != nil {
		b.t.Fatalf("evaluate: %v", err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		b.t.Fatalf("evaluate: %v: %s", err, s)
	}
}

// act performs a ticket action through the API as user.
func (s *site) act(user, number, action string, body map[string]any) {
	s.t.Helper()
	s.api(s.tokens[user], "POST", "/api/v1/tickets/"+number+"/"+action, body, 200)
}

// answered are the survey tokens used so far: a later round's answer waits for
// its own SMS.
var answered = map[string]bool{}

// answer answers the ticket's newest survey link through the API.
func (s *site) answer(number, level string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tok := s.surveyToken(number)
	for answered[tok] {
		if time.Now().After(deadline) {
			s.t.Fatalf("no new survey SMS for %s", number)
		}
		time.Sleep(50 * time.Millisecond)
		tok = s.surveyToken(number)
	}
	answered[tok] = true
	s.api("", "POST", "/api/v1/surveys/"+tok, map[string]any{"level": level}, 200)
}

// Item 8: a day without ratings is a gap in the rate lines, not 0%; the count
// axis steps by whole numbers; an empty range says 暂无数据 in each chart and in
// the 红黑榜; the API's rates with nothing to divide are null.
func TestBrowserChartsTellTheTruth(t *testing.T) {
	s := browserSite(t)
	s.rate(deptA, "窗口工作人员态度生硬。", "attitude")
	s.rate(deptA, "材料被退回三次。", "guide")
	s.api(s.tokens["portal"], "POST", "/api/v1/ratings", map[string]any{"id": fmt.Sprintf("T-ok-%d", time.Now().UnixNano()),
		"channel": "web", "level": "satisfied", "department_code": deptA, "comment": "办事很顺利。"}, 201)
	today := time.Now().In(s.sys.Calendar.Location())
	from, to := today.AddDate(0, 0, -6).Format(time.DateOnly), today.Format(time.DateOnly)
	q := "from=" + from + "&to=" + to

	// The API: the six days without ratings have null rates; today has numbers.
	var trend struct {
		Points []map[string]any `json:"points"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		trend.Points = nil
		s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/stats/trends?period=day&"+q, nil, 200), &trend)
		if n := len(trend.Points); n > 0 && trend.Points[n-1]["total"] == float64(3) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the trend never counted today's three ratings: %+v", trend.Points)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i, p := range trend.Points {
		last := i == len(trend.Points)-1
		for _, k := range []string{"satisfaction_rate", "negative_rate", "score"} {
			if v, ok := p[k]; !ok || (v == nil) == last {
				t.Errorf("trend %v: %s = %v (present %v); want null exactly on days without ratings", p["period_start"], k, v, ok)
			}
		}
	}

	people := browserFor(t, s, 2*time.Minute)
	sup := people()
	sup.signInHome("sup")
	sup.open("/analytics?period=day&" + q)
	sup.waitText("h2#trend", "趋势")
	var chart struct {
		Sat, Neg []*float64
		Ticks    []float64
		AspTicks []float64
	}
	deadline = time.Now().Add(20 * time.Second)
	for chart.Ticks == nil {
		sup.eval(`var c = window.echarts && echarts.getInstanceByDom(document.getElementById('chart-trend'));
			var a = window.echarts && echarts.getInstanceByDom(document.getElementById('chart-aspects'));
			if (!c || !a) return {};
			var o = c.getOption();
			var ticks = function (ch, name) { return ch.getModel().getComponent(name, 0).axis.scale.getTicks().map(function (t) { return t.value; }); };
			return {Sat: o.series[1].data, Neg: o.series[2].data, Ticks: ticks(c, 'yAxis'), AspTicks: ticks(a, 'xAxis')};`, &chart)
		if time.Now().After(deadline) {
			t.Fatalf("the charts were never drawn")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(chart.Sat) != 7 || len(chart.Neg) != 7 {
		t.Fatalf("trend lines: %d and %d points, want 7", len(chart.Sat), len(chart.Neg))
	}
	for i := 0; i < 6; i++ {
		if chart.Sat[i] != nil || chart.Neg[i] != nil {
			t.Errorf("day %d has no ratings but is drawn at 好评率 %v, 差评率 %v; want a gap", i, deref(chart.Sat[i]), deref(chart.Neg[i]))
		}
	}
	if chart.Sat[6] == nil || *chart.Sat[6] != 1.0/3 || chart.Neg[6] == nil || *chart.Neg[6] != 2.0/3 {
		t.Errorf("today: 好评率 %v, 差评率 %v; want 1/3 and 2/3", deref(chart.Sat[6]), deref(chart.Neg[6]))
	}
	for _, tick := range append(chart.Ticks, chart.AspTicks...) {
		if tick != float64(int(tick)) {
			t.Errorf("a count axis has the tick %v: counts are whole numbers (ticks %v, %v)", tick, chart.Ticks, chart.AspTicks)
			break
		}
	}
	time.Sleep(1500 * time.Millisecond) // the charts' entrance animation
	sup.shot("analytics")

	// A range without ratings: every chart and both lists say so.
	sup.open("/analytics?from=2025-03-03&to=2025-03-09")
	sup.waitText("#trend-empty", "暂无数据")
	sup.waitText("#aspects-empty", "暂无数据")
	sup.waitText("#ranking ~ .two", "红榜", "黑榜")
	var empties int
	sup.eval(`return Array.from(document.querySelectorAll('.two table tbody')).filter(function (b) { return b.innerText.indexOf('暂无数据') >= 0; }).length;`, &empties)
	if empties != 2 {
		t.Errorf("%d of the 2 ranking tables say 暂无数据:\n%s", empties, sup.text("main"))
	}
	if n := 0; true {
		sup.eval(`return document.querySelectorAll('#chart-trend, #chart-aspects').length;`, &n)
		if n != 0 {
			t.Errorf("an empty range still draws %d bare chart(s)", n)
		}
	}
	sup.shot("analytics-empty")
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Item 9: the 办理记录 reads round by round: a heading per round, the send-back
// to the department as a line of its own, people by name (username on hover),
// departments by name, each round's report under it, the notices each step sent
// (the 催办 the department received), why the ticket waits for a supervisor, and
// a confirmation before 直接办结.
func TestBrowserTicketTimeline(t *testing.T) {
	s := browserSite(t, func(c *config.Config) { c.Rules.MaxRounds = 2 })
	n := s.rate(deptA, "营业执照变更办了两周还没有结果。", "handling")
	s.act("scjg", n, "sign", map[string]any{})
	s.act("scjg", n, "resolve", map[string]any{"report": "第一轮：已加快办理并电话告知进度。"})
	s.answer(n, "dissatisfied")
	s.waitFor(n, "round 2", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	s.act("sup", n, "urge", map[string]any{"note": "请今日内签收。"})
	s.act("scjg", n, "sign", map[string]any{})
	s.act("scjg", n, "resolve", map[string]any{"report": "第二轮：营业执照已变更完毕，并建立进度短信提醒。"})
	s.answer(n, "very_dissatisfied")
	s.waitFor(n, "a supervisor", func(t ticketOut) bool { return t.Status == "awaiting_supervisor" })

	people := browserFor(t, s, 2*time.Minute)
	dept := people()
	dept.signInHome("scjg")
	dept.open("/tickets/" + n)
	dept.waitText("#h-timeline", "办理记录")
	dept.waitText("#round-1", "第 1 轮", "南京市市场监督管理局")
	dept.waitText("#round-2", "第 2 轮")
	tl := dept.text("#h-timeline ~ *")
	for _, want := range []string{"退回单位重新整改", "交 南京市市场监督管理局 进行第 2 轮整改", "市场监管局 张伟",
		"第一轮：已加快办理", "第二轮：营业执照已变更完毕", "催办", "督办员 王敏", "通知 南京市市场监督管理局：【催办】督办人员催办工单" + n,
		"转督办决定", "整改轮次已用完"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline does not show %q:\n%s", want, tl)
		}
	}
	if strings.Contains(tl, "320100-SCJG") || strings.Contains(tl, "scjg") {
		t.Errorf("the timeline shows codes or usernames where names belong:\n%s", tl)
	}
	if strings.Contains(tl, "通知督办人员") {
		t.Errorf("a department sees the supervisors' notices:\n%s", tl)
	}
	// Each round's report sits under that round, before the next round's heading.
	var order struct{ R1, Rep1, R2, Rep2 int }
	dept.eval(`var all = Array.from(document.querySelectorAll('h3.round-sep, .round-report'));
		var at = function (f) { return all.findIndex(f); };
		return {R1: at(function (e) { return e.id === 'round-1'; }), Rep1: at(function (e) { return e.innerText.indexOf('第一轮') >= 0; }),
			R2: at(function (e) { return e.id === 'round-2'; }), Rep2: at(function (e) { return e.innerText.indexOf('第二轮') >= 0; })};`, &order)
	if !(order.R1 < order.Rep1 && order.Rep1 < order.R2 && order.R2 < order.Rep2) {
		t.Errorf("the reports are not under their rounds: %+v", order)
	}
	var who string
	dept.eval(`var e = Array.from(document.querySelectorAll('.timeline .who')).find(function (x) { return x.innerText.indexOf('张伟') >= 0; });
		return e ? e.title : '';`, &who)
	if who != "scjg" {
		t.Errorf("hovering the department's clerk shows %q, want the username scjg", who)
	}
	dept.shot("ticket-timeline")

	// The supervisor: why it waits, and 直接办结 asks before it closes.
	sup := people()
	sup.signInHome("sup")
	sup.open("/tickets/" + n)
	sup.waitText("#wait-reason", "等待督办的原因", "已整改 2 轮", "整改轮次已用完")
	sup.waitText(".timeline", "通知督办人员")
	sup.run(chromedp.SetValue(chromedp.CSS("#close-reason"), "两轮整改后群众仍不满意，经核实已无整改空间，直接办结。"))
	sup.shot("ticket-awaiting-supervisor")
	// Answer each confirmation with the next of accept, from another goroutine
	// than the one that reads the events.
	accept := make(chan bool, 2)
	asked := make(chan string, 2)
	dctx, stop := context.WithCancel(sup.ctx)
	defer stop()
	opening := chromedp.Events(dctx, cdpage.JavascriptDialogOpening)
	go func() {
		for e, err := range opening {
			if err != nil {
				return
			}
			asked <- e.Message
			ok := <-accept
			go func() {
				_ = chromedp.Do(sup.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, cdpage.HandleJavaScriptDialog, cdpage.HandleJavaScriptDialogParams{Accept: ok})
					return err
				}))
			}()
		}
	}()
	accept <- false
	sup.click("#act-close")
	select {
	case q := <-asked:
		if !strings.Contains(q, "确定直接办结工单 "+n) {
			t.Errorf("直接办结 asked %q, want a confirmation naming the ticket", q)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("直接办结 closed without asking")
	}
	time.Sleep(500 * time.Millisecond)
	if got := s.ticket(n); got.Status != "awaiting_supervisor" {
		t.Fatalf("cancelled 直接办结 still closed the ticket: %+v", got)
	}
	accept <- true
	sup.click("#act-close")
	<-asked
	s.waitFor(n, "closed by the supervisor", func(t ticketOut) bool { return t.Status == "closed" })
}

// Item 10: a ticket at 二级通报 is at least two working days late, and the board
// says so: its light counts the days, the bucket that counts it matches, and the
// bars are red for late.
func TestBrowserOverdueBoard(t *testing.T) {
	s := browserSite(t, func(c *config.Config) { c.Calendar.Mode, c.Calendar.CompressedDay = "compressed", time.Second })
	n := s.rate(deptA, "窗口工作人员态度生硬。", "attitude")
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got struct {
			EscalationLevel int `json:"escalation_level"`
		}
		s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/tickets/"+n, nil, 200), &got)
		if got.EscalationLevel == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %s never reached 二级通报", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	people := browserFor(t, s, 2*time.Minute)
	sup := people()
	sup.signInHome("sup")
	sup.waitText(".cards", "二级通报")
	var board struct {
		Buckets []struct {
			Label, Class string
			Count        int
		}
		Light string
	}
	sup.eval(`return {Buckets: Array.from(document.querySelectorAll('.barcell meter')).map(function (m) {
			var tr = m.closest('tr'); return {Label: tr.querySelector('th').innerText, Class: m.className, Count: +tr.querySelector('td.num').innerText}; }),
		Light: (document.querySelector('table.list .light') || {}).innerText || ''};`, &board)
	days := 0
	if _, err := fmt.Sscanf(board.Light, "超期 %d 个工作日", &days); err != nil || days < 2 {
		t.Errorf("the overdue list says %q for a ticket at 二级通报; want 超期 N 个工作日 with N ≥ 2", board.Light)
	}
	for _, b := range board.Buckets {
		in := b.Count > 0
		if in && (strings.Contains(b.Label, "不足 1") || strings.Contains(b.Label, "1 天以内")) {
			t.Errorf("a ticket at 二级通报 is counted under %q", b.Label)
		}
		if in && !bucketHolds(b.Label, days) {
			t.Errorf("the ticket %d working days late is counted under %q", days, b.Label)
		}
	}
	if len(board.Buckets) == 0 {
		t.Fatalf("no overdue buckets on the board:\n%s", sup.text("main"))
	}
	var red bool
	sup.eval(`var ms = Array.from(document.querySelectorAll('.barcell meter'));
		return ms.length > 0 && ms.every(function (m) { return /^late[0-4]$/.test(m.className); });`, &red)
	if !red {
		t.Errorf("the overdue bars have no lateness colours: %+v", board.Buckets)
	}
	sup.shot("overdue-board")
}

// bucketHolds reports whether a bucket's label covers n working days.
func bucketHolds(label string, n int) bool {
	switch {
	case strings.HasPrefix(label, "不足 1"):
		return n < 1
	case strings.HasPrefix(label, "1 个"):
		return n == 1
	case strings.HasPrefix(label, "2–3"):
		return n >= 2 && n <= 3
	case strings.HasPrefix(label, "4–5"):
		return n >= 4 && n <= 5
	case strings.HasPrefix(label, "5 个工作日以上"):
		return n > 5
	}
	return false
}

// Item 11: the citizen's SMS are short and end in one "。", the survey page is
// headed with the service's own name, and a satisfied answer is thanked
// without "已转交相关单位".
func TestBrowserSurveyForCitizens(t *testing.T) {
	s := browserSite(t)
	n := s.rate(deptA, "营业执照变更办了两周还没有结果。", "handling")
	s.act("scjg", n, "sign", map[string]any{})
	s.act("scjg", n, "request_extension", map[string]any{"working_days": 3, "reason": "需协调两部门联合核查。"})
	s.act("sup", n, "decide_extension", map[string]any{"approve": true})
	s.act("scjg", n, "resolve", map[string]any{"report": "已完成营业执照变更，并建立办件进度短信提醒。"})
	token := s.surveyToken(n)
	for _, m := range s.sys.Inbox.Messages(n) {
		if strings.Contains(m.Body, "。。") {
			t.Errorf("SMS %q doubles its full stop", m.Body)
		}
		words := regexp.MustCompile(`https?://\S+`).ReplaceAllString(m.Body, "")
		if got := utf8.RuneCountInString(m.Body); !strings.Contains(m.Body, "/s/") && got > 70 {
			t.Errorf("SMS %q: %d characters, more than one SMS", m.Body, got)
		} else if w := utf8.RuneCountInString(words); w > 35 && strings.Contains(m.Body, "/s/") {
			t.Errorf("survey SMS words %q: %d characters, want at most 35", words, w)
		}
	}

	people := browserFor(t, s, 2*time.Minute)
	citizen := people()
	citizen.run(chromedp.EmulateViewport(390, 844))
	citizen.open("/s/" + token)
	citizen.waitText("main", "整改结果评价", "营业执照变更")
	if got := citizen.text("header .brand"); got != "政务服务好差评" {
		t.Errorf("the citizen's page is headed %q, want the service's name 政务服务好差评", got)
	}
	if strings.Contains(citizen.text("body"), "差评整改工作台") {
		t.Errorf("the citizen's page shows the staff title 差评整改工作台")
	}
	var title string
	citizen.eval(`return document.title;`, &title)
	if strings.Contains(title, "整改工作台") || strings.Contains(title, "好差评整改") {
		t.Errorf("the citizen's page title is %q", title)
	}
	citizen.click(`input[value="satisfied"]`)
	citizen.click("#survey-submit")
	citizen.waitText(".done", "感谢您的评价")
	if got := citizen.text(".done"); strings.Contains(got, "已转交相关单位") {
		t.Errorf("a satisfied citizen is told %q", got)
	}
	citizen.shot("survey-thanks")
}

// Item 12: the call-back queue and call page name departments; 派单 and 责任单位
// stay on one line; the attempts column says its number once; a ticket opened
// from 本单位工单 keeps 本单位工单 highlighted.
func TestBrowserCallCenterWording(t *testing.T) {
	s := browserSite(t)
	s.callEveryCase()
	caseNo := fmt.Sprintf("BJ%d", time.Now().UnixNano())
	s.api(s.tokens["portal"], "POST", "/api/v1/cases", map[string]any{"case_no": caseNo,
		"service_item_code": "survey", "service_item_name": "食品经营许可证核发", "department_code": deptA,
		"hall_code": "H01", "channel": "hall", "finished_at": time.Now().Add(-time.Hour).Format(time.RFC3339),
		"applicant": map[string]string{"name": "王五", "phone": "13912340001"}}, 201)
	stray := s.rate("320100-WJW", "医保报销窗口说不归他们管。", "handling")
	mine := s.rate(deptA, "窗口工作人员态度生硬。", "attitude")
	s.released(1)

	people := browserFor(t, s, 2*time.Minute)
	cc := people()
	cc.run(chromedp.EmulateViewport(1024, 768))
	cc.signInHome("cc")
	cc.open("/callcenter/callbacks")
	cc.waitText("#callbacks", caseNo, "南京市市场监督管理局")
	if strings.Contains(cc.text("#callbacks"), deptA) {
		t.Errorf("the call-back queue shows the code %s instead of the name", deptA)
	}
	cc.shot("callback-queue-names")
	cc.click(`#callbacks a.button`)
	cc.waitText(".facts", "南京市市场监督管理局")
	if strings.Contains(cc.text(".facts"), deptA) {
		t.Errorf("the call page shows the code %s instead of the name", deptA)
	}
	cc.open("/callcenter?tab=dispatch")
	cc.waitText("table.list", stray)
	lines := func(sel string) int {
		var n int
		cc.eval(fmt.Sprintf(`var e = document.querySelector(%q); if (!e) return -1;
			var r = document.createRange(); r.selectNodeContents(e);
			var tops = {}; Array.from(r.getClientRects()).forEach(function (x) { tops[Math.round(x.top)] = 1; });
			return Object.keys(tops).length;`, sel), &n)
		return n
	}
	if n := lines(`form[action="/tickets/` + stray + `/dispatch"] button`); n != 1 {
		t.Errorf("the 派单 button's text runs over %d lines", n)
	}
	var deptHeader string
	cc.eval(`var th = Array.from(document.querySelectorAll('table.list th')).find(function (h) { return h.innerText.trim() === '责任单位'; });
		if (!th) return ''; th.id = 'dept-th'; return th.innerText;`, &deptHeader)
	if deptHeader == "" {
		t.Fatalf("no 责任单位 header:\n%s", cc.text("table.list"))
	}
	if n := lines("#dept-th"); n != 1 {
		t.Errorf("the 责任单位 header runs over %d lines", n)
	}
	cc.shot("callcenter-dispatch")
	cc.open("/callcenter?tab=sms")
	cc.waitText(".tabs a.active", "短信")

	// The department: a ticket opened from 本单位工单 stays under 本单位工单, one
	// opened from 工单查询 under 工单查询.
	dept := people()
	dept.signInHome("scjg")
	dept.click(`table.list a[href="/tickets/` + mine + `"]`)
	dept.waitText("h1", mine)
	if got := dept.text(`nav.nav a[aria-current="page"]`); got != "本单位工单" {
		t.Errorf("a ticket opened from 本单位工单 highlights %q", got)
	}
	dept.click("#act-sign")
	dept.waitText(".status.big", "整改中")
	if got := dept.text(`nav.nav a[aria-current="page"]`); got != "本单位工单" {
		t.Errorf("after signing, the ticket page highlights %q", got)
	}
	dept.shot("department-ticket-nav")
	dept.open("/tickets?q=" + mine)
	dept.click(`table.list a[href="/tickets/` + mine + `"]`)
	dept.waitText("h1", mine)
	if got := dept.text(`nav.nav a[aria-current="page"]`); got != "工单查询" {
		t.Errorf("a ticket opened from 工单查询 highlights %q", got)
	}
}

// The attempts column says its number once: the header is 已拨打, the cell "N 次".
func TestBrowserCallAttemptsSayItOnce(t *testing.T) {
	s := browserSite(t, func(c *config.Config) { c.Calendar.Mode, c.Calendar.CompressedDay = "compressed", 500*time.Millisecond })
	n := s.rate(deptA, "窗口工作人员态度生硬。", "attitude")
	s.act("scjg", n, "sign", map[string]any{})
	s.act("scjg", n, "resolve", map[string]any{"report": "已整改。"})
	s.waitFor(n, "a call task", func(t ticketOut) bool { return t.CallTask })
	people := browserFor(t, s, time.Minute)
	cc := people()
	cc.signIn("cc")
	cc.waitText("table.list", n, "0 次", "短信未回复")
	var cell string
	cc.eval(`var ths = Array.from(document.querySelectorAll('table.list th')); var i = ths.findIndex(function (h) { return h.innerText.trim() === '已拨打'; });
		if (i < 0) return ''; return document.querySelector('table.list tbody tr').children[i].innerText;`, &cell)
	if cell == "" || strings.Contains(cell, "已拨打") {
		t.Errorf("under the header 已拨打 the cell says %q", cell)
	}
	cc.shot("callcenter-attempts")
	cc.open("/tickets/" + n)
	if got := cc.text(".facts"); strings.Contains(got, "已拨打\n已拨打") || strings.Contains(got, "已拨打 0 次") {
		t.Errorf("the ticket page repeats itself: %q", got)
	}
}
