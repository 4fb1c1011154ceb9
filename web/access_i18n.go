package web

// Texts of the access pages (password, audit log, disabling users), added to the
// catalog at start.
func init() {
	for k, v := range map[string][2]string{
		"nav.password":              {"修改密码", "Password"},
		"nav.audit":                 {"操作日志", "Audit log"},
		"account.password":          {"修改密码", "Change your password"},
		"account.password.help":     {"修改后，您在其他设备上的登录将失效；本次登录保持有效。API 令牌不受影响。", "Your sessions elsewhere end; this one stays signed in. API tokens are not affected."},
		"account.password.current":  {"当前密码", "Current password"},
		"account.password.new":      {"新密码（8 至 72 字节）", "New password (8 to 72 bytes)"},
		"account.password.confirm":  {"再次输入新密码", "New password again"},
		"account.password.mismatch": {"两次输入的新密码不一致。", "The new passwords differ."},
		"account.password.changed":  {"密码已修改。", "Password changed."},
		"admin.audit":               {"管理操作日志", "Admin audit log"},
		"admin.audit.help":          {"谁在何时对哪个用户、令牌、部门、日历日或抽样规则做了什么。", "Who did what to which user, token, department, calendar day or sampling rule, and when."},
		"admin.audit.at":            {"时间", "When"},
		"admin.audit.actor":         {"操作人", "Who"},
		"admin.audit.action":        {"操作", "Action"},
		"admin.audit.target":        {"对象", "Target"},
		"admin.audit.detail":        {"详情", "Detail"},
		"admin.user.disable":        {"停用", "Disable"},
		"admin.user.enable":         {"启用", "Enable"},
		"admin.user.is_disabled":    {"已停用", "disabled"},
		"admin.user.disabled":       {"用户已停用，其令牌与登录即刻失效。", "User disabled; their tokens and sessions stop at once."},
		"admin.user.enabled":        {"用户已启用。", "User enabled."},
		"field.current_password":    {"当前密码", "Current password"},
		"field.disabled":            {"停用", "Disabled"},
	} {
		catalog[k] = v
	}
}
