package web

import (
	"regexp"
	"strings"
)

// The API speaks English to programs (its contract, API.md); a page says the
// same refusal in the user's language. apiMsgRules map the API's field and
// transition messages onto catalogue keys; the submatches fill the key's %s,
// translated under argKind when it names an enum (a status, a request type).
type apiMsgRule struct {
	re      *regexp.Regexp
	key     string
	argKind string
}

func msgRule(pattern, key, argKind string) apiMsgRule {
	return apiMsgRule{re: regexp.MustCompile(`^(?:` + pattern + `)$`), key: key, argKind: argKind}
}

var apiMsgRules = []apiMsgRule{
	msgRule(`required`, "msg.required", ""),
	msgRule(`required when reached(?:, one of .*)?`, "msg.level_when_reached", ""),
	msgRule(`must be one of the five levels|must be one of very_satisfied.*`, "msg.level", ""),
	msgRule(`must be between (\d+) and (\d+)|must be (\d+) to (\d+)`, "msg.between", ""),
	msgRule(`must be 0 to (\d+)`, "msg.zero_to", ""),
	msgRule(`at most (\d+) characters(?:, got \d+)?`, "msg.at_most", ""),
	msgRule(`must be 1 to (\d+) characters`, "msg.at_most", ""),
	msgRule(`too long`, "msg.too_long", ""),
	msgRule(`must not contain control characters|not valid UTF-8 or holds a NUL`, "msg.bad_chars", ""),
	msgRule(`unknown department`, "msg.unknown_dept", ""),
	msgRule(`unknown department: (.+)`, "msg.unknown_dept_named", ""),
	msgRule(`must be a phone number of digits`, "msg.phone", ""),
	msgRule(`must be a 6-digit administrative division code`, "msg.region", ""),
	msgRule(`must not be in the future`, "msg.future", ""),
	msgRule(`must be after 2000-01-01`, "msg.too_old", ""),
	msgRule(`repeated`, "msg.repeated", ""),
	msgRule(`must be one of web, hall.*|must be one of admin, .*|must be one of (?:attitude|queueing|guide).*|unknown status|must be holiday or workday`, "msg.one_of", ""),
	msgRule(`must be a date, YYYY-MM-DD|a date \(2026-01-31\) or an RFC 3339 time|must be an RFC 3339 time`, "msg.date", ""),
	msgRule(`must be (?:integer|int|number|bool|boolean|string)`, "msg.type", ""),
	msgRule(`required: letters, digits, _ \. -, up to (\d+)`, "msg.code", ""),
	msgRule(`required, up to (\d+) characters`, "msg.required_up_to", ""),
	msgRule(`must be (\d+) to (\d+) bytes`, "msg.bytes", ""),
	msgRule(`required for role department`, "msg.dept_required", ""),
	msgRule(`only for role department`, "msg.dept_only", ""),
	msgRule(`required, and must be your current password`, "msg.current_password", ""),
	msgRule(`you cannot disable yourself`, "msg.disable_self", ""),
	msgRule(`only for a reached call`, "msg.only_reached", ""),
	msgRule(`must be a call number from 1`, "msg.attempt", ""),
	msgRule(`not taken by .*|unknown field`, "msg.not_taken", ""),
	// Transitions the workflow refuses (409).
	msgRule(`this round already had (\d+) extension\(s\)`, "msg.extensions_used", ""),
	msgRule(`not allowed while the ticket is (\w+)`, "msg.not_in_status", "status"),
	msgRule(`the ticket is closed`, "msg.closed", ""),
	msgRule(`an? (\w+) request is already pending`, "msg.pending", "request"),
	msgRule(`no pending (\w+) request`, "msg.no_pending", "request"),
}

// apiMessage says one API message in l; a message no rule knows says only
// that the field is wrong in Chinese (never English on a Chinese page) and is
// shown as sent, trimmed, in English.
func apiMessage(l Lang, msg string) string {
	msg = strings.TrimSpace(msg)
	for _, r := range apiMsgRules {
		m := r.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		var args []any
		for _, s := range m[1:] {
			if s == "" {
				continue
			}
			if r.argKind != "" {
				args = append(args, l.Label(r.argKind, s))
			} else {
				args = append(args, s)
			}
		}
		return l.T(r.key, args...)
	}
	if l == En {
		return msg
	}
	return l.T("msg.invalid")
}

func init() {
	for k, v := range map[string][2]string{
		"msg.required":           {"必填。", "required."},
		"msg.level_when_reached": {"已接通时须选择群众评价。", "choose the citizen's verdict for a reached call."},
		"msg.level":              {"请从五级满意度中选择一项。", "choose one of the five levels."},
		"msg.between":            {"须在 %s 到 %s 之间。", "must be between %s and %s."},
		"msg.zero_to":            {"须在 0 到 %s 之间。", "must be between 0 and %s."},
		"msg.at_most":            {"最多 %s 个字。", "at most %s characters."},
		"msg.too_long":           {"内容过长。", "too long."},
		"msg.bad_chars":          {"含有不能使用的字符。", "contains characters that cannot be used."},
		"msg.unknown_dept":       {"未找到该单位，请从列表中选择单位名称或代码。", "no such department; pick a name or code from the list."},
		"msg.unknown_dept_named": {"未找到单位“%s”，请从列表中选择单位名称或代码。", "no department %q; pick a name or code from the list."},
		"msg.phone":              {"请填写由数字组成的电话号码。", "must be a phone number of digits."},
		"msg.region":             {"须为 6 位行政区划代码。", "must be a 6-digit administrative division code."},
		"msg.future":             {"不能晚于当前时间。", "must not be in the future."},
		"msg.too_old":            {"不能早于 2000-01-01。", "must be after 2000-01-01."},
		"msg.repeated":           {"重复选择。", "chosen twice."},
		"msg.one_of":             {"请从列表中选择。", "choose one from the list."},
		"msg.date":               {"日期格式应为 2026-01-31。", "must be a date such as 2026-01-31."},
		"msg.type":               {"格式不正确。", "has the wrong format."},
		"msg.code":               {"必填，仅限字母、数字和 _ . -，最多 %s 位。", "required: letters, digits, _ . -, up to %s."},
		"msg.required_up_to":     {"必填，最多 %s 个字。", "required, up to %s characters."},
		"msg.bytes":              {"长度须为 %s 到 %s 个字节。", "must be %s to %s bytes."},
		"msg.dept_required":      {"责任单位用户必须选择所属单位。", "required for a department user."},
		"msg.dept_only":          {"只有责任单位用户才需选择单位。", "only for department users."},
		"msg.current_password":   {"请填写正确的当前密码。", "enter your current password."},
		"msg.disable_self":       {"不能停用自己的账号。", "you cannot disable yourself."},
		"msg.only_reached":       {"未接通的电话不能登记评价。", "only for a reached call."},
		"msg.attempt":            {"拨打次数须从 1 开始。", "must be a call number from 1."},
		"msg.not_taken":          {"此操作不需要该项。", "not taken by this action."},
		"msg.extensions_used":    {"本轮已申请过 %s 次延期，不能再次申请。", "this round already had %s extension(s)."},
		"msg.not_in_status":      {"工单处于“%s”状态，不能进行此操作。", "not allowed while the ticket is %s."},
		"msg.closed":             {"工单已办结。", "the ticket is closed."},
		"msg.pending":            {"已有一项待审批的%s申请。", "a %s request is already pending."},
		"msg.no_pending":         {"没有待审批的%s申请。", "no pending %s request."},
		"msg.invalid":            {"填写的内容不符合要求。", "is not valid."},
	} {
		catalog[k] = v
	}
}
