package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"rectify/campaigns"
	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

// The demo of `rectify dev`: on a database without ratings, a few weeks of
// ratings and a ticket in every state, each driven through the real workflow by
// the engine's actions (the same Updates the API sends), and a call-back
// campaign with a queue. Deadlines are timers: a stage that should already be
// overdue is counted as if it had begun working days ago (System.demoStageStart),
// and the workflow's own timers then make it overdue, escalate it, or hand an
// unanswered survey to the call center, as they would have.

// DemoSummary says what SeedDemoData created.
type DemoSummary struct {
	Ratings, Tickets, Cases, Callbacks int
	Took                               time.Duration
}

// demoBack holds, per workflow ID, how many working days back the next stage of
// a demo ticket counts from; entries live only while the seed drives that stage.
type demoBack struct{ m sync.Map }

// demoStageStart is the worker's Activities.StageStart: a registered demo
// ticket's stage counts from the end of the working day that many working days
// before from; every other ticket's from is kept.
func (s *System) demoStageStart(workflowID string, from time.Time) time.Time {
	v, ok := s.demo.m.Load(workflowID)
	if !ok {
		return from
	}
	t, err := s.Calendar.Shift(from, -v.(int))
	if err != nil {
		return from
	}
	return t
}

// Who acts in the demo: the demo users of demo.go.
var (
	demoSupervisor = domain.Actor{Username: "supervisor", Role: domain.RoleSupervisor}
	demoCallCenter = domain.Actor{Username: "callcenter", Role: domain.RoleCallCenter}
	demoDeptUser   = map[string]string{"320100-SCJG": "scjg", "320100-RSJ": "rsj", "320100-GAJ": "gaj",
		"320100-ZJJ": "zjj", "320102-XWZW": "xwzw"}
)

func deptActor(code string) domain.Actor {
	return domain.Actor{Username: demoDeptUser[code], Role: domain.RoleDepartment, DepartmentCode: code}
}

// demoStep is one action on a demo ticket. by "" is the ticket's department.
type demoStep struct {
	action string
	by     *domain.Actor
	req    workflows.ActionRequest
	back   int                      // >0: the stage this action starts counts from this many working days ago
	until  func(domain.Ticket) bool // after the action, wait for the workflow's timers to bring this about
}

// demoCase is one negative rating and what happens to its ticket. how says, in
// one line, how the workflow reaches the state the ticket is left in.
type demoCase struct {
	dept, item, comment string
	channel             domain.Channel
	level               domain.Level
	aspects             []string
	anonymous           bool
	daysAgo             int                      // rated this many days ago
	openBack            int                      // >0: the sign stage counts from this many working days ago
	openUntil           func(domain.Ticket) bool // wait for this after the opening
	steps               []demoStep
	how                 string
}

func demoAct(action string, note string) demoStep {
	return demoStep{action: action, req: workflows.ActionRequest{Note: note}}
}

func demoSup(action string, req workflows.ActionRequest) demoStep {
	return demoStep{action: action, by: &demoSupervisor, req: req}
}

func demoCall(reached bool, level domain.Level, note string) demoStep {
	return demoStep{action: workflows.ActionLogCall, by: &demoCallCenter,
		req: workflows.ActionRequest{Reached: reached, Level: level, Note: note}}
}

func demoOverdueAt(level int) func(domain.Ticket) bool {
	return func(t domain.Ticket) bool { return t.Overdue && t.EscalationLevel == level }
}

func demoCallTask(t domain.Ticket) bool { return t.CallTask }

var demoSign = demoAct(workflows.ActionSign, "")

func demoReport(r string) demoStep { return demoAct(workflows.ActionResolve, r) }

// demoUnsatisfiedRound: sign, report, and the citizen says on the phone it is not fixed.
func demoUnsatisfiedRound(r, said string) []demoStep {
	return []demoStep{demoSign, demoReport(r), demoCall(true, domain.Dissatisfied, said)}
}

