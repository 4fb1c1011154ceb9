package web_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rectify/config"
	"rectify/internal/testenv"
)

// go test ./web -run Browser -screenshots ../docs/screenshots refreshes the
// README's pictures; without the flag they go to a temporary folder.
var screenshots = flag.String("screenshots", "", "write the workbench screenshots to this folder")

const chromium = "/usr/bin/chromium"

// TestBrowserWorkbenches drives Debian's Chromium through a day's work: a
// department signs tickets, reports a fix, asks for an extension and appeals; a
// supervisor decides the extension and the appeal; the call center logs a
// follow-up call, dispatches, and registers a phone rating; a citizen answers the
// survey on a phone. Each step checks what its user must see.
func TestBrowserWorkbenches(t *testing.T) {
	browserTest(t)

	// Compressed time: one working day lasts 2s, so the board fills with overdue
	// tickets while the test runs.
	s := newSite(t, func(c *config.Config) { c.Calendar.Mode, c.Calendar.CompressedDay = "compressed", 2*time.Second })
	s.api(testenv.AdminToken, "POST", "/api/v1/departments", map[string]any{"code": "320100-RSJ", "name": "南京市人力资源和社会保障局"}, 201)
	s.api(testenv.AdminToken, "POST", "/api/v1/departments", map[string]any{"code": "320100-ZJJ", "name": "南京市住房和城乡建设局"}, 201)
	fix := s.rate(deptA, "窗口工作人员态度生硬，材料被退回三次都没有一次性告知。", "attitude", "guide")
	extend := s.rate(deptA, "营业执照变更办了两周还没有结果，也没人告知进度。", "handling", "result")
	appeal := s.rate(deptA, "测试测试，随便评的。", "convenience")
	var others []string
	for _, r := range []struct{ dept, comment, aspect string }{
		{deptB, "户籍窗口排队两个小时，叫号系统经常出错。", "queueing"},
		{deptB, "身份证补办要求的材料和网上办事指南不一致。", "guide"},
		{"320100-RSJ", "社保转移接续跑了三趟，每次说法都不一样。", "handling"},
		{"320100-RSJ", "窗口人员业务不熟，答复问题前后矛盾。", "competence"},
		{"320100-ZJJ", "公积金提取快递送件丢失，补寄也没有通知。", "delivery"},
		{deptA, "食品经营许可证网上申报系统总是卡在最后一步。", "convenience"},
	} {
		others = append(others, s.rate(r.dept, r.comment, r.aspect))
	}
	stray := s.rate("320100-WJW", "医保报销窗口说不归他们管。", "handling") // an unregistered department: to dispatch

	// Each person has their own browser context: their own cookies.
	person := browserFor(t, s, 4*time.Minute)

	// The sign-in page.
	dept := person()
	dept.open("/dept")
	dept.waitText("h1", "登录")
	dept.shot("login")
	dept.run(chromedp.SendKeys(chromedp.CSS("#username"), "scjg"), chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS("#signin")))

	// Department: the inbox, split by what needs doing.
	dept.waitText("h1", "本单位工单")
	dept.waitText(".tabs a.active", "待签收")
	dept.waitText("table.list", fix, extend, appeal, "南京市市场监督管理局")
	if got := dept.text("table.list"); strings.Contains(got, "户籍窗口") {
		t.Errorf("department inbox shows another department's ticket")
	}
	dept.shot("department-inbox")

	// Sign, then report the fix.
	dept.open("/tickets/" + fix)
	dept.waitText(".card", "窗口工作人员态度生硬", "服务态度", "办事指南", "138****1234", "派单")
	if strings.Contains(dept.text("main"), phone) {
		t.Errorf("department sees the citizen's full phone number")
	}
	dept.click("#act-sign")
	dept.waitText(".flash", "操作成功")
	dept.waitText(".status.big", "整改中")
	dept.waitText(".timeline", "签收")
	dept.run(chromedp.SetValue(chromedp.CSS("#report"), "已对窗口人员进行批评教育，实行一次性告知制度，并在大厅公示材料清单。"))
	dept.shot("department-ticket")
	dept.click("#act-resolve")
	dept.waitText(".status.big", "回访中")
	dept.waitText(".report", "一次性告知制度")

	// Sign the second and ask for an extension; appeal the third.
	dept.open("/tickets/" + extend)
	dept.click("#act-sign")
	dept.waitText(".status.big", "整改中")
	dept.run(chromedp.SetValue(chromedp.CSS("#working_days"), "3"),
		chromedp.SetValue(chromedp.CSS("#ext-reason"), "需协调市场监管、税务两部门联合核查，申请延期 3 个工作日。"))
	dept.click("#act-extension")
	dept.waitText(".pending", "申请延期 3 个工作日")
	dept.open("/tickets/" + appeal)
	dept.run(chromedp.SetValue(chromedp.CSS("#app-reason"), "评价内容与办理事项无关，系误评。"))
	dept.click("#act-appeal")
	dept.waitText(".pending", "申诉", "系误评")

	// Supervisor: the board, then the two decisions.
	sup := person()
	sup.signInHome("sup")
	s.waitFor(others[0], "overdue", func(t ticketOut) bool { return t.Overdue })
	sup.open("/supervisor?tab=decisions")
	sup.waitText("table.list", extend, appeal)
	sup.waitText(".cards", "超期工单", "待审批")
	sup.open("/supervisor")
	sup.waitText(".two", "按单位", "按超期工作日", "南京市公安局")
	sup.shot("supervisor-board")
	sup.open("/tickets/" + extend)
	sup.waitText(".pending", "申请延期 3 个工作日")
	sup.run(chromedp.SetValue(chromedp.CSS("#ext-comment"), "同意延期，请按期办结。"))
	sup.shot("supervisor-decision")
	sup.click("#act-approve")
	sup.waitText(".timeline", "延期获批")
	sup.open("/tickets/" + appeal)
	sup.click("#act-uphold")
	sup.waitText(".status.big", "已办结")
	sup.waitText(".facts", "申诉成立")
	if got := s.ticket(appeal); got.Status != "closed" || got.Resolution != "appeal_upheld" {
		t.Errorf("appeal: %+v, want closed as appeal_upheld", got)
	}

	// Department reports the extended one's fix; the citizen answers on a phone.
	dept.open("/tickets/" + extend)
	dept.run(chromedp.SetValue(chromedp.CSS("#report"), "已完成营业执照变更，并建立办件进度短信提醒。"))
	dept.click("#act-resolve")
	dept.waitText(".status.big", "回访中")
	citizen := person()
	citizen.run(chromedp.EmulateViewport(390, 844))
	citizen.open("/s/" + s.surveyToken(extend))
	citizen.waitText("main", "整改结果评价", "营业执照变更", "南京市市场监督管理局")
	citizen.shot("survey")
	citizen.click(`input[value="satisfied"]`)
	citizen.run(chromedp.SetValue(chromedp.CSS("#comment"), "办好了，谢谢。"))
	citizen.click("#survey-submit")
	citizen.waitText(".done", "感谢您的评价")
	s.waitFor(extend, "closed satisfied", func(t ticketOut) bool { return t.Status == "closed" && t.Resolution == "satisfied" })

	// Call center: the SMS for the first fix went unanswered, so it is a call to make.
	s.waitFor(fix, "a call task", func(t ticketOut) bool { return t.CallTask })
	cc := person()
	cc.signInHome("cc")
	cc.waitText("table.list", fix, "0 次", "短信未回复")
	cc.shot("callcenter-queue")
	cc.open("/tickets/" + fix)
	cc.waitText(".facts", "138****1234")
	cc.click("#reveal")
	cc.waitText("#phone", phone)
	cc.waitText(".card", "已记录本次查看")
	cc.click("#reached-yes")
	cc.run(chromedp.SetValue(chromedp.CSS("#call-level"), "satisfied"),
		chromedp.SetValue(chromedp.CSS("#call-note"), "群众表示窗口态度明显改善。"))
	cc.shot("callcenter-call")
	cc.click("#act-log-call")
	cc.waitText(".status.big", "已办结")
	cc.waitText(".timeline", "电话回访", "满意")

	// Dispatch the stray ticket from the queue, and register a rating given by phone.
	cc.open("/callcenter?tab=dispatch")
	cc.waitText("table.list", stray, "医保报销窗口")
	cc.run(chromedp.SetValue(chromedp.CSS(`[id="d-`+stray+`"]`), "320100-RSJ"))
	cc.click(`form[action="/tickets/` + stray + `/dispatch"] button`)
	cc.waitText(".status.big", "待签收")
	cc.waitText(".card", "南京市人力资源和社会保障局")
	cc.open("/callcenter/rating")
	cc.run(chromedp.SetValue(chromedp.CSS("#department_code"), "320100-ZJJ"))
	cc.click(`input[name="level"][value="dissatisfied"]`)
	cc.click(`input[name="aspects"][value="handling"]`)
	cc.run(chromedp.SetValue(chromedp.CSS("#comment"), "来电反映：房屋交易资金监管手续繁琐，窗口推诿。"),
		chromedp.SetValue(chromedp.CSS("#name"), "李四"), chromedp.SetValue(chromedp.CSS("#phone"), "13900001111"))
	cc.shot("callcenter-rating")
	cc.click("#rating-submit")
	cc.waitText(".flash", "差评已生成工单")

	// Search, English, and the admin pages.
	sup.open("/tickets?status=closed")
	sup.waitText("table.list", fix, extend, appeal)
	sup.shot("tickets-search")
	dept.open("/dept")
	dept.click("a.lang")
	dept.waitText(".tabs", "To sign", "Rectifying", "Due soon", "Overdue")
	dept.shot("department-inbox-en")
	dept.click("a.lang")
	dept.waitText(".tabs", "待签收")
	admin := person()
	admin.signInHome("admin")
	admin.waitText("table.list", "scjg", "市场监管局 张伟")
	admin.shot("admin-users")
	admin.open("/admin/calendar?year=2026")
	admin.waitText(".two", "国庆节", "2026-10-01")
	admin.shot("admin-calendar")
}

