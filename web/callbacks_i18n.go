package web

// The call-back queue's texts, kept beside its pages and added to the catalog
// at start.
func init() {
	for k, v := range map[string][2]string{
		"nav.callbacks":     {"满意度回访", "Call-backs"},
		"cb.title":          {"办件满意度回访", "Satisfaction call-backs"},
		"cb.help":           {"抽样的已办结办件，按办结时间从早到晚排列。接通后登记群众的评价；未接通的将在间隔后再次出现，达到次数上限后不再拨打。", "Sampled finished cases, oldest first. When the citizen answers, register their rating; an unanswered case comes back after a pause and is dropped after the last attempt."},
		"cb.open":           {"当前可以拨打，至 %s", "Calls allowed until %s"},
		"cb.closed":         {"当前不在回访时段，下一时段自 %s 起", "Outside calling hours; the next window opens %s"},
		"cb.nodata":         {"今年没有节假日数据，无法判断回访时段，请管理员补充工作日历。", "No holiday data for this year: calling hours are unknown until an admin adds the calendar."},
		"cb.all":            {"包括等待重拨的", "Include those waiting for a retry"},
		"cb.due":            {"仅显示现在应拨打的", "Only those due now"},
		"cb.col.case":       {"办件编号", "Case"},
		"cb.col.item":       {"办理事项", "Service item"},
		"cb.col.finished":   {"办结时间", "Finished"},
		"cb.col.applicant":  {"申请人", "Applicant"},
		"cb.col.next":       {"下次拨打", "Next call"},
		"cb.call":           {"拨打", "Call"},
		"cb.attempts":       {"%d / %d 次", "%d of %d"},
		"cb.call.title":     {"回访办件 %s", "Call-back for case %s"},
		"cb.case":           {"办件", "Case"},
		"cb.hall":           {"办理地点", "Where handled"},
		"cb.phone":          {"联系电话", "Phone"},
		"cb.calls":          {"拨打记录", "Calls made"},
		"cb.call.n":         {"第 %d 次拨打", "Call %d"},
		"cb.outcome":        {"拨打结果", "Outcome"},
		"cb.note":           {"话务备注", "Operator's note"},
		"cb.submit":         {"登记本次拨打", "Log this call"},
		"cb.closed.reached": {"已接通并登记评价。", "Reached; the rating is registered."},
		"cb.closed.dropped": {"多次未接通，已停止回访。", "Not reached after the last attempt: dropped."},
		"cb.logged":         {"已登记本次拨打。", "The call is logged."},
		"cb.logged.ticket":  {"已登记；群众不满意，已生成工单 %s。", "Logged. The citizen is dissatisfied: ticket %s was opened."},
		"cb.logged.dropped": {"已登记；达到拨打次数上限，该办件不再回访。", "Logged. That was the last attempt: the case is dropped."},
		"cb.status.queued":  {"待回访", "Queued"},
		"cb.status.reached": {"已回访", "Reached"},
		"cb.status.dropped": {"已放弃", "Dropped"},
		"field.attempt":     {"拨打次数", "Call number"},
		"field.aspects":     {"评价内容", "Aspects"},
	} {
		if _, taken := catalog[k]; !taken { // the shared catalog's own wording wins
			catalog[k] = v
		}
	}
}