// demoCases: every status of the process, and of the dept inbox, call center
// and supervisor board, at least once.
func demoCases(dueSoonBack int) []demoCase {
	const (
		scjg, rsj, gaj, zjj, xwzw = "320100-SCJG", "320100-RSJ", "320100-GAJ", "320100-ZJJ", "320102-XWZW"
	)
	return []demoCase{
		// 市场监管局
		{dept: scjg, item: "320100-SCJG-0101", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 0,
			aspects: []string{"handling", "result"}, comment: "营业执照经营范围变更网上提交三天了还显示审核中，打电话也没人接。",
			how: "to sign: dispatched at the opening, nobody has signed"},
		{dept: scjg, item: "320100-SCJG-0203", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 1,
			aspects: []string{"attitude"}, comment: "窗口工作人员态度生硬，问两句就不耐烦，材料被退回三次都没有一次性告知。",
			how: "to sign: dispatched at the opening"},
		{dept: scjg, item: "320100-SCJG-0310", channel: domain.ChannelMobile, level: domain.Dissatisfied, daysAgo: 1,
			aspects: []string{"convenience"}, comment: "食品经营许可证在手机上申报，上传材料总是卡在最后一步提交不了。",
			steps: []demoStep{demoSign}, how: "rectifying: signed"},
		{dept: scjg, item: "320100-SCJG-0101", channel: domain.ChannelHotline, level: domain.VeryDissatisfied, daysAgo: 2,
			aspects: []string{"handling"}, comment: "来电反映：企业注销办了一个多月，每次去都说还差材料，要求一次讲清楚。",
			steps: []demoStep{demoSign, demoSup(workflows.ActionUrge, workflows.ActionRequest{Note: "市民多次来电，请加快办理并当日回复进度。"})},
			how:   "rectifying, urged: signed, then a supervisor urged (催办)"},
		{dept: scjg, item: "320100-SCJG-0420", channel: domain.ChannelKiosk, level: domain.Dissatisfied, daysAgo: 6,
			aspects: []string{"convenience", "guide"}, comment: "自助机打印的营业执照副本字迹模糊，旁边也没有工作人员指导。",
			steps: []demoStep{demoWithBack(demoSign, dueSoonBack)},
			how:   "rectifying, due soon: signed, its 5-day limit counted from 4-5 working days ago"},
		{dept: scjg, item: "320100-SCJG-0203", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 4,
			aspects: []string{"queueing"}, comment: "上午九点取号，排到十一点半才叫到，中间好几个窗口都没人。",
			openBack: 2, openUntil: demoOverdueAt(1),
			how: "overdue, level 1: the sign stage counted from 2 working days ago; its deadline timer fired"},
		{dept: scjg, item: "320100-SCJG-0310", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 16,
			aspects: []string{"result"}, comment: "投诉的商家虚假宣传问题，处理结果只说已约谈，没有任何书面答复。",
			steps: []demoStep{{action: workflows.ActionSign, back: 10, until: demoOverdueAt(2)}},
			how:   "overdue, level 2 (通报): signed with the 5-day limit counted from 10 working days ago; both timers fired"},
		{dept: scjg, item: "320100-SCJG-0101", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 3,
			aspects: []string{"handling"}, comment: "个体户年报提交后系统一直提示异常，窗口说是系统问题让自己想办法。",
			steps: []demoStep{demoSign, demoReport("已联系技术支持修复年报系统异常，并电话指导申请人重新提交，已公示成功。")},
			how:   "following up: signed and reported; the SMS survey is out"},
		{dept: scjg, item: "320100-SCJG-0420", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 6,
			aspects: []string{"attitude", "competence"}, comment: "咨询食品小作坊登记条件，工作人员自己都说不清楚，让我回去等通知。",
			steps: []demoStep{demoSign, {action: workflows.ActionResolve, back: 3, until: demoCallTask,
				req: workflows.ActionRequest{Note: "已组织窗口人员学习小作坊登记办法，编制一次性告知单，并电话向申请人解释登记条件。"}}},
			how: "call task: reported with the 2-day survey window counted from 3 working days ago; unanswered, it passed to the call center"},
		{dept: scjg, item: "320100-SCJG-0310", channel: domain.ChannelMobile, level: domain.Dissatisfied, daysAgo: 2,
			aspects: []string{"handling", "result"}, comment: "特种设备使用登记申请两周没有结果，也没人告知进度。",
			steps: []demoStep{demoSign, {action: workflows.ActionRequestExtension,
				req: workflows.ActionRequest{WorkingDays: 5, Note: "需会同区市场监管分局现场核查设备，申请延期 5 个工作日。"}}},
			how: "pending extension: signed, then asked for 5 more working days"},
		{dept: scjg, item: "320100-SCJG-0203", channel: domain.ChannelHall, level: domain.Dissatisfied, daysAgo: 12,
			aspects: []string{"guide"}, comment: "办事指南上写的材料和窗口要求的不一样，白跑一趟。",
			steps: []demoStep{demoSign, demoReport("已核对并更新办事指南，窗口与网上材料清单统一，向申请人致歉。"),
				demoCall(true, domain.Satisfied, "市民表示指南已更新，对整改满意。")},
			how: "closed, satisfied: signed, reported, the citizen said on the call-back it is fixed"},
		{dept: scjg, item: "320100-SCJG-0101", channel: domain.ChannelWeb, level: domain.VeryDissatisfied, daysAgo: 5,
			aspects: []string{"convenience"}, comment: "测试测试，随便点的。",
			steps: []demoStep{demoAct(workflows.ActionAppeal, "评价内容与办理事项无关，系误评，申请复核。"),
				demoSup(workflows.ActionDecideAppeal, workflows.ActionRequest{Approve: true, Note: "经核实为误评，申诉成立。"})},
			how: "closed, appeal upheld: the department appealed, a supervisor upheld it"},
		{dept: scjg, item: "320100-SCJG-0420", channel: domain.ChannelHotline, level: domain.VeryDissatisfied, daysAgo: 20,
			aspects: []string{"result"}, comment: "来电反映：小区门口餐馆油烟扰民，投诉多次，每次都说已处理，但情况没有任何改变。",
			steps: demoConcat(demoUnsatisfiedRound("已约谈店主并责令加装油烟净化设备。", "市民反映油烟依旧，不满意。"),
				demoUnsatisfiedRound("已现场复查，督促店主更换大功率净化器。", "市民表示晚高峰仍有油烟，不满意。"),
				demoUnsatisfiedRound("已联合城管执法部门复查并立案。", "市民仍不满意，要求督办。")),
			how: "awaiting a supervisor: three rounds, unsatisfied at each call-back"},

		// 人社局
		{dept: rsj, item: "320100-RSJ-0105", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 0,
			aspects: []string{"handling"}, comment: "失业保险金网上申领提交后一直没有审核结果。",
			how: "to sign: dispatched at the opening"},
		{dept: rsj, item: "320100-RSJ-0212", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 11,
			aspects: []string{"handling", "competence"}, comment: "社保关系转移接续跑了三趟，每次窗口说法都不一样。",
			steps: []demoStep{{action: workflows.ActionSign, back: 6, until: demoOverdueAt(1)}},
			how:   "overdue, level 1: signed with the 5-day limit counted from 6 working days ago; the deadline timer fired"},
		{dept: rsj, item: "320100-RSJ-0105", channel: domain.ChannelMobile, level: domain.Dissatisfied, daysAgo: 8,
			aspects: []string{"convenience"}, comment: "手机上查不到养老保险缴费记录，客服电话一直占线。",
			openBack: 5, openUntil: demoOverdueAt(2),
			how: "overdue, level 2: the sign stage counted from 5 working days ago; both timers fired"},
		{dept: rsj, item: "320100-RSJ-0330", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 3,
			aspects: []string{"attitude"}, comment: "差评乱评，与本窗口业务无关。",
			steps: []demoStep{demoSign, demoAct(workflows.ActionAppeal, "评价人所述事项属税务部门办理，非本单位业务，申请复核。")},
			how:   "pending appeal: signed, then appealed"},
		{dept: rsj, item: "320100-RSJ-0212", channel: domain.ChannelKiosk, level: domain.Dissatisfied, daysAgo: 2,
			aspects: []string{"convenience"}, comment: "自助终端打印参保证明一直提示读卡失败。",
			steps: []demoStep{demoSign, demoReport("已更换读卡模块并安排专人值守自助区，申请人已成功打印参保证明。")},
			how:   "following up: signed and reported; the SMS survey is out"},
		{dept: rsj, item: "320100-RSJ-0330", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 9,
			aspects: []string{"queueing"}, comment: "就业登记窗口只开一个，排队两个多小时。",
			openBack: 5, openUntil: demoOverdueAt(2),
			steps: []demoStep{demoSup(workflows.ActionClose, workflows.ActionRequest{Note: "经核实窗口已于当日增开，市民诉求已现场解决，直接办结。"})},
			how:   "closed by a supervisor: overdue at level 2, then closed directly (直接办结)"},
		{dept: rsj, item: "320100-RSJ-0105", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 7, anonymous: true,
			aspects: []string{"guide"}, comment: "网上办事指南里的表格下载链接打不开。",
			steps: []demoStep{demoSign, demoReport("已修复表格下载链接，并在网站首页发布说明。")},
			how:   "closed, no follow-up: anonymous, so the report closes it"},
		{dept: rsj, item: "320100-RSJ-0212", channel: domain.ChannelHotline, level: domain.Dissatisfied, daysAgo: 4,
			aspects: []string{"handling"}, comment: "来电反映：工伤认定申请材料交了二十多天没有任何消息。",
			steps: []demoStep{demoSign, {action: workflows.ActionRequestExtension,
				req: workflows.ActionRequest{WorkingDays: 3, Note: "需调取用人单位考勤记录，申请延期 3 个工作日。"}},
				demoSup(workflows.ActionDecideExtension, workflows.ActionRequest{Approve: true, Note: "同意延期，请按期办结。"})},
			how: "rectifying, extended: signed, asked for 3 days, a supervisor approved"},

		// 公安局
		{dept: gaj, item: "320100-GAJ-0501", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 0,
			aspects: []string{"queueing"}, comment: "户籍窗口排队两个小时，叫号系统经常出错跳号。",
			how: "to sign: dispatched at the opening"},
		{dept: gaj, item: "320100-GAJ-0620", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 9,
			aspects: []string{"guide"}, comment: "身份证补办要求的材料和网上办事指南不一致。",
			openBack: 5, openUntil: demoOverdueAt(2),
			how: "overdue, level 2: the sign stage counted from 5 working days ago"},
		{dept: gaj, item: "320100-GAJ-0501", channel: domain.ChannelMobile, level: domain.Dissatisfied, daysAgo: 3,
			aspects: []string{"result"}, comment: "居住证办理进度查询显示已制证，去窗口却说还没到。",
			steps: []demoStep{demoSign, {action: workflows.ActionRequestExtension,
				req: workflows.ActionRequest{WorkingDays: 10, Note: "需与制证中心逐一核对批次，申请延期 10 个工作日。"}},
				demoSup(workflows.ActionDecideExtension, workflows.ActionRequest{Note: "延期理由不充分，请按原期限办结。"})},
			how: "rectifying, extension refused: signed, asked for 10 days, a supervisor refused"},
		{dept: gaj, item: "320100-GAJ-0620", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 6,
			aspects: []string{"attitude"}, comment: "出入境窗口工作人员玩手机，让我等了二十分钟才处理。",
			steps: []demoStep{demoSign, {action: workflows.ActionResolve, back: 3, until: demoCallTask,
				req: workflows.ActionRequest{Note: "已对当班民警通报批评并纳入绩效考核，窗口实行服务巡查。"}}},
			how: "call task: reported with the survey window counted from 3 working days ago; unanswered, it passed to the call center"},
		{dept: gaj, item: "320100-GAJ-0501", channel: domain.ChannelHall, level: domain.Dissatisfied, daysAgo: 14,
			aspects: []string{"competence"}, comment: "新生儿落户，窗口说要先去社区开证明，社区又说不需要。",
			steps: []demoStep{demoSign, demoReport("已与社区统一口径并更新一次性告知单，申请人已完成落户。"),
				demoCall(true, domain.VerySatisfied, "市民表示已顺利落户，非常满意。")},
			how: "closed, satisfied at the call-back"},
		{dept: gaj, item: "320100-GAJ-0620", channel: domain.ChannelWeb, level: domain.Dissatisfied, daysAgo: 2,
			aspects: []string{"handling"}, comment: "公积金贷款的房产查档，窗口让我去公安局，这里又说不归他们管。",
			steps: []demoStep{demoAct(workflows.ActionReturn, "房产查档属住建部门职责，非本单位业务，请重新派单。")},
			how:   "to dispatch: the department returned it (退单)"},

		// 住建局
		{dept: zjj, item: "320100-ZJJ-0701", channel: domain.ChannelWeb, level: domain.VeryDissatisfied, daysAgo: 10,
			aspects: []string{"delivery"}, comment: "公积金提取材料快递送件丢失，补寄也没有任何通知。",
			steps: []demoStep{{action: workflows.ActionSign, back: 6, until: demoOverdueAt(1)}},
			how:   "overdue, level 1: signed with the limit counted from 6 working days ago"},
		{dept: zjj, item: "320100-ZJJ-0815", channel: domain.ChannelHotline, level: domain.Dissatisfied, daysAgo: 13,
			aspects: []string{"result"}, comment: "来电反映：小区电梯停用一个月，物业和住建部门互相推诿。",
			steps: []demoStep{demoSign, demoReport("已约谈物业公司，电梯维修资金申请已受理。"),
				demoCall(false, "", "无人接听"), demoCall(false, "", "无人接听"), demoCall(false, "", "关机")},
			how: "closed, unreachable: reported, three call-back attempts unanswered"},
		{dept: zjj, item: "320100-ZJJ-0701", channel: domain.ChannelMobile, level: domain.VeryDissatisfied, daysAgo: 15,
			aspects: []string{"handling"}, comment: "商品房预售资金监管账户查询，App 上一直显示系统维护。",
			steps: demoConcat(demoUnsatisfiedRound("已排查查询接口故障。", "市民表示仍查不到，不满意。"),
				[]demoStep{demoSign, demoReport("已修复查询接口并上线短信通知功能，经市民确认可以正常查询。"),
					demoCall(true, domain.Satisfied, "市民表示可以正常查询，满意。")}),
			how: "closed, satisfied in round 2: unsatisfied once, reopened, fixed"},

		// 玄武区政务服务中心
		{dept: xwzw, item: "320102-XWZW-0901", channel: domain.ChannelKiosk, level: domain.Dissatisfied, daysAgo: 1,
			aspects: []string{"convenience"}, comment: "大厅自助机没有纸了，等了半小时也没人来加。",
			how: "to sign: dispatched at the opening"},
		{dept: xwzw, item: "320102-XWZW-0902", channel: domain.ChannelHall, level: domain.VeryDissatisfied, daysAgo: 3,
			aspects: []string{"queueing", "attitude"}, comment: "导服台说周六可以办，结果来了说不对外，浪费半天时间。",
			steps: []demoStep{demoSign, {action: workflows.ActionRequestExtension,
				req: workflows.ActionRequest{WorkingDays: 2, Note: "需核实当日导服人员排班及答复记录，申请延期 2 个工作日。"}}},
			how: "pending extension: signed, asked for 2 more days"},
		{dept: xwzw, item: "320102-XWZW-0901", channel: domain.ChannelHall, level: domain.Dissatisfied, daysAgo: 18,
			aspects: []string{"guide"}, comment: "不动产登记需要的材料清单没有张贴出来。",
			steps: []demoStep{demoSign, demoReport("已在大厅入口及各窗口张贴材料清单，并同步更新网上指南。"),
				demoCall(true, domain.BasicallySatisfied, "市民基本满意。")},
			how: "closed, satisfied (basically) at the call-back"},

		// A department not registered: the call center dispatches it.
		{dept: "320100-WJW", item: "320100-WJW-0301", channel: domain.ChannelHotline, level: domain.VeryDissatisfied, daysAgo: 1,
			aspects: []string{"handling"}, comment: "来电反映：医保异地备案窗口说不归他们管，让去卫健委。",
			how: "to dispatch: its department is not registered"},
	}
}

