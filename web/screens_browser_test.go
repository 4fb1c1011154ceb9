package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rectify/internal/testenv"
)

// Browser tests of issue 17's "screens that say the wrong thing" (items 3-7).

// count is the number of elements sel matches.
func (b *tab) count(sel string) int {
	n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	return n
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestBrowserReturnLandsInInbox: a department returns a ticket (退单); it is no
// longer theirs to see, so they land in their inbox with one success message,
// not on an error page next to "操作成功".
func TestBrowserReturnLandsInInbox(t *testing.T) {
	s := newSite(t)
	person := browserFor(t, s, 2*time.Minute)
	back := s.rate(deptA, "办理的事项不归本单位管辖，群众找错了窗口。", "handling")
	dept := person()
	dept.signInHome("scjg")
	dept.open("/tickets/" + back)
	dept.run(chromedp.SetValue(chromedp.CSS("#ret-reason"), "该事项属公安局户政业务，非本单位职责。"))
	dept.click("#act-return")
	dept.waitText("h1", "本单位工单")
	dept.waitText(".flash", "操作成功", back, "退回")
	main := dept.text("main")
	for _, bad := range []string{"未找到", "出错了"} {
		if strings.Contains(main, bad) {
			t.Errorf("after 退单 the page says %q:\n%s", bad, main)
		}
	}
	if n := dept.count(".flash"); n != 1 {
		t.Errorf("%d flash messages, want 1", n)
	}
	if n := dept.count(".errors"); n != 0 {
		t.Errorf("an error box next to the success: %s", dept.text(".errors"))
	}
	dept.shot("return-lands-in-inbox")
	if got := s.ticket(back); got.Status != "pending_dispatch" {
		t.Errorf("returned ticket: %+v", got)
	}
}

var tabCount = regexp.MustCompile(`(\d+)\s*$`)

// TestBrowserLightsMatchTabs: one rule gives the light, the countdown and the
// tab. A to-sign ticket due at the end of the next working day is yellow and
// counted under 即将到期; a 回访中 ticket has no countdown (its due_at is the
// survey's window, not the department's).
func TestBrowserLightsMatchTabs(t *testing.T) {
	s := newSite(t)
	person := browserFor(t, s, 2*time.Minute)
	toSign := []string{s.rate(deptA, "窗口排队时间过长。", "queueing"), s.rate(deptA, "网上申报系统经常卡顿。", "convenience")}
	follow := s.rate(deptA, "材料被退回三次都没有一次性告知。", "guide")
	dept := person()
	dept.signInHome("scjg")
	dept.signAndResolve(follow, "已实行一次性告知制度。")
	if l := dept.text(".title-row .light"); strings.Contains(l, "剩余") || strings.Contains(l, "工作日") {
		t.Errorf("回访中 ticket page shows a countdown: %q", l)
	}

	dept.open("/dept?tab=to_sign")
	dept.waitText("table.list", toSign[0], toSign[1])
	if n := dept.count("table.list .light.yellow"); n != 2 {
		t.Errorf("to sign: %d yellow lights, want 2:\n%s", n, dept.text("table.list"))
	}
	dept.shot("lights-to-sign")
	soon := dept.text(`.tabs a[href$="tab=due_soon"]`)
	if m := tabCount.FindStringSubmatch(soon); m == nil || m[1] != "2" {
		t.Errorf("即将到期 tab says %q, want a count of 2 (the yellow to-sign tickets)", soon)
	}
	dept.open("/dept?tab=due_soon")
	dept.waitText("table.list", toSign[0], toSign[1])
	if n, y := dept.count("table.list tbody tr"), dept.count("table.list .light.yellow"); n != 2 || y != 2 {
		t.Errorf("即将到期 lists %d tickets, %d yellow; want 2 and 2", n, y)
	}
	dept.shot("lights-due-soon")
	if over := dept.text(`.tabs a[href$="tab=overdue"]`); !strings.HasSuffix(strings.TrimSpace(over), "0") {
		t.Errorf("已超期 tab: %q, want 0", over)
	}
	dept.open("/dept?tab=following")
	dept.waitText("table.list", follow, "回访中")
	if n := dept.count("table.list .light.none"); n != 1 {
		t.Errorf("回访中 row: want no light, it shows %q", dept.text("table.list .light"))
	}
	if l := dept.text("table.list .light"); strings.Contains(l, "剩余") {
		t.Errorf("回访中 row shows a countdown: %q", l)
	}
	dept.shot("lights-following")
}

// checked reports whether the input sel is checked.
func (b *tab) checked(sel string) bool {
	v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!(document.querySelector(`+jsString(sel)+`)||{}).checked`))
	return v
}

// waitURL waits until the page's address contains part.
func (b *tab) waitURL(part string) {
	b.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		u, _ := chromedp.Run(b.ctx, chromedp.Location())
		if strings.Contains(u, part) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the address never contained %q: %s", part, u)
		}
	}
}

// retype empties the field sel and types text into it.
func (b *tab) retype(sel, text string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(document.querySelector(`+jsString(sel)+`).value = "") === ""`)); err != nil {
		b.t.Fatalf("clear %s: %v", sel, err)
	}
	b.run(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// value is the value of the form field sel.
func (b *tab) value(sel string) string {
	v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`)||{}).value||""`))
	return v
}

