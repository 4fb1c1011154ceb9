package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rectify/config"
	"rectify/internal/robotfake"
)

// TestBrowserNoticesAndRobots drives Chromium through issue 17 items 1 and 2:
// an admin sets a 企业微信 robot for one department and a signed 钉钉 robot for
// another on the departments page (masked once saved); tickets arrive, a
// supervisor urges one twice, deadlines pass (compressed time) to level 2; the
// department's header counts its unread notices, its inbox marks the urged and
// escalated tickets, its notice list shows the urges and the 通报 and marks
// them read; the supervisor sees theirs; both robots got markdown with the
// ticket link (the fake checks 钉钉's sign), shown on the fake's chat page.
func TestBrowserNoticesAndRobots(t *testing.T) {
	browserTest(t)
	const wecomKey, dingToken, dingSecret = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", "d1ngT0ken5ecret", "SEC6b1f0c2d9e8a7f6e5d4c3b2a1"
	fake := robotfake.New(wecomKey, dingToken, dingSecret)
	defer fake.Close()
	s := newSite(t, func(c *config.Config) { c.Calendar.Mode, c.Calendar.CompressedDay = "compressed", 2*time.Second })

	person := browserFor(t, s, 3*time.Minute)

	// The admin sets both robots on the departments page.
	admin := person()
	admin.signIn("admin")
	admin.waitText(".who", "系统管理员")
	admin.open("/admin/departments")
	admin.waitText("#robots", "群机器人", "尚未设置群机器人")
	admin.run(chromedp.SetValue(chromedp.CSS("#robot-dept"), deptA), chromedp.SetValue(chromedp.CSS("#robot-kind"), "wecom"),
		chromedp.SendKeys(chromedp.CSS("#robot-url"), fake.WeComURL()))
	admin.click("#robot-save")
	admin.waitText(".flash", "群机器人已保存")
	admin.waitText("#robot-"+deptA, "南京市市场监督管理局", "企业微信", "key=****5aaa", "admin")
	admin.run(chromedp.SetValue(chromedp.CSS("#robot-dept"), deptB), chromedp.SetValue(chromedp.CSS("#robot-kind"), "dingtalk"),
		chromedp.SendKeys(chromedp.CSS("#robot-url"), fake.DingTalkURL()), chromedp.SendKeys(chromedp.CSS("#robot-secret"), dingSecret))
	admin.click("#robot-save")
	admin.waitText(".flash", "群机器人已保存")
	admin.waitText("#robot-"+deptB, "南京市公安局", "钉钉", "已设置密钥", "access_token=****cret")
	if html := admin.text("html"); strings.Contains(html, wecomKey) || strings.Contains(html, dingToken) || strings.Contains(html, dingSecret) {
		t.Errorf("the departments page shows a robot's credentials")
	}
	admin.shot("admin-robots")
	if b := string(s.api(s.tokens["admin"], "GET", "/api/v1/audit?limit=20", nil, 200)); !strings.Contains(b, "robot.create") ||
		strings.Contains(b, wecomKey) || strings.Contains(b, dingSecret) {
		t.Errorf("the audit log misses the robot or shows its credentials: %.400s", b)
	}
	if b := string(s.api(s.tokens["admin"], "GET", "/api/v1/robots", nil, 200)); strings.Contains(b, wecomKey) || strings.Contains(b, dingSecret) || !strings.Contains(b, `"secret_set":true`) {
		t.Errorf("GET /api/v1/robots: %s", b)
	}

	// Tickets arrive; the supervisor urges the first twice; deadlines pass.
	urged := s.rate(deptA, "营业执照变更办了两周还没有结果。", "handling")
	late := s.rate(deptA, "窗口工作人员态度生硬。", "attitude")
	other := s.rate(deptB, "户籍窗口排队两个小时。", "queueing")
	s.waitNotice("scjg", urged, "dispatched")
	s.api(s.tokens["sup"], "POST", "/api/v1/tickets/"+urged+"/urge", map[string]any{"note": "请尽快签收"}, 200)
	s.api(s.tokens["sup"], "POST", "/api/v1/tickets/"+urged+"/urge", map[string]any{"note": "再次催办"}, 200)
	for _, n := range []string{urged, late, other} {
		for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
			var tk struct {
				EscalationLevel int `json:"escalation_level"`
			}
			s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/tickets/"+n, nil, 200), &tk)
			if tk.EscalationLevel == 2 {
				break
			}
			if time.Since(start) > time.Minute {
				t.Fatalf("%s never reached level 2", n)
			}
		}
	}

	// The department: its header counts its unread notices, the inbox marks the tickets.
	dept := person()
	dept.signInHome("scjg")
	want := s.notices("scjg", "").UnreadCount
	if want < 6 { // 2 dispatched, 2 urges, 2 overdue, 2 通报 at least
		t.Fatalf("scjg has %d unread notices", want)
	}
	dept.waitText("#unread-count", strconv.Itoa(want))
	dept.waitText("table.list", urged, late, "催办 2 次", "二级通报")
	rowOf := func(b *tab, number string) string {
		return b.text("table.list tr:has(a[href='/tickets/" + number + "'])")
	}
	if r := rowOf(dept, urged); !strings.Contains(r, "催办 2 次") || !strings.Contains(r, "二级通报") {
		t.Errorf("the urged ticket's row: %q", r)
	}
	if r := rowOf(dept, late); strings.Contains(r, "催办") || !strings.Contains(r, "二级通报") {
		t.Errorf("the escalated, never urged ticket's row: %q", r)
	}
	dept.shot("department-inbox-badges")

	// The notice list: the urges and the 通报, newest first; mark one, then all.
	dept.click("a.notices-link")
	dept.waitText("h1", "通知")
	dept.waitText("table.notices", "督办催办", "二级通报", "【催办】督办人员催办工单"+urged, "【通报】工单"+late)
	if strings.Contains(dept.text("main"), phone) || strings.Contains(dept.text("main"), other) {
		t.Errorf("the department's notices show a phone or another department's ticket")
	}
	dept.shot("notices")
	dept.click("table.notices tr.unread button.mark")
	dept.waitText(".flash", "已标为已读")
	dept.waitText("#unread-count", strconv.Itoa(want-1))
	if n := s.notices("scjg", "").UnreadCount; n != want-1 {
		t.Errorf("after marking one: the API counts %d unread, want %d", n, want-1)
	}
	dept.click("#mark-all")
	dept.waitText(".flash", "已将全部通知标为已读")
	if got := dept.text("#unread-count"); got != "" {
		t.Errorf("after marking all, the header still counts %q", got)
	}
	if strings.Contains(dept.text("table.notices"), "标为已读") {
		t.Errorf("a notice still offers to be marked read")
	}

	// The supervisor sees the supervisors' notices the same way.
	sup := person()
	sup.signInHome("sup")
	sup.waitText("#unread-count", strconv.Itoa(s.notices("sup", "").UnreadCount))
	sup.open("/notices")
	sup.waitText("table.notices", "【督办】", "【通报】", urged, other)

	// The robots got their messages: 企业微信 for scjg, signed 钉钉 for gaj.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var wecom, ding []string
		for _, m := range fake.Messages() {
			if m.Kind == "wecom" {
				wecom = append(wecom, m.Text)
			} else {
				ding = append(ding, m.Title)
			}
		}
		all := strings.Join(wecom, "\n")
		if strings.Contains(all, "【新工单】工单 "+urged) && strings.Count(all, "【督办催办】工单 "+urged) == 2 &&
			strings.Contains(all, "【二级通报】工单 "+late) && strings.Contains(all, "/tickets/"+urged+")") &&
			strings.Contains(strings.Join(ding, "\n"), "【二级通报】工单 "+other) {
			if strings.Contains(all, other) {
				t.Errorf("scjg's robot got gaj's ticket")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the robots got, 企业微信:\n%s\n钉钉: %v", all, ding)
		}
		time.Sleep(200 * time.Millisecond)
	}
	chat := person()
	chat.base = fake.URL
	chat.open("/")
	chat.waitText("body", "【督办催办】工单 "+urged, "【二级通报】工单 "+late, "查看工单")
	if a := chat.text(".bubble a"); !strings.Contains(a, "查看工单") {
		t.Errorf("the rendered message has no ticket link: %q", a)
	}
	chat.run(chromedp.EmulateViewport(760, 700))
	chat.open("/?last=3")
	chat.waitText("body", "【二级通报】", "查看工单")
	chat.shot("robot-message")
}