func demoWithBack(s demoStep, back int) demoStep { s.back = back; return s }

func demoConcat(xs ...[]demoStep) []demoStep {
	var out []demoStep
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}

// demoPositiveCount is how many positive ratings the demo has.
const demoPositiveCount = 160

// demoPositive are the other ratings: weeks of ordinary service, mostly good.
var demoPositive = []struct {
	dept, item, comment string
	channel             domain.Channel
	level               domain.Level
}{
	{"320100-SCJG", "320100-SCJG-0101", "网上办理营业执照很方便，一天就拿到了。", domain.ChannelWeb, domain.VerySatisfied},
	{"320100-SCJG", "320100-SCJG-0203", "窗口人员很耐心，一次性告知了所有材料。", domain.ChannelHall, domain.VerySatisfied},
	{"320100-SCJG", "320100-SCJG-0310", "", domain.ChannelMobile, domain.Satisfied},
	{"320100-SCJG", "320100-SCJG-0420", "自助机打印很快。", domain.ChannelKiosk, domain.Satisfied},
	{"320100-SCJG", "320100-SCJG-0101", "", domain.ChannelWeb, domain.BasicallySatisfied},
	{"320100-SCJG", "320100-SCJG-0203", "排队时间有点长，但办理很顺利。", domain.ChannelHall, domain.BasicallySatisfied},
	{"320100-SCJG", "320100-SCJG-0310", "", domain.ChannelHotline, domain.VerySatisfied},
	{"320100-RSJ", "320100-RSJ-0105", "社保卡补办当场就拿到了，点赞。", domain.ChannelHall, domain.VerySatisfied},
	{"320100-RSJ", "320100-RSJ-0212", "", domain.ChannelWeb, domain.Satisfied},
	{"320100-RSJ", "320100-RSJ-0330", "就业登记手机上就能办，不用跑腿。", domain.ChannelMobile, domain.VerySatisfied},
	{"320100-RSJ", "320100-RSJ-0105", "", domain.ChannelKiosk, domain.Satisfied},
	{"320100-RSJ", "320100-RSJ-0212", "工作人员业务熟练。", domain.ChannelHall, domain.Satisfied},
	{"320100-RSJ", "320100-RSJ-0330", "", domain.ChannelWeb, domain.BasicallySatisfied},
	{"320100-GAJ", "320100-GAJ-0501", "身份证换领很快，还有加急服务。", domain.ChannelHall, domain.VerySatisfied},
	{"320100-GAJ", "320100-GAJ-0620", "", domain.ChannelMobile, domain.Satisfied},
	{"320100-GAJ", "320100-GAJ-0501", "出入境证件网上预约很方便。", domain.ChannelWeb, domain.VerySatisfied},
	{"320100-GAJ", "320100-GAJ-0620", "", domain.ChannelHall, domain.BasicallySatisfied},
	{"320100-GAJ", "320100-GAJ-0501", "", domain.ChannelKiosk, domain.Satisfied},
	{"320100-ZJJ", "320100-ZJJ-0701", "公积金提取全程网办，两天到账。", domain.ChannelWeb, domain.VerySatisfied},
	{"320100-ZJJ", "320100-ZJJ-0815", "", domain.ChannelHotline, domain.Satisfied},
	{"320100-ZJJ", "320100-ZJJ-0701", "", domain.ChannelMobile, domain.BasicallySatisfied},
	{"320100-ZJJ", "320100-ZJJ-0815", "窗口帮忙查询了备案信息，很热情。", domain.ChannelHall, domain.VerySatisfied},
	{"320102-XWZW", "320102-XWZW-0901", "大厅环境好，导服人员很热情。", domain.ChannelHall, domain.VerySatisfied},
	{"320102-XWZW", "320102-XWZW-0902", "", domain.ChannelKiosk, domain.Satisfied},
	{"320102-XWZW", "320102-XWZW-0901", "一窗通办，少跑了好几个地方。", domain.ChannelHall, domain.VerySatisfied},
	{"320102-XWZW", "320102-XWZW-0902", "", domain.ChannelWeb, domain.Satisfied},
	{"320102-XWZW", "320102-XWZW-0901", "", domain.ChannelMobile, domain.BasicallySatisfied},
	{"320100-SCJG", "320100-SCJG-0420", "", domain.ChannelHall, domain.Satisfied},
	{"320100-RSJ", "320100-RSJ-0105", "", domain.ChannelHotline, domain.VerySatisfied},
	{"320100-GAJ", "320100-GAJ-0620", "", domain.ChannelWeb, domain.Satisfied},
	{"320100-ZJJ", "320100-ZJJ-0701", "", domain.ChannelKiosk, domain.Satisfied},
}