// TestBrowserRefusedFormsKeepInputAndSpeakChinese: a refused extension (too
// many working days) says why in Chinese and keeps the reason; a reached call
// without a verdict says why in Chinese, keeps 已接通, the note, and the number
// the operator revealed.
func TestBrowserRefusedFormsKeepInputAndSpeakChinese(t *testing.T) {
	s := newSite(t)
	person := browserFor(t, s, 2*time.Minute)
	ext := s.rate(deptA, "营业执照变更两周没有结果。", "handling")
	call := s.rate(deptA, "窗口人员态度生硬。", "attitude")
	dept := person()
	dept.signInHome("scjg")
	dept.open("/tickets/" + ext)
	dept.click("#act-sign")
	dept.waitText(".status.big", "整改中")
	reason := "需协调税务部门联合核查，申请延期。"
	dept.run(chromedp.SetValue(chromedp.CSS("#working_days"), "30"), chromedp.SetValue(chromedp.CSS("#ext-reason"), reason))
	dept.click("#act-extension")
	dept.waitText(".errors", "延期工作日数", "须在 1 到 15 之间")
	if e := dept.text(".errors"); strings.Contains(e, "must") || strings.Contains(e, "： ") {
		t.Errorf("extension refusal is not plain Chinese: %q", e)
	}
	if got := dept.value("#ext-reason"); got != reason {
		t.Errorf("the extension reason after the error: %q, want %q", got, reason)
	}
	if got := dept.value("#working_days"); got != "30" {
		t.Errorf("working days after the error: %q", got)
	}
	dept.shot("refused-extension-keeps-reason")

	dept.signAndResolve(call, "已约谈窗口人员。")

	cc := person()
	cc.signInHome("cc")
	cc.open("/tickets/" + call)
	cc.click("#reveal")
	cc.waitText("#phone", phone)
	cc.click("#reached-yes")
	cc.run(chromedp.SetValue(chromedp.CSS("#call-note"), "群众称还需再观察。"))
	cc.click("#act-log-call")
	cc.waitText(".errors", "群众评价：必填")
	if e := cc.text(".errors"); strings.Contains(e, "required") || strings.Contains(e, "one of") {
		t.Errorf("call refusal is not Chinese: %q", e)
	}
	if !cc.checked("#reached-yes") {
		t.Errorf("已接通 is not chosen after the error")
	}
	if got := cc.value("#call-note"); got != "群众称还需再观察。" {
		t.Errorf("call note after the error: %q", got)
	}
	if got := cc.text("#phone"); got != phone {
		t.Errorf("the revealed number after the error: %q, want %s", got, phone)
	}
	cc.shot("refused-call-keeps-choice")
	// The choice once made gets through.
	cc.run(chromedp.SetValue(chromedp.CSS("#call-level"), "satisfied"))
	cc.click("#act-log-call")
	cc.waitText(".status.big", "已办结")

	// English speaks English, without a stray space.
	dept.open("/tickets/" + ext)
	dept.click("a.lang")
	dept.waitText("h1", "Ticket")
	dept.run(chromedp.SetValue(chromedp.CSS("#working_days"), "30"), chromedp.SetValue(chromedp.CSS("#ext-reason"), "need more time"))
	dept.click("#act-extension")
	dept.waitText(".errors", "must be between 1 and 15.")
	if e := dept.text(".errors"); strings.Contains(e, "须") || strings.Contains(e, "： ") {
		t.Errorf("English refusal: %q", e)
	}
}

