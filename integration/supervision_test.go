package integration

import (
	"net/http"
	"testing"
)

// signed takes a fresh negative rating of deptA to rectifying.
func (a *api) signed(tm team, name string, body map[string]any) (number string, tk ticketView) {
	a.t.Helper()
	number = a.negative(tm.channel, body)
	tk = a.mustAct(tm.deptA, number, "sign", nil)
	if tk.Status != "rectifying" || tk.DueAt == nil || tk.StageStartedAt == nil {
		a.t.Fatalf("signed %s: %s, want rectifying with the rectify deadline", name, tk)
	}
	return number, tk
}

// lastEvent fails unless the ticket's last event is typ by actor.
func lastEvent(t *testing.T, tk ticketView, typ, actor string) eventView {
	t.Helper()
	e := tk.Events[len(tk.Events)-1]
	if e.Type != typ || e.Actor != actor || e.At.IsZero() {
		t.Fatalf("%s: last event %+v, want %s by %s", tk, e, typ, actor)
	}
	return e
}

// Issue 3: a department asks for more time, a supervisor approves, and the
// deadline moves by exactly the approved working days; one extension per round.
func TestExtensionApprovedMovesDeadlineOncePerRound(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number, tk := a.signed(tm, "extension", reachable(a.rating(a.id("extension"), "dissatisfied", deptA)))
	start, due := *tk.StageStartedAt, *tk.DueAt
	if want := a.deadline(start, 5); !due.Equal(want) {
		t.Fatalf("rectify due_at %s, want %s: 5 working days from %s", due, want, start)
	}

	a.act(tm.deptA, number, "request_extension", map[string]any{"reason": "需协调多个科室"}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "working_days")
	a.act(tm.deptA, number, "request_extension", map[string]any{"working_days": 99, "reason": "很久"}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "working_days")
	tk = a.mustAct(tm.deptA, number, "request_extension", map[string]any{"working_days": 3, "reason": "需协调多个科室"})
	if p := tk.PendingRequest; p == nil || p.Type != "extension" || p.WorkingDays != 3 || !tk.DueAt.Equal(due) {
		t.Fatalf("after the request: %s, pending %+v; want a pending extension of 3 days and the deadline unchanged", tk, p)
	}
	lastEvent(t, tk, "extension_requested", tm.deptAUser)
	a.act(tm.deptA, number, "request_extension", map[string]any{"working_days": 1, "reason": "再加一天"}).WantError(t, http.StatusConflict, "invalid_transition")
	a.act(tm.deptA, number, "decide_extension", map[string]any{"approve": true}).WantError(t, http.StatusForbidden, "forbidden")
	a.act(tm.supervisor, number, "decide_extension", nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "approve")

	tk = a.mustAct(tm.supervisor, number, "decide_extension", map[string]any{"approve": true, "comment": "同意"})
	lastEvent(t, tk, "extension_approved", tm.supervisorUser)
	if tk.PendingRequest != nil || tk.DueAt == nil {
		t.Fatalf("after approval: %s, want no pending request and a deadline", tk)
	}
	if want := a.deadline(due, 3); !tk.DueAt.Equal(want) || !tk.DueAt.Equal(a.deadline(start, 5+3)) {
		t.Fatalf("after approving 3 working days: due_at %s, want %s (3 working days after %s)", tk.DueAt, want, due)
	}
	if !hasNotification(a.notifications(number), "extension", "sms") {
		t.Error("the citizen was not told of the extension")
	}

	a.act(tm.deptA, number, "request_extension", map[string]any{"working_days": 1, "reason": "还要一天"}).WantError(t, http.StatusConflict, "invalid_transition")
	a.act(tm.supervisor, number, "decide_extension", map[string]any{"approve": true}).WantError(t, http.StatusConflict, "invalid_transition")
}