var demoNames = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞", "徐强", "孙丽",
	"马超", "朱琳", "胡斌", "郭婷", "何平", "高峰", "林涛", "罗娟"}

func demoPhone(i int) string { return fmt.Sprintf("139%08d", 51720000+i*7919%100000) }

var demoRegion = map[string]string{"320100-SCJG": "320104", "320100-RSJ": "320105", "320100-GAJ": "320106",
	"320100-ZJJ": "320113", "320102-XWZW": "320102", "320100-WJW": "320114"}

// SeedDemoData fills a database that has no ratings yet with the demo; on any
// other database it does nothing (a restart keeps what is there). It needs the
// demo departments and users (SeedDemo) and a running worker.
func (s *System) SeedDemoData(ctx context.Context) (sum DemoSummary, seeded bool, err error) {
	has, err := s.Store.HasRatings(ctx)
	if err != nil || has {
		return sum, false, err
	}
	start := time.Now()
	backdate := s.Config.Calendar.Mode != "compressed" // compressed time gets there by itself, in seconds
	now := time.Now()
	// Due soon: a 5-day limit counted from 5 working days ago ends tonight; after
	// tonight's end of day, count from 4 so it ends tomorrow instead.
	dueSoonBack := 5
	if end, err := s.Calendar.Shift(now, 0); err == nil && !now.Before(end) {
		dueSoonBack = 4
	} else if ok, err := s.Calendar.IsWorkingDay(now); err == nil && !ok {
		dueSoonBack = 4
	}
	cases := demoCases(dueSoonBack)
	// Rating ids, and so workflow IDs, are new each time: a Temporal that kept
	// the workflows of an earlier demo (its data outlived the database) must not
	// take this demo's tickets for those.
	idp := "DEMO-" + now.Format("060102-150405") + "-"
	var rs []store.NewRating
	for i, c := range cases {
		rs = append(rs, s.demoRating(fmt.Sprintf("%sN%03d", idp, i+1), i, c.dept, c.item, c.comment, c.channel, c.level,
			c.aspects, c.anonymous, now.Add(-time.Duration(c.daysAgo)*24*time.Hour-time.Duration(i%7+1)*time.Hour)))
	}
	// Five weeks of ordinary service, mostly good, so that the negative rate and
	// the rankings look like a real month's (each department passes the ranking's
	// minimum of 30 ratings).
	levels := []domain.Level{domain.VerySatisfied, domain.Satisfied, domain.VerySatisfied, domain.BasicallySatisfied,
		domain.Satisfied, domain.VerySatisfied, domain.Satisfied}
	for i := 0; i < demoPositiveCount; i++ {
		p := demoPositive[i%len(demoPositive)]
		ch, level, comment := p.channel, p.level, p.comment
		if i >= len(demoPositive) {
			ch, level = domain.Channels[(i/len(demoPositive)+i)%len(domain.Channels)], levels[i%len(levels)]
			if i%3 != 0 {
				comment = ""
			}
		}
		days := 1 + (i*7)%34
		rs = append(rs, s.demoRating(fmt.Sprintf("%sP%03d", idp, i+1), i+len(cases), p.dept, p.item, comment, ch, level,
			nil, i%4 == 3, now.Add(-time.Duration(days)*24*time.Hour-time.Duration(i%9+1)*time.Hour)))
	}
	res, err := s.Store.CreateRatings(ctx, rs)
	if err != nil {
		return sum, false, err
	}
	sum.Ratings = len(rs)
	tickets := map[string]store.TicketStart{}
	for _, r := range res {
		if r.Ticket != nil {
			tickets[r.Ticket.RatingID] = *r.Ticket
			sum.Tickets++
		}
	}
	// Each ticket's steps run in order; tickets run side by side.
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 8)
		mu   sync.Mutex
		errs []error
	)
	run := func(ts store.TicketStart, c *demoCase) {
		defer func() { <-sem; wg.Done() }()
		if err := s.driveDemo(ctx, ts, c, backdate); err != nil {
			mu.Lock()
			how := "to sign"
			if c != nil {
				how = c.how
			}
			errs = append(errs, fmt.Errorf("demo ticket %s (%s): %w", ts.Number, how, err))
			mu.Unlock()
		}
	}
	for i := range rs {
		ts, ok := tickets[rs[i].ID]
		if !ok {
			continue
		}
		var c *demoCase
		if i < len(cases) {
			c = &cases[i]
		}
		sem <- struct{}{}
		wg.Add(1)
		go run(ts, c)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return sum, true, err
	}
	sum.Cases, sum.Callbacks, err = s.seedDemoCallbacks(ctx, now)
	sum.Took = time.Since(start)
	return sum, true, err
}