// TestBrowserDepartmentPickers: every department field takes the name people
// know (the picker offers names, searchable by name or code) and stores the
// code: a phone rating registered by name goes to that department to sign; an
// unknown name is refused in Chinese and the form keeps what was typed;
// dispatching by name works and an unknown name says so in Chinese; the
// analytics filter by name shows that department.
func TestBrowserDepartmentPickers(t *testing.T) {
	s := newSite(t)
	s.api(testenv.AdminToken, "POST", "/api/v1/departments", map[string]any{"code": "320100-ZJJ", "name": "南京市住房和城乡建设局"}, 201)
	person := browserFor(t, s, 2*time.Minute)
	stray := s.rate("320100-WJW", "医保报销窗口说不归他们管。", "handling")
	cc := person()
	cc.signInHome("cc")

	// The picker's options are names, each labelled with its code.
	cc.open("/callcenter/rating")
	cc.waitText("h1", "电话评价登记")
	if got := cc.value(`#departments option[label="320100-ZJJ"]`); got != "南京市住房和城乡建设局" {
		t.Errorf("picker option for 320100-ZJJ: %q, want the name", got)
	}

	// An unknown name: refused in Chinese, nothing lost.
	cc.run(chromedp.SendKeys(chromedp.CSS("#department_code"), "南京市不存在局"))
	cc.click(`input[name="level"][value="very_dissatisfied"]`)
	cc.run(chromedp.SetValue(chromedp.CSS("#comment"), "来电反映：公积金提取材料反复要求补交。"))
	cc.click("#rating-submit")
	cc.waitText(".errors", "未找到单位“南京市不存在局”")
	if got := cc.value("#comment"); got != "来电反映：公积金提取材料反复要求补交。" {
		t.Errorf("comment after the refusal: %q", got)
	}
	if !cc.checked(`input[name="level"][value="very_dissatisfied"]`) {
		t.Errorf("the level is lost after the refusal")
	}
	cc.shot("picker-rating-unknown")

	// The name: the ticket goes to the department, and the message says so.
	// Pinyin initials find it, as does part of the code; a choice fills in the name.
	cc.retype("#department_code", "zjj")
	cc.waitText(".picker", "南京市住房和城乡建设局", "320100-ZJJ")
	if got := cc.text(".picker"); strings.Contains(got, "公安局") {
		t.Errorf("the picker offers departments the code part does not match:\n%s", got)
	}
	cc.retype("#department_code", "njszf")
	cc.waitText(".picker", "南京市住房和城乡建设局")
	cc.shot("picker-rating-initials")
	cc.click(".picker li")
	if got := cc.value("#department_code"); got != "南京市住房和城乡建设局" {
		t.Fatalf("the picked department shows %q, want its name", got)
	}
	cc.shot("picker-rating-name")
	cc.click("#rating-submit")
	cc.waitText(".flash", "差评已生成工单", "已派至被评价单位")
	number := regexp.MustCompile(`GD\d+`).FindString(cc.text(".flash"))
	if got := s.ticket(number); got.Status != "awaiting_sign" {
		t.Errorf("phone rating by name: ticket %s is %s, want awaiting_sign", number, got.Status)
	}
	var tk struct {
		DepartmentCode string `json:"department_code"`
	}
	s.decode(s.api(s.tokens["sup"], "GET", "/api/v1/tickets/"+number, nil, 200), &tk)
	if tk.DepartmentCode != "320100-ZJJ" {
		t.Errorf("phone rating by name stored department %q, want 320100-ZJJ", tk.DepartmentCode)
	}

	// Dispatch by an unknown name, then by the name.
	cc.open("/tickets/" + stray)
	cc.run(chromedp.SendKeys(chromedp.CSS("#dispatch-dept"), "卫健委"))
	cc.click("#act-dispatch")
	cc.waitText(".errors", "未找到该单位")
	if e := cc.text(".errors"); strings.Contains(e, "unknown") {
		t.Errorf("dispatch refusal in English: %q", e)
	}
	cc.shot("picker-dispatch-unknown")
	cc.retype("#dispatch-dept", "南京市公安局")
	cc.click("#act-dispatch")
	cc.waitText(".status.big", "待签收")
	cc.waitText(".facts", "南京市公安局 (320100-GAJ)")

	// Analytics filtered by name: that department, its name in the box.
	sup := person()
	sup.signInHome("sup")
	sup.open("/analytics")
	sup.run(chromedp.SendKeys(chromedp.CSS("#analytics-dept"), "南京市住房和城乡建设局"))
	sup.click(`form.filters button`)
	sup.waitURL("department_code=")
	sup.waitText("section[aria-labelledby=by-dept] table", "南京市住房和城乡建设局")
	if got := sup.text("section[aria-labelledby=by-dept] table"); strings.Contains(got, "320100-WJW") {
		t.Errorf("analytics filtered by name shows other departments:\n%s", got)
	}
	if got := sup.value("#analytics-dept"); got != "南京市住房和城乡建设局" {
		t.Errorf("analytics filter box shows %q after the search, want the name", got)
	}
	if e := sup.text(".errors"); e != "" {
		t.Errorf("analytics by name: %s", e)
	}
	sup.shot("picker-analytics")
	sup.open("/analytics?department_code=" + "南京市不存在局")
	sup.waitText(".errors", "未找到单位“南京市不存在局”")
}