// Issue 3: an upheld appeal closes the ticket as appeal_upheld and takes the rating
// out of statistics; a rejected one changes nothing, the clock included.
func TestAppealUpheldClosesTicketAndExcludesRating(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)

	rejectedID := a.id("appeal-rejected")
	number := a.negative(tm.channel, a.rating(rejectedID, "very_dissatisfied", deptA))
	tk := a.dispatched(tm.deptA, number)
	due := *tk.DueAt
	tk = a.mustAct(tm.deptA, number, "appeal", map[string]any{"reason": "评价对象错误"})
	if p := tk.PendingRequest; p == nil || p.Type != "appeal" || tk.Status != "awaiting_sign" {
		t.Fatalf("after the appeal: %s, pending %+v; want a pending appeal, still awaiting_sign", tk, p)
	}
	a.act(tm.deptA, number, "appeal", map[string]any{"reason": "再申诉"}).WantError(t, http.StatusConflict, "invalid_transition")
	tk = a.mustAct(tm.supervisor, number, "decide_appeal", map[string]any{"uphold": false, "comment": "评价属实"})
	lastEvent(t, tk, "appeal_rejected", tm.supervisorUser)
	if tk.Status != "awaiting_sign" || tk.PendingRequest != nil || tk.DueAt == nil || !tk.DueAt.Equal(due) {
		t.Fatalf("after the rejection: %s, want awaiting_sign with the deadline unchanged (%s)", tk, due)
	}

	id := a.id("appeal-upheld")
	number, _ = a.signed(tm, "appeal-upheld", a.rating(id, "very_dissatisfied", deptA))
	var rating struct {
		Excluded bool `json:"excluded"`
	}
	a.do("GET", "/api/v1/ratings/"+id, tm.supervisor, nil).Want(t, http.StatusOK).Decode(t, &rating)
	if rating.Excluded {
		t.Fatal("the rating is excluded before any appeal")
	}
	a.mustAct(tm.deptA, number, "appeal", map[string]any{"reason": "恶意差评"})
	a.act(tm.supervisor, number, "decide_extension", map[string]any{"approve": true}).WantError(t, http.StatusConflict, "invalid_transition")
	tk = a.mustAct(tm.supervisor, number, "decide_appeal", map[string]any{"uphold": true, "comment": "经核实为误评"})
	lastEvent(t, tk, "appeal_upheld", tm.supervisorUser)
	if tk.Status != "closed" || tk.resolution() != "appeal_upheld" || tk.ClosedAt == nil || tk.PendingRequest != nil {
		t.Fatalf("after upholding: %s, want closed as appeal_upheld", tk)
	}
	a.do("GET", "/api/v1/ratings/"+id, tm.supervisor, nil).Want(t, http.StatusOK).Decode(t, &rating)
	if !rating.Excluded {
		t.Fatal("GET /ratings shows excluded=false after the appeal was upheld")
	}
	a.do("GET", "/api/v1/ratings/"+rejectedID, tm.supervisor, nil).Want(t, http.StatusOK).Decode(t, &rating)
	if rating.Excluded {
		t.Fatal("a rating whose appeal was rejected is excluded")
	}
}

// Issue 3: a department that is not responsible returns the ticket; it waits in
// pending_dispatch, out of that department's sight, until re-dispatched.
func TestReturnGoesBackToPendingDispatch(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number, _ := a.signed(tm, "return", a.rating(a.id("return"), "dissatisfied", deptA))

	a.act(tm.deptA, number, "return", nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "reason")
	tk := a.mustAct(tm.deptA, number, "return", map[string]any{"reason": "属公安局职责"})
	e := lastEvent(t, tk, "returned", tm.deptAUser)
	if tk.Status != "pending_dispatch" || tk.DepartmentCode != "" || tk.DueAt != nil || e.Note != "属公安局职责" {
		t.Fatalf("after the return: %s (event %+v), want pending_dispatch with no department, no deadline, the reason noted", tk, e)
	}
	a.do("GET", "/api/v1/tickets/"+number, tm.deptA, nil).WantError(t, http.StatusNotFound, "not_found")
	a.act(tm.deptA, number, "sign", nil).WantError(t, http.StatusNotFound, "not_found")
	if !hasNotification(a.notifications(number), "returned", "supervisors") {
		t.Error("supervisors were not told of the return")
	}

	tk = a.mustAct(tm.supervisor, number, "dispatch", map[string]any{"department_code": deptB, "note": "改派公安局"})
	lastEvent(t, tk, "dispatched", tm.supervisorUser)
	if tk.Status != "awaiting_sign" || tk.DepartmentCode != deptB || tk.DueAt == nil {
		t.Fatalf("after re-dispatch: %s, want awaiting_sign at %s", tk, deptB)
	}
	if tk = a.mustAct(tm.deptB, number, "sign", nil); tk.Status != "rectifying" {
		t.Fatalf("the new department signs: %s", tk)
	}
}

// Issue 2/3: a supervisor urges (an event and a message, no state change) and may
// close any open ticket.
func TestSupervisorUrgesAndCloses(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number := a.negative(tm.channel, a.rating(a.id("urge"), "very_dissatisfied", deptA))
	before := a.dispatched(tm.supervisor, number)

	a.act(tm.supervisor, number, "urge", nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "note")
	tk := a.mustAct(tm.supervisor, number, "urge", map[string]any{"note": "请今日内签收"})
	e := lastEvent(t, tk, "urged", tm.supervisorUser)
	if tk.Status != before.Status || !tk.DueAt.Equal(*before.DueAt) || e.Note != "请今日内签收" {
		t.Fatalf("after urging: %s (event %+v), want the state unchanged and the note kept", tk, e)
	}
	if !hasNotification(a.notifications(number), "urged", "department") {
		t.Error("the department was not told it was urged")
	}

	a.act(tm.supervisor, number, "close", nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "reason")
	tk = a.mustAct(tm.supervisor, number, "close", map[string]any{"reason": "群众撤回诉求"})
	lastEvent(t, tk, "closed", tm.supervisorUser)
	if tk.Status != "closed" || tk.resolution() != "closed_by_supervisor" || tk.ClosedAt == nil || tk.DueAt != nil {
		t.Fatalf("after close: %s, want closed_by_supervisor", tk)
	}
	a.act(tm.supervisor, number, "close", map[string]any{"reason": "再关一次"}).WantError(t, http.StatusConflict, "invalid_transition")
}