func (s *System) demoRating(id string, i int, dept, item, comment string, ch domain.Channel, level domain.Level,
	aspects []string, anonymous bool, at time.Time) store.NewRating {
	if aspects == nil {
		aspects = []string{}
	}
	r := domain.Rating{ID: id, Channel: ch, Level: level, RatedAt: at, ReceivedAt: time.Now(), DepartmentCode: dept,
		Service: domain.Service{ServiceItemCode: item, RegionCode: demoRegion[dept]}, Aspects: aspects, Comment: comment, Negative: level.Negative(),
		Citizen: &domain.Citizen{Name: demoNames[i%len(demoNames)], Phone: demoPhone(i)}}
	if ch == domain.ChannelHall {
		r.HallCode = dept + "-HALL"
	}
	if anonymous {
		r.Citizen = &domain.Citizen{Anonymous: true}
	}
	by := "web-portal"
	if ch == domain.ChannelHotline {
		by = demoCallCenter.Username // 电话评价登记
	}
	b, _ := json.Marshal(r)
	h := sha256.Sum256(b)
	return store.NewRating{Rating: r, BodyHash: h[:], SubmittedBy: by}
}

// driveDemo starts a demo ticket's workflow and sends its actions, waiting for
// the state each step should leave.
func (s *System) driveDemo(ctx context.Context, ts store.TicketStart, c *demoCase, backdate bool) error {
	wid := workflows.WorkflowID(ts.RatingID)
	if c != nil && c.openBack > 0 && backdate {
		s.demo.m.Store(wid, c.openBack)
	}
	if err := s.Engine.Start(ctx, ts); err != nil {
		return err
	}
	// The opening is written by the workflow itself: wait for it.
	if _, err := s.waitDemo(ctx, ts.Number, func(t domain.Ticket) bool { return len(t.Events) > 0 }); err != nil {
		return err
	}
	s.demo.m.Delete(wid)
	if c == nil {
		return nil
	}
	if c.openUntil != nil && backdate {
		if _, err := s.waitDemo(ctx, ts.Number, c.openUntil); err != nil {
			return fmt.Errorf("after the opening: %w", err)
		}
	}
	for _, st := range c.steps {
		actor := deptActor(c.dept)
		if st.by != nil {
			actor = *st.by
		}
		req := st.req
		req.Actor = actor
		if req.Actor.Role == domain.RoleDepartment && req.Actor.Username == "" {
			return fmt.Errorf("no demo user for department %s", c.dept)
		}
		ref, err := s.Store.GetTicketRef(ctx, ts.Number)
		if err != nil {
			return err
		}
		if st.back > 0 && backdate {
			s.demo.m.Store(wid, st.back)
		}
		err = s.Engine.Act(ctx, ref, st.action, req)
		s.demo.m.Delete(wid)
		if err != nil {
			return fmt.Errorf("%s: %w", st.action, err)
		}
		if st.until != nil && backdate {
			if _, err := s.waitDemo(ctx, ts.Number, st.until); err != nil {
				return fmt.Errorf("after %s: %w", st.action, err)
			}
		}
	}
	return nil
}

