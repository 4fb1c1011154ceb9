package web

import (
	"strings"
	"testing"
	"unicode"

	"rectify/domain"
)

// TestAPIMessagesInChinese: the API's field and transition messages a form can
// meet are said in Chinese on a Chinese page (no English words, no stray
// space), and in English, trimmed, on an English one.
func TestAPIMessagesInChinese(t *testing.T) {
	tests := map[string]string{
		" must be between 1 and 15":                  "须在 1 到 15 之间。",
		"required":                                   "必填。",
		" required":                                  "必填。",
		"required when reached, one of a, b":         "已接通时须选择群众评价。",
		"must be one of the five levels":             "请从五级满意度中选择一项。",
		"at most 2000 characters, got 2400":          "最多 2000 个字。",
		"unknown department":                         "未找到该单位，请从列表中选择单位名称或代码。",
		"unknown department: 南京市卫健委":                 "未找到单位“南京市卫健委”，请从列表中选择单位名称或代码。",
		"this round already had 1 extension(s)":      "本轮已申请过 1 次延期，不能再次申请。",
		"not allowed while the ticket is rectifying": "工单处于“整改中”状态，不能进行此操作。",
		"a extension request is already pending":     "已有一项待审批的延期申请。",
		"no pending appeal request":                  "没有待审批的申诉申请。",
		"the ticket is closed":                       "工单已办结。",
		"must be a phone number of digits":           "请填写由数字组成的电话号码。",
		"must be 8 to 72 bytes":                      "长度须为 8 到 72 个字节。",
		"something the catalogue does not know":      "填写的内容不符合要求。",
	}
	for in, want := range tests {
		got := apiMessage(Zh, in)
		if got != want {
			t.Errorf("apiMessage(Zh, %q) = %q, want %q", in, got, want)
		}
		if strings.IndexFunc(got, func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) >= 0 {
			t.Errorf("apiMessage(Zh, %q) = %q has Latin letters", in, got)
		}
	}
	if got := apiMessage(En, " must be between 1 and 15"); got != "must be between 1 and 15." {
		t.Errorf("English: %q", got)
	}
	r := apiResult{Status: 422}
	r.Err.Fields = []domain.FieldError{{Field: "working_days", Message: " must be between 1 and 15"}}
	if got := strings.Join(r.messages(Zh), "|"); got != "请检查填写的内容：|延期工作日数：须在 1 到 15 之间。" {
		t.Errorf("messages: %q", got)
	}
}