// TestBrowserOldRoundSurveyLink: a round-1 survey link, once the call center
// took the answer by phone and round 2 is back at its survey, says
// 该评价链接已失效 at once, and a form left open on the phone answers with the
// same words instead of showing itself again; round 2's link works.
func TestBrowserOldRoundSurveyLink(t *testing.T) {
	s := newSite(t)
	person := browserFor(t, s, 2*time.Minute)
	n := s.rate(deptA, "窗口人员态度生硬。", "attitude")
	act := func(user, action string, body map[string]any) {
		s.api(s.tokens[user], "POST", "/api/v1/tickets/"+n+"/"+action, body, 200)
	}
	act("scjg", "sign", nil)
	act("scjg", "resolve", map[string]any{"report": "已约谈窗口人员。"})
	old := s.surveyToken(n)
	citizen := person()
	citizen.run(chromedp.EmulateViewport(390, 844))
	citizen.open("/s/" + old)
	citizen.waitText("main", "您对整改结果是否满意")

	// The call center reaches the citizen first: dissatisfied, so round 2.
	act("cc", "log_call", map[string]any{"reached": true, "level": "dissatisfied"})
	s.waitFor(n, "round 2 to sign", func(t ticketOut) bool { return t.Status == "awaiting_sign" })
	act("scjg", "sign", nil)
	act("scjg", "resolve", map[string]any{"report": "已调整窗口人员岗位。"})
	s.waitFor(n, "round 2 survey", func(t ticketOut) bool { return t.Status == "following_up" })
	var fresh string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if fresh = s.surveyToken(n); fresh != old {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no round-2 survey link")
		}
	}

	// The form still open on the phone is answered with the words, not itself.
	citizen.click(`input[value="satisfied"]`)
	citizen.click("#survey-submit")
	citizen.waitText(".gone", "该评价链接已失效")
	if citizen.count("#survey-submit") != 0 {
		t.Errorf("the old round's form is shown again after the answer was refused")
	}
	citizen.shot("survey-old-round-submit")
	// Opening the old link again: the words at once.
	citizen.open("/s/" + old)
	citizen.waitText(".gone", "该评价链接已失效")
	if citizen.count("form") != 0 {
		t.Errorf("the old round's link shows a form")
	}
	citizen.shot("survey-old-round-open")
	if got := s.ticket(n); got.Status != "following_up" {
		t.Errorf("the old link changed the ticket: %+v", got)
	}
	// Round 2's link is the one that works.
	citizen.open("/s/" + fresh)
	citizen.waitText("main", "您对整改结果是否满意", "已调整窗口人员岗位")
}
