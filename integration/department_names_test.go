package integration

import (
	"net/http"
	"testing"
)

// TestDepartmentNamesResolveToCodes: people type a department's name where the
// API wants its code (issue 17 item 6). A rating naming a registered
// department exactly goes to it, stored under its code; dispatch and user
// creation take the name too; an unknown name is 422 on dispatch and a rating
// with one still waits for dispatch (the channel contract).
func TestDepartmentNamesResolveToCodes(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number := a.negative(tm.channel, reachable(a.rating(a.id("by-name"), "dissatisfied", "市场监督管理局")))
	if v := a.dispatched(tm.deptA, number); v.DepartmentCode != deptA || v.Status != "awaiting_sign" {
		t.Errorf("rating by name: %s, want %s awaiting_sign", v, deptA)
	}

	stray := a.negative(tm.channel, reachable(a.rating(a.id("unknown"), "dissatisfied", "不存在的局")))
	v := a.opened(tm.callcenter, stray)
	if v.Status != "pending_dispatch" {
		t.Errorf("rating of an unknown department: %s, want pending_dispatch", v)
	}
	a.act(tm.callcenter, stray, "dispatch", map[string]any{"department_code": "不存在的局"}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "department_code")
	a.act(tm.callcenter, stray, "dispatch", map[string]any{"department_code": " 公安局 "}).Want(t, http.StatusOK)
	if v := a.ticket(tm.callcenter, stray); v.DepartmentCode != deptB || v.Status != "awaiting_sign" {
		t.Errorf("dispatch by name: %s, want %s awaiting_sign", v, deptB)
	}

	a.do("POST", "/api/v1/users", admin, map[string]string{"username": "gaj-name", "password": "correct-horse-battery",
		"role": "department", "department_code": "公安局"}).Want(t, http.StatusCreated)
	a.do("POST", "/api/v1/users", admin, map[string]string{"username": "nobody-dept", "password": "correct-horse-battery",
		"role": "department", "department_code": "不存在的局"}).WantError(t, http.StatusUnprocessableEntity, "invalid_user", "department_code")
}