// waitDemo polls the ticket until ok holds, for at most 20 s.
func (s *System) waitDemo(ctx context.Context, number string, ok func(domain.Ticket) bool) (domain.Ticket, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		t, err := s.Store.GetTicket(ctx, number)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return t, err
		}
		if err == nil && ok(t) {
			return t, nil
		}
		if time.Now().After(deadline) {
			return t, fmt.Errorf("ticket %s did not reach the demo's state (now %s, overdue %v, level %d)",
				number, t.Status, t.Overdue, t.EscalationLevel)
		}
		select {
		case <-ctx.Done():
			return t, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// seedDemoCallbacks reports finished service cases and releases the sampled ones
// into the call-back queue, as the campaign does within calling hours. Outside
// them the release is dated at the end of the last calling window, when the
// campaign would have made it.
func (s *System) seedDemoCallbacks(ctx context.Context, now time.Time) (cases, released int, err error) {
	rules, err := campaigns.CurrentRules(ctx, s.Store)
	if err != nil {
		return 0, 0, err
	}
	if rules.Version == 0 {
		// A supervisor's demo rules: a third of all cases, every 不动产登记 case.
		r := campaigns.Default()
		r.DefaultShare = 0.35
		r.AlwaysCallItems = []string{"320102-XWZW-0901"}
		if rules, err = campaigns.SaveRules(ctx, s.Store, r, nil, demoSupervisor.Username); err != nil {
			return 0, 0, err
		}
	}
	items := []struct{ dept, code, name string }{
		{"320100-SCJG", "320100-SCJG-0101", "企业设立登记"},
		{"320100-RSJ", "320100-RSJ-0105", "失业保险金申领"},
		{"320100-GAJ", "320100-GAJ-0501", "居民身份证换领"},
		{"320100-ZJJ", "320100-ZJJ-0701", "住房公积金提取"},
		{"320102-XWZW", "320102-XWZW-0901", "不动产登记"},
	}
	var cs []store.NewCase
	for i := 0; i < 30; i++ {
		it := items[i%len(items)]
		c := store.NewCase{CaseNo: fmt.Sprintf("BJ%s%04d", now.AddDate(0, 0, -(i%6+1)).Format("20060102"), 100+i),
			ServiceItemCode: it.code, ServiceItemName: it.name, DepartmentCode: it.dept, Channel: string(domain.ChannelHall),
			RegionCode: demoRegion[it.dept], FinishedAt: now.Add(-time.Duration(i%6+1)*24*time.Hour - time.Duration(i%5+2)*time.Hour),
			ApplicantName: demoNames[(i+7)%len(demoNames)], ApplicantPhone: demoPhone(100 + i), SubmittedBy: "web-portal"}
		b, _ := json.Marshal(c)
		h := sha256.Sum256(b)
		c.BodyHash = h[:]
		cs = append(cs, c)
	}
	if _, err := campaigns.Intake(ctx, s.Store, cs); err != nil {
		return 0, 0, err
	}
	at, err := lastCallingTime(rules, s.Calendar, now)
	if err != nil {
		return len(cs), 0, err
	}
	sum, err := campaigns.ReleaseCallbacks(ctx, s.Store, rules, at, s.Calendar.Location())
	return len(cs), sum.Released, err
}

// lastCallingTime is now when citizens may be called now, else the last minute
// of the latest calling window before now.
func lastCallingTime(r campaigns.Rules, cal campaigns.WorkingDays, now time.Time) (time.Time, error) {
	for t := now; now.Sub(t) < 15*24*time.Hour; t = t.Add(-15 * time.Minute) {
		w, err := r.WindowAt(cal, t)
		if err != nil {
			return now, err
		}
		if w.Open {
			if t.Equal(now) {
				return now, nil
			}
			return w.Until.Add(-time.Minute), nil
		}
	}
	return now, errors.New("no calling window in the last 15 days")
}
