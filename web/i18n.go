package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/labstack/echo/v4"
)

// Lang is the language a page is rendered in: Chinese unless the user chose English.
type Lang string

const (
	Zh Lang = "zh-CN"
	En Lang = "en"
)

const langCookie = "rectify_lang"

func langOf(c echo.Context) Lang {
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value == string(En) {
		return En
	}
	return Zh
}

// T translates a catalog key, formatting args into it; a missing key shows itself,
// so a gap is visible on the page rather than blank.
func (l Lang) T(key string, args ...any) string {
	m, ok := catalog[key]
	if !ok {
		return key
	}
	s := m[0]
	if l == En {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Label translates an enum value (a status, level, aspect…) under its kind.
func (l Lang) Label(kind string, v any) string {
	key := kind + "." + fmt.Sprint(v)
	if _, ok := catalog[key]; !ok {
		return fmt.Sprint(v)
	}
	return l.T(key)
}

// Other is the language the switch offers.
func (l Lang) Other() Lang {
	if l == En {
		return Zh
	}
	return En
}

// known reports whether key is in the catalog (flash messages are keys, checked).
func known(key string) bool {
	_, ok := catalog[key]
	return ok
}

// Each page's own texts are kept in texts/<page>.json ({"key": ["Chinese",
// "English"]}) and join the catalog at start; a key may be in one place only.
//
//go:embed texts/*.json
var textFiles embed.FS

func init() {
	names, err := fs.Glob(textFiles, "texts/*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		b, err := textFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		var texts map[string][2]string
		if err := json.Unmarshal(b, &texts); err != nil {
			panic(fmt.Sprintf("web/%s: %v", name, err))
		}
		for k, v := range texts {
			if _, taken := catalog[k]; taken {
				panic(fmt.Sprintf("web/%s: %s is already in the catalog", name, k))
			}
			catalog[k] = v
		}
	}
}

// catalog holds every text of the pages: {Chinese, English}.
var catalog = map[string][2]string{
	"app.name":        {"政务服务好差评 · 差评整改工作台", "Service Ratings · Rectification Workbench"},
	"app.short":       {"好差评整改", "Rectify"},
	"lang.switch":     {"English", "中文"},
	"nav.dept":        {"本单位工单", "My department"},
	"nav.call":        {"话务台", "Call center"},
	"nav.rating":      {"电话评价登记", "Phone rating"},
	"nav.sup":         {"督办台", "Supervision"},
	"nav.tickets":     {"工单查询", "Tickets"},
	"nav.analytics":   {"量化分析", "Analytics"},
	"nav.depts":       {"部门", "Departments"},
	"nav.users":       {"用户与令牌", "Users & tokens"},
	"nav.calendar":    {"工作日历", "Calendar"},
	"nav.signout":     {"退出", "Sign out"},
	"nav.skip":        {"跳到正文", "Skip to content"},
	"role.admin":      {"管理员", "Administrator"},
	"role.supervisor": {"督办员", "Supervisor"},
	"role.callcenter": {"话务员", "Call center"},
	"role.department": {"责任单位", "Department"},
	"role.channel":    {"接入渠道", "Channel"},
	"role.system":     {"系统", "system"},
	"role.citizen":    {"群众", "citizen"},

	"login.title":     {"登录", "Sign in"},
	"login.username":  {"用户名", "Username"},
	"login.password":  {"密码", "Password"},
	"login.submit":    {"登录", "Sign in"},
	"login.failed":    {"用户名或密码错误。", "Wrong username or password."},
	"login.locked":    {"登录失败次数过多，账号已锁定至 %s。", "Too many failed sign-ins: the account is locked until %s."},
	"login.throttled": {"登录尝试过于频繁，请稍后再试。", "Too many sign-in attempts from this address; try again in a moment."},
	"login.channel":   {"接入渠道账号只能使用 API 令牌，不能登录工作台。", "Channel accounts use API tokens and cannot sign in here."},
	"login.expired":   {"登录已过期，请重新登录。", "Your session ended; please sign in again."},
	"login.stale":     {"登录页面已过期，请重试。", "The sign-in page expired; please try again."},
	"login.signedout": {"您已退出。", "You are signed out."},

	"err.title":    {"出错了", "Something went wrong"},
	"err.400":      {"请求有误。", "The request was not understood."},
	"err.401":      {"请先登录。", "Please sign in."},
	"err.403":      {"您没有权限访问此页面或执行此操作。", "You may not see this page or do this."},
	"err.csrf":     {"表单已过期或来源不明，请刷新页面后重试。", "The form expired or did not come from this site; reload the page and try again."},
	"err.404":      {"未找到该页面或工单。", "No such page or ticket."},
	"err.409":      {"工单当前状态不允许此操作（可能已被他人处理），请刷新后查看。", "The ticket's state does not allow this (someone may have acted on it); reload to see."},
	"err.410":      {"该链接已失效。", "This link is no longer valid."},
	"err.422":      {"请检查填写的内容：", "Please check what you entered:"},
	"err.500":      {"系统出错，请稍后再试。", "Internal error; please try again later."},
	"err.503":      {"流程服务暂时不可用，请稍后再试。", "The workflow service is unavailable; please retry shortly."},
	"err.back":     {"返回首页", "Back to start"},
	"err.required": {"必填", "required"},

	"common.more":     {"下一页", "Next page"},
	"common.first":    {"第一页", "First page"},
	"common.empty":    {"暂无", "None"},
	"common.none":     {"无", "none"},
	"common.submit":   {"提交", "Submit"},
	"common.working":  {"处理中…", "Working…"},
	"common.save":     {"保存", "Save"},
	"common.delete":   {"删除", "Delete"},
	"common.search":   {"查询", "Search"},
	"common.all":      {"全部", "All"},
	"common.yes":      {"是", "Yes"},
	"common.no":       {"否", "No"},
	"common.optional": {"（可选）", "(optional)"},
	"common.total":    {"合计", "Total"},
	"common.count":    {"%d 件", "%d"},

	"col.number":     {"工单号", "Ticket"},
	"col.status":     {"状态", "Status"},
	"col.dept":       {"责任单位", "Department"},
	"col.level":      {"评价", "Rating"},
	"col.comment":    {"群众意见", "Comment"},
	"col.deadline":   {"期限", "Deadline"},
	"col.round":      {"轮次", "Round"},
	"col.attempts":   {"已拨打", "Calls"},
	"col.request":    {"待审批", "Request"},
	"col.created":    {"创建时间", "Created"},
	"col.escalation": {"督办级别", "Escalation"},

	"light.green":   {"剩余 %d 个工作日", "%d working days left"},
	"light.yellow1": {"剩余 1 个工作日", "1 working day left"},
	"light.today":   {"今日到期", "Due today"},
	"light.red":     {"超期 %d 个工作日", "%d working days overdue"},
	"light.red0":    {"超期不足 1 个工作日", "Overdue, under 1 working day"},
	"light.none":    {"—", "—"},
	"light.due":     {"截止 %s", "due %s"},

	"dept.title":      {"本单位工单", "My department's tickets"},
	"dept.to_sign":    {"待签收", "To sign"},
	"dept.rectifying": {"整改中", "Rectifying"},
	"dept.due_soon":   {"即将到期", "Due soon"},
	"dept.overdue":    {"已超期", "Overdue"},
	"dept.following":  {"回访中", "Following up"},
	"dept.closed":     {"已办结", "Closed"},
	"dept.help":       {"期限只计本单位的签收和整改：绿灯时间充裕；黄灯下一个工作日结束前到期（即将到期）；红灯已超期。回访中的工单不计本单位时限。", "Deadlines count only your signing and rectifying: green, time enough; yellow, due by the end of the next working day (due soon); red, overdue. Tickets in follow-up have no deadline of yours."},

	"call.title":      {"12345 话务台", "12345 call center"},
	"call.calls":      {"待电话回访", "Calls to make"},
	"call.sms":        {"短信回访中", "SMS sent"},
	"call.dispatch":   {"待派单", "To dispatch"},
	"call.help.calls": {"短信评价未回复的工单，请电话回访并登记结果。", "The citizen did not answer the SMS survey: call and log the result."},
	"call.help.sms":   {"已发送短信评价链接，可提前电话回访。", "The survey SMS went out; you may call before it lapses."},
	"call.help.disp":  {"尚未派单或被退回的工单，请选择责任单位派单。", "Tickets without a department, or returned: choose one and dispatch."},

	"rating.title":     {"电话评价登记", "Register a rating given by phone"},
	"rating.dept":      {"被评价单位", "Rated department"},
	"rating.level":     {"评价等级", "Level"},
	"rating.aspects":   {"评价内容", "Aspects"},
	"rating.comment":   {"群众意见", "What the citizen said"},
	"rating.citizen":   {"评价人", "Citizen"},
	"rating.name":      {"姓名", "Name"},
	"rating.phone":     {"手机号码", "Phone"},
	"rating.anonymous": {"匿名评价（不回访）", "Anonymous (no follow-up)"},
	"rating.item":      {"事项编码", "Service item code"},
	"rating.case":      {"办件编号", "Case number"},
	"rating.region":    {"行政区划代码", "Region code"},
	"rating.submit":    {"登记评价", "Register rating"},
	"rating.saved":     {"评价已登记。", "The rating is registered."},
	"rating.ticket":    {"差评已生成工单 %s，已派至被评价单位待签收。", "The negative rating opened ticket %s, sent to the rated department to sign."},
	"rating.id":        {"登记编号", "Registration id"},

	"sup.title":      {"督办台", "Supervision"},
	"sup.board":      {"超期看板", "Overdue board"},
	"sup.overdue":    {"超期工单", "Overdue tickets"},
	"sup.level1":     {"一级督办", "Level 1"},
	"sup.level2":     {"二级通报", "Level 2"},
	"sup.decisions":  {"待审批（延期/申诉）", "Decisions (extension/appeal)"},
	"sup.awaiting":   {"待督办决定", "Awaiting a supervisor"},
	"sup.by_dept":    {"按单位", "By department"},
	"sup.by_days":    {"按超期工作日", "By working days overdue"},
	"sup.days.0":     {"不足 1 个工作日", "under 1 working day"},
	"sup.days.1":     {"1 个工作日", "1 working day"},
	"sup.days.2":     {"2–3 个工作日", "2–3 working days"},
	"sup.days.4":     {"4–5 个工作日", "4–5 working days"},
	"sup.days.6":     {"5 个工作日以上", "over 5 working days"},
	"sup.no_overdue": {"没有超期工单。", "No overdue tickets."},

	"search.title":   {"工单查询", "Find tickets"},
	"search.q":       {"工单号或评价编号", "Ticket number or rating id"},
	"search.overdue": {"仅超期", "Overdue only"},
	"search.status":  {"状态", "Status"},
	"search.dept":    {"单位代码", "Department code"},

	"ticket.title":             {"工单 %s", "Ticket %s"},
	"ticket.rating":            {"评价信息", "The rating"},
	"ticket.level":             {"评价等级", "Level"},
	"ticket.channel":           {"评价渠道", "Channel"},
	"ticket.rated_at":          {"评价时间", "Rated at"},
	"ticket.aspects":           {"评价内容", "Aspects"},
	"ticket.comment":           {"群众意见", "Comment"},
	"ticket.citizen":           {"评价人", "Citizen"},
	"ticket.anonymous":         {"匿名", "anonymous"},
	"ticket.phone":             {"电话", "Phone"},
	"ticket.reveal":            {"显示完整号码", "Show full number"},
	"ticket.revealed":          {"已记录本次查看。", "This view is recorded."},
	"ticket.reveals":           {"号码查看记录", "Phone number views"},
	"ticket.item":              {"事项 / 大厅 / 办件", "Item / hall / case"},
	"ticket.state":             {"办理情况", "Handling"},
	"ticket.dept":              {"责任单位", "Department"},
	"ticket.round":             {"第 %d 轮", "round %d"},
	"ticket.due":               {"期限", "Deadline"},
	"ticket.escalation":        {"督办级别", "Escalation"},
	"ticket.resolution":        {"办结方式", "Resolution"},
	"ticket.report":            {"整改报告", "Rectification report"},
	"ticket.pending":           {"待审批申请", "Pending request"},
	"ticket.pending.extension": {"申请延期 %d 个工作日：%s（%s）", "Extension of %d working days: %s (%s)"},
	"ticket.pending.appeal":    {"申诉：%s（%s）", "Appeal: %s (%s)"},
	"ticket.timeline":          {"办理记录", "Timeline"},
	"ticket.actions":           {"可执行操作", "Actions"},
	"ticket.no_actions":        {"您当前无可执行的操作。", "Nothing for you to do here now."},
	"ticket.calls":             {"%d 次", "%d"},
	"ticket.call_task":         {"短信未回复，需电话回访", "SMS unanswered: call"},

	"act.sign":              {"签收", "Sign"},
	"act.sign.help":         {"确认本单位负责此工单，开始整改计时。", "Accept the ticket: the rectification clock starts."},
	"act.return":            {"退单", "Return"},
	"act.return.help":       {"非本单位职责时退回，须说明理由。", "Not ours: send it back with the reason."},
	"act.request_extension": {"申请延期", "Request an extension"},
	"act.appeal":            {"申诉", "Appeal"},
	"act.appeal.help":       {"认为属于误评或恶意差评时提出申诉。", "The rating is mistaken or malicious."},
	"act.resolve":           {"提交整改报告", "Report the rectification"},
	"act.resolve.help":      {"说明整改措施和结果，提交后将回访群众。", "What was done; the citizen is then asked."},
	"act.decide_extension":  {"审批延期", "Decide the extension"},
	"act.decide_appeal":     {"审核申诉", "Decide the appeal"},
	"act.log_call":          {"登记回访电话", "Log the call"},
	"act.dispatch":          {"派单", "Dispatch"},
	"act.urge":              {"催办", "Urge"},
	"act.close":             {"直接办结", "Close"},
	"act.approve":           {"批准", "Approve"},
	"act.reject":            {"不批准", "Reject"},
	"act.uphold":            {"申诉成立", "Uphold"},
	"act.dismiss":           {"申诉不成立", "Dismiss"},
	"act.done":              {"操作成功。", "Done."},
	"act.done.returned":     {"操作成功：工单 %s 已退回，等待重新派单。", "Done: ticket %s was returned for dispatch."},
	"act.done.away":         {"操作成功：工单 %s 已不在本单位。", "Done: ticket %s is no longer with your department."},

	"field.reason":          {"理由", "Reason"},
	"field.report":          {"整改报告", "Report"},
	"field.working_days":    {"延期工作日数", "Working days"},
	"field.comment":         {"意见", "Comment"},
	"field.note":            {"备注", "Note"},
	"field.department_code": {"责任单位", "Department"},
	"field.reached":         {"是否接通", "Reached"},
	"field.level":           {"群众评价", "Citizen's verdict"},
	"field.approve":         {"审批结果", "Decision"},
	"field.uphold":          {"审核结果", "Decision"},
	"field.code":            {"代码", "Code"},
	"field.name":            {"名称", "Name"},
	"field.username":        {"用户名", "Username"},
	"field.password":        {"初始密码", "Initial password"},
	"field.role":            {"角色", "Role"},
	"field.display_name":    {"显示名称", "Display name"},
	"field.date":            {"日期", "Date"},
	"field.kind":            {"类型", "Kind"},
	"field.id":              {"登记编号", "Id"},
	"field.citizen.phone":   {"手机号码", "Phone"},
	"field.citizen.name":    {"姓名", "Name"},
	"field.region_code":     {"行政区划代码", "Region code"},
	"call.reached":          {"已接通", "Reached"},
	"call.unreached":        {"未接通", "Not reached"},

	"admin.depts":         {"部门管理", "Departments"},
	"admin.dept.add":      {"新增部门", "Add a department"},
	"admin.dept.saved":    {"部门已保存。", "Department saved."},
	"admin.users":         {"用户与 API 令牌", "Users and API tokens"},
	"admin.user.add":      {"新增用户", "Add a user"},
	"admin.user.saved":    {"用户已创建。", "User created."},
	"admin.user.locked":   {"锁定至 %s", "locked until %s"},
	"admin.user.unlock":   {"解锁", "Unlock"},
	"admin.user.unlocked": {"已解锁。", "Unlocked."},
	"admin.user.tokens":   {"令牌", "Tokens"},
	"admin.token.new":     {"生成令牌", "Issue a token"},
	"admin.token.shown":   {"新令牌（仅显示这一次，请立即保存）：", "New token (shown this once; store it now):"},
	"admin.cal":           {"工作日历维护", "Working-day calendar"},
	"admin.cal.year":      {"年份", "Year"},
	"admin.cal.source":    {"数据来源：%s", "Source: %s"},
	"admin.cal.nodata":    {"%d 年没有节假日数据：该年的期限将无法计算，请补录。", "No holiday data for %d: deadlines in it cannot be computed until it is entered."},
	"admin.cal.days":      {"节假日与调休（周一至周五以外的例外）", "Holidays and adjusted working days (exceptions to Monday–Friday)"},
	"admin.cal.overrides": {"人工调整", "Overrides"},
	"admin.cal.add":       {"新增或修改调整", "Add or change an override"},
	"admin.cal.saved":     {"日历已更新，新计算的期限立即生效。", "Calendar updated; new deadlines use it at once."},
	"admin.cal.deleted":   {"调整已删除。", "Override deleted."},
	"kind.holiday":        {"节假日", "holiday"},
	"kind.workday":        {"调休上班", "working day"},

	"survey.title":          {"整改结果评价", "How was the rectification?"},
	"survey.intro":          {"您反映的问题（工单 %s）已由 %s 整改，整改情况如下：", "The problem you reported (ticket %s) was handled by %s. What they did:"},
	"survey.question":       {"您对整改结果是否满意？", "Are you satisfied with the result?"},
	"survey.comment":        {"您的意见（可选）", "Your comment (optional)"},
	"survey.submit":         {"提交评价", "Send"},
	"survey.thanks":         {"感谢您的评价！", "Thank you for your answer!"},
	"survey.thanks2":        {"您的意见已转交相关单位，我们将继续跟进整改。", "Your answer has been passed on; we will follow up the rectification."},
	"survey.thanks.content": {"您的满意是对我们工作的肯定，祝您生活愉快。", "We are glad it was put right. Have a good day."},
	"survey.gone":           {"该评价链接已失效或已使用。如需帮助请拨打 12345。", "This survey link is no longer valid or was used. For help, call 12345."},
	"survey.choose":         {"请选择一项满意度。", "Please choose one answer."},

	"status.pending_dispatch":    {"待派单", "to dispatch"},
	"status.awaiting_sign":       {"待签收", "to sign"},
	"status.rectifying":          {"整改中", "rectifying"},
	"status.following_up":        {"回访中", "following up"},
	"status.awaiting_supervisor": {"待督办决定", "awaiting a supervisor"},
	"status.closed":              {"已办结", "closed"},

	"resolution.satisfied":            {"群众满意", "satisfied"},
	"resolution.unreachable":          {"无法联系", "unreachable"},
	"resolution.no_followup":          {"匿名不回访", "no follow-up (anonymous)"},
	"resolution.appeal_upheld":        {"申诉成立", "appeal upheld"},
	"resolution.closed_by_supervisor": {"督办办结", "closed by a supervisor"},

	"level.very_satisfied":      {"非常满意", "very satisfied"},
	"level.satisfied":           {"满意", "satisfied"},
	"level.basically_satisfied": {"基本满意", "basically satisfied"},
	"level.dissatisfied":        {"不满意", "dissatisfied"},
	"level.very_dissatisfied":   {"非常不满意", "very dissatisfied"},

	"channel.web":     {"网上政务服务平台", "web portal"},
	"channel.hall":    {"政务服务大厅", "service hall"},
	"channel.mobile":  {"移动端", "mobile app"},
	"channel.kiosk":   {"自助终端", "kiosk"},
	"channel.hotline": {"12345 热线", "12345 hotline"},

	"aspect.queueing":    {"叫号取号", "queueing"},
	"aspect.guide":       {"办事指南", "service guide"},
	"aspect.handling":    {"办理环节", "handling"},
	"aspect.result":      {"办事效果", "result"},
	"aspect.delivery":    {"快递送件", "delivery"},
	"aspect.convenience": {"便捷完善", "convenience"},
	"aspect.attitude":    {"服务态度", "attitude"},
	"aspect.competence":  {"服务水平", "competence"},

	"escalation.0": {"无", "none"},
	"escalation.1": {"一级督办", "level 1"},
	"escalation.2": {"二级通报", "level 2"},

	"request.extension": {"延期", "extension"},
	"request.appeal":    {"申诉", "appeal"},

	"event.opened":              {"工单创建", "opened"},
	"event.dispatched":          {"派单", "dispatched"},
	"event.signed":              {"签收", "signed"},
	"event.returned":            {"退单", "returned"},
	"event.extension_requested": {"申请延期", "extension requested"},
	"event.extension_approved":  {"延期获批", "extension approved"},
	"event.extension_rejected":  {"延期未获批", "extension rejected"},
	"event.appealed":            {"提出申诉", "appealed"},
	"event.appeal_upheld":       {"申诉成立", "appeal upheld"},
	"event.appeal_rejected":     {"申诉不成立", "appeal dismissed"},
	"event.resolved":            {"提交整改报告", "rectification reported"},
	"event.call_logged":         {"电话回访", "call logged"},
	"event.survey_answered":     {"群众短信评价", "survey answered"},
	"event.survey_expired":      {"短信评价未回复", "survey lapsed"},
	"event.reminded":            {"到期提醒", "reminder"},
	"event.overdue":             {"超期", "overdue"},
	"event.escalated":           {"超期通报", "escalated"},
	"event.urged":               {"催办", "urged"},
	"event.closed":              {"督办办结", "closed"},
}
