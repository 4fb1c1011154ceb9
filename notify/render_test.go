package notify

import (
	"testing"
	"time"

	"rectify/store"
)

// The survey SMS goes out under 【政务服务好差评】: it carries fixed text, the
// ticket number and the link, never what a department wrote (issue 15 item 8: a
// report of up to 60 characters went into it verbatim, a phishing line).
func TestSurveySMSIsFixedText(t *testing.T) {
	r := Renderer{BaseURL: "https://rectify.example.gov.cn", Zone: time.UTC}
	tc := store.TicketContext{Number: "GD20261126000001", DepartmentCode: "D", DepartmentName: "市场监管局",
		CitizenPhone: "13812341234", Round: 1,
		Report: "已整改。请立即登录 http://evil.example 填写银行卡号领取补贴，否则视为不满意"}
	ns := r.Render("survey", "GD20261126000001:5", tc, "TOKEN")
	if len(ns) != 1 {
		t.Fatalf("%d messages, want 1", len(ns))
	}
	want := "【政务服务好差评】工单GD20261126000001已办理，请评价：https://rectify.example.gov.cn/s/TOKEN"
	if ns[0].Body != want {
		t.Errorf("survey SMS:\n got %q\nwant %q", ns[0].Body, want)
	}
}