// ensureChromium installs Debian's Chromium with scripts/ensure-chromium.sh when
// it is missing (as root), and fails when that is not possible.
func ensureChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err == nil {
		return
	}
	out, err := exec.Command("bash", "../scripts/ensure-chromium.sh").CombinedOutput()
	if _, serr := os.Stat(chromium); serr != nil {
		t.Fatalf("no %s and scripts/ensure-chromium.sh could not install it (%v):\n%s", chromium, err, out)
	}
}

// tab is one person's browser.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

func (b *tab) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

func (b *tab) open(path string) {
	b.t.Helper()
	b.run(chromedp.Navigate(b.base + path))
}

func (b *tab) click(sel string) {
	b.t.Helper()
	b.run(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

func (b *tab) signIn(user string) {
	b.t.Helper()
	b.open("/login")
	b.run(chromedp.WaitVisible(chromedp.CSS("#username")), chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS("#signin")))
}

// home is the heading of each test user's home page, where signing in lands.
var home = map[string]string{"sup": "督办台", "cc": "话务台", "scjg": "本单位工单", "admin": "用户与 API 令牌"}

// signInHome signs user in and waits for their home page.
func (b *tab) signInHome(user string) {
	b.t.Helper()
	b.signIn(user)
	b.waitText("h1", home[user])
}

// signAndResolve opens the ticket, signs it and resolves it with the report,
// waiting for each status.
func (b *tab) signAndResolve(number, report string) {
	b.t.Helper()
	b.open("/tickets/" + number)
	b.click("#act-sign")
	b.waitText(".status.big", "整改中")
	b.run(chromedp.SetValue(chromedp.CSS("#report"), report))
	b.click("#act-resolve")
	b.waitText(".status.big", "回访中")
}

// text is the visible text of the first element sel matches, "" if none.
func (b *tab) text(sel string) string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q)).map(x => x.innerText).join("\n")`, sel)))
	return s
}

// waitText waits until the elements sel matches show every wanted text; it
// survives the page changing underneath it after a form is sent.
func (b *tab) waitText(sel string, want ...string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := b.text(sel)
		missing := ""
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			url, _ := chromedp.Run(b.ctx, chromedp.Location())
			b.t.Fatalf("%s: %q never showed %q; it shows:\n%s", url, sel, missing, b.text("body"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shot saves the whole page as PNG.
func (b *tab) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// browserTest skips a browser test in -short and makes sure Chromium is there.
func browserTest(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: not in -short")
	}
	ensureChromium(t)
}

// browserSite is newSite for a browser test (skipped in -short and without Chromium).
func browserSite(t *testing.T, tweak ...func(*config.Config)) *site {
	t.Helper()
	browserTest(t)
	return newSite(t, tweak...)
}

// shotsDir is where a test's screenshots go: -screenshots or a temporary folder.
func shotsDir(t *testing.T) string {
	t.Helper()
	shots := *screenshots
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return shots
}

// chromiumContext is the headless zh-CN Chromium every browser test drives,
// stopped when the test ends; extra options go after the common ones (a window
// size, say).
func chromiumContext(t *testing.T, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900)}, extra...)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	ctx, cancelAll := context.WithTimeout(root, timeout)
	t.Cleanup(cancelAll)
	return ctx
}

// browserFor starts Chromium for one test on site s and returns a maker of
// people, each with their own cookies; screenshots go to shotsDir.
func browserFor(t *testing.T, s *site, timeout time.Duration) func() *tab {
	t.Helper()
	return browserAt(t, s.sys.URL, timeout)
}

// browserAt is browserFor on any base URL.
func browserAt(t *testing.T, base string, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) func() *tab {
	t.Helper()
	browserTest(t)
	shots := shotsDir(t)
	ctx := chromiumContext(t, timeout, extra...)
	return func() *tab {
		c, _ := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		return &tab{t: t, ctx: c, base: base, shots: shots}
	}
}
