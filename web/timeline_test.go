package web

import (
	"strings"
	"testing"
	"time"

	"rectify/domain"
	"rectify/store"
)

// The timeline's rounds: a dissatisfied answer sends the ticket back as a line
// of its own that opens the next round; a supervisor's dispatch after the rounds
// ran out opens the round it grants; each round keeps its own report; a
// department sees its own notices, never the supervisors' nor an SMS's text.
func TestTimelineRounds(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ev := func(seq, round int, typ, actor, note string, data map[string]any) domain.Event {
		return domain.Event{Seq: seq, Round: round, Type: typ, Actor: actor, ActorRole: "department", Note: note,
			DepartmentCode: "D1", At: at.Add(time.Duration(seq) * time.Hour), Data: data}
	}
	tk := domain.Ticket{Number: "GD1", Round: 3, DepartmentCode: "D2", Events: []domain.Event{
		ev(1, 1, "dispatched", "system", "D1", nil),
		ev(2, 1, "signed", "clerk", "", nil),
		ev(3, 1, "resolved", "clerk", "report one", nil),
		ev(4, 1, "survey_answered", "citizen", "", map[string]any{"level": "dissatisfied", "reopened": true}),
		ev(5, 2, "signed", "clerk", "", nil),
		ev(6, 2, "resolved", "clerk", "report two", nil),
		ev(7, 2, "call_logged", "cc", "", map[string]any{"level": "dissatisfied", "reopened": false}),
		ev(8, 2, "dispatched", "sup", "", map[string]any{"department_code": "D2"}),
		ev(9, 3, "signed", "clerk2", "", nil),
	}}
	notices := []store.TicketNotice{
		{EventSeq: 4, Channel: "department", Recipient: "D1", Body: "【12345】第2轮"},
		{EventSeq: 3, Channel: "sms", Kind: "survey"},
		{EventSeq: 7, Channel: "supervisors", Recipient: "supervisors", Body: "【待决定】"},
		{EventSeq: 8, Channel: "department", Recipient: "D2", Body: "【12345】第3轮"},
	}
	names := map[string]string{"clerk": "张伟", "sup": "王敏"}
	depts := map[string]string{"D1": "市场监管局", "D2": "住建局"}
	rs := timeline(Zh, tk, names, depts, notices, domain.User{Role: domain.RoleDepartment, DepartmentCode: "D1"})
	var got []string
	for _, r := range rs {
		line := []string{r.Dept, r.Report}
		for _, it := range r.Items {
			s := it.Type + "/" + it.Who
			for _, n := range it.Notices {
				s += "[" + n.To + ":" + n.Body + "]"
			}
			line = append(line, s)
		}
		got = append(got, strings.Join(line, " "))
	}
	want := []string{
		"市场监管局 report one dispatched/系统 signed/张伟 resolved/张伟[短信通知群众:整改结果评价短信] survey_answered/群众",
		"市场监管局 report two reassigned/系统[通知 市场监管局:【12345】第2轮] signed/张伟 resolved/张伟 call_logged/cc to_supervisor/系统",
		"住建局  dispatched/王敏 signed/clerk2",
	}
	if len(got) != len(want) {
		t.Fatalf("%d rounds, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("round %d:\n got %s\nwant %s", i+1, got[i], want[i])
		}
	}
	if rs[2].Round != 3 {
		t.Errorf("the granted round is %d, want 3", rs[2].Round)
	}
}

// Why a ticket waits for a supervisor: a call to act for the supervisor who can
// decide, a plain fact for the department that cannot.
func TestWaitReasonByWhoCanAct(t *testing.T) {
	sup := domain.User{Username: "sup", Role: domain.RoleSupervisor}
	dept := domain.User{Username: "clerk", Role: domain.RoleDepartment, DepartmentCode: "D1"}
	for _, c := range []struct {
		name string
		t    domain.Ticket
	}{
		{"rounds used up", domain.Ticket{Status: domain.StatusAwaitingSupervisor, Round: 3, DepartmentCode: "D1"}},
		{"extension", domain.Ticket{Status: domain.StatusRectifying, Round: 1, DepartmentCode: "D1",
			PendingRequest: &domain.Request{Type: domain.RequestExtension, WorkingDays: 5}}},
		{"appeal", domain.Ticket{Status: domain.StatusRectifying, Round: 1, DepartmentCode: "D1",
			PendingRequest: &domain.Request{Type: domain.RequestAppeal}}},
	} {
		forSup, forDept := waitReason(Zh, c.t, actionsFor(sup, c.t)), waitReason(Zh, c.t, actionsFor(dept, c.t))
		asks := func(s string) bool { return strings.Contains(s, "请审批") || strings.Contains(s, "请再派") }
		if !asks(forSup) || strings.Contains(forSup, "等待督办人员") {
			t.Errorf("%s, supervisor: %q, want a call to act", c.name, forSup)
		}
		if forDept == "" || asks(forDept) || !strings.Contains(forDept, "等待督办人员") {
			t.Errorf("%s, department: %q, want what it waits for, without asking it to act", c.name, forDept)
		}
	}
}
