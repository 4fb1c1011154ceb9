package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"rectify/workflows"
)

// The spine of issue 2: a negative rating becomes a ticket that the department
// signs and resolves, the citizen is still unhappy, the same department gets it
// again, and the second round satisfies. Every response is followed by a read that
// must already show the transition's event.
func TestNegativeRatingTravelsToClosedThroughOneReopenRound(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("spine")
	number := a.negative(tm.channel, reachable(a.rating(id, "very_dissatisfied", deptA)))

	// The ticket exists when the response is sent: read it at once.
	r := a.do("GET", "/api/v1/tickets/"+number, tm.supervisor, nil).Want(t, http.StatusOK)
	var tk ticketView
	r.Decode(t, &tk)
	if tk.Number != number || tk.RatingID != id || tk.Status != "awaiting_sign" || tk.DepartmentCode != deptA ||
		tk.Round != 1 || tk.Resolution != nil || tk.ClosedAt != nil || tk.CreatedAt.IsZero() {
		t.Fatalf("right after the 201: %s, want awaiting_sign at %s in round 1", tk, deptA)
	}
	var rating struct {
		TicketNumber string `json:"ticket_number"`
	}
	a.do("GET", "/api/v1/ratings/"+id, tm.supervisor, nil).Want(t, http.StatusOK).Decode(t, &rating)
	if rating.TicketNumber != number {
		t.Fatalf("GET /ratings/%s ticket_number = %q, want %q", id, rating.TicketNumber, number)
	}

	tk = a.dispatched(tm.deptA, number)
	if e := tk.Events[0]; e.Actor != "system" || e.At.IsZero() {
		t.Fatalf("first event %+v of %s: want dispatched by the system", e, tk)
	}

	steps := []struct {
		who, token, action string
		body               map[string]any
		status             string
		round              int
		event              string
	}{
		{tm.deptAUser, tm.deptA, "sign", nil, "rectifying", 1, "signed"},
		{tm.deptAUser, tm.deptA, "resolve", map[string]any{"report": "已增设两个窗口，高峰期排队时间缩短至15分钟"}, "following_up", 1, "resolved"},
		{tm.callcenterUser, tm.callcenter, "log_call", map[string]any{"reached": true, "level": "dissatisfied", "note": "仍需排队"}, "awaiting_sign", 2, "call_logged"},
		{tm.deptAUser, tm.deptA, "sign", nil, "rectifying", 2, "signed"},
		{tm.deptAUser, tm.deptA, "resolve", map[string]any{"report": "已启用线上预约取号"}, "following_up", 2, "resolved"},
		{tm.callcenterUser, tm.callcenter, "log_call", map[string]any{"reached": true, "level": "satisfied"}, "closed", 2, "call_logged"},
	}
	events := len(tk.Events)
	last := tk.Events[events-1].At
	for _, s := range steps {
		got := a.mustAct(s.token, number, s.action, s.body)
		read := a.ticket(tm.supervisor, number)
		for _, v := range []struct {
			name string
			tk   ticketView
		}{{"response", got}, {"read after it", read}} {
			tk := v.tk
			if tk.Status != s.status || tk.Round != s.round || tk.DepartmentCode != deptA {
				t.Fatalf("%s by %s: %s is %s, want %s in round %d at %s", s.action, s.who, v.name, tk, s.status, s.round, deptA)
			}
			if len(tk.Events) != events+1 {
				t.Fatalf("%s: %s has events %v, want exactly one more than %d", s.action, v.name, tk.eventTypes(), events)
			}
			e := tk.Events[events]
			if e.Type != s.event || e.Actor != s.who || e.At.IsZero() || e.At.Before(last) {
				t.Fatalf("%s: %s's last event is %+v, want %s by %s at or after %s", s.action, v.name, e, s.event, s.who, last)
			}
		}
		events, last = events+1, read.Events[events].At
	}
	final := a.ticket(tm.deptA, number)
	if final.resolution() != "satisfied" || final.ClosedAt == nil || final.DueAt != nil {
		t.Fatalf("final ticket %s: want closed as satisfied with closed_at and no deadline", final)
	}
	if reopen := final.Events[len(final.Events)-4]; reopen.Data["reopened"] != true || reopen.Round != 1 {
		t.Fatalf("round 1's unsatisfied call %+v: want data.reopened=true in round 1", reopen)
	}

	// The body carries every field of the contract.
	var raw map[string]json.RawMessage
	a.do("GET", "/api/v1/tickets/"+number, tm.supervisor, nil).Want(t, http.StatusOK).Decode(t, &raw)
	for _, k := range []string{"number", "rating_id", "status", "resolution", "department_code", "round", "due_at",
		"overdue", "escalation_level", "pending_request", "created_at", "closed_at", "events"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("ticket body lacks %q", k)
		}
	}
}

// Issue 2's 409 and 404 cases, and the 401/403/422 around them: every wrong action
// is refused in the contract's error shape, and none of them leaves a trace in the
// ticket or in the workflow's history.
func TestWrongTicketActionsAreRefusedWithoutSideEffects(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("wrong")
	number := a.negative(tm.channel, reachable(a.rating(id, "dissatisfied", deptA)))
	a.opened(tm.deptA, number)
	accepted := 0 // Updates the workflow took

	t.Run("401 without or with a bad token", func(t *testing.T) {
		a := a.with(t)
		for _, tok := range []string{"", "not-a-token", "rt_" + a.prefix} {
			a.do("GET", "/api/v1/tickets/"+number, tok, nil).WantError(t, http.StatusUnauthorized, "unauthorized")
			a.act(tok, number, "sign", nil).WantError(t, http.StatusUnauthorized, "unauthorized")
		}
		req, _ := http.NewRequest("GET", a.sys.URL+"/api/v1/tickets/"+number, nil)
		req.SetBasicAuth("admin", admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("Basic auth with the admin token as password: %d, want 401", resp.StatusCode)
		}
	})
	t.Run("404 for another department's ticket and an unknown one", func(t *testing.T) {
		a := a.with(t)
		a.do("GET", "/api/v1/tickets/"+number, tm.deptB, nil).WantError(t, http.StatusNotFound, "not_found")
		a.act(tm.deptB, number, "sign", nil).WantError(t, http.StatusNotFound, "not_found")
		a.act(tm.deptB, number, "return", map[string]any{"reason": "不归我们管"}).WantError(t, http.StatusNotFound, "not_found")
		a.do("GET", "/api/v1/ratings/"+id, tm.deptB, nil).WantError(t, http.StatusNotFound, "not_found")
		a.do("GET", "/api/v1/tickets/GD20260101999999", tm.supervisor, nil).WantError(t, http.StatusNotFound, "not_found")
		a.act(tm.deptA, "GD20260101999999", "sign", nil).WantError(t, http.StatusNotFound, "not_found")
		a.act(tm.supervisor, number, "teleport", nil).WantError(t, http.StatusNotFound, "unknown_action")
	})
	t.Run("403 for a role the action is not for", func(t *testing.T) {
		a := a.with(t)
		a.act(tm.channel, number, "sign", nil).WantError(t, http.StatusForbidden, "forbidden")
		a.do("GET", "/api/v1/tickets/"+number, tm.channel, nil).WantError(t, http.StatusForbidden, "forbidden")
		a.act(tm.deptA, number, "dispatch", map[string]any{"department_code": deptB}).WantError(t, http.StatusForbidden, "forbidden")
		a.act(tm.callcenter, number, "sign", nil).WantError(t, http.StatusForbidden, "forbidden")
		a.act(tm.deptA, number, "urge", map[string]any{"note": "快"}).WantError(t, http.StatusForbidden, "forbidden")
		a.act(tm.supervisor, number, "resolve", map[string]any{"report": "代办"}).WantError(t, http.StatusForbidden, "forbidden")
	})
	t.Run("409 for an action the state does not allow", func(t *testing.T) {
		a := a.with(t)
		a.act(tm.deptA, number, "resolve", map[string]any{"report": "还没签收就办结"}).WantError(t, http.StatusConflict, "invalid_transition")
		a.act(tm.callcenter, number, "log_call", map[string]any{"reached": false}).WantError(t, http.StatusConflict, "invalid_transition")
		a.mustAct(tm.deptA, number, "sign", nil)
		accepted++
		a.act(tm.deptA, number, "sign", nil).WantError(t, http.StatusConflict, "invalid_transition")
		a.act(tm.callcenter, number, "log_call", map[string]any{"reached": true, "level": "satisfied"}).WantError(t, http.StatusConflict, "invalid_transition")
		a.act(tm.callcenter, number, "dispatch", map[string]any{"department_code": deptB}).WantError(t, http.StatusConflict, "invalid_transition")
		a.act(tm.supervisor, number, "decide_extension", map[string]any{"approve": true}).WantError(t, http.StatusConflict, "invalid_transition")
	})
	t.Run("422 for a missing or bad field", func(t *testing.T) {
		a := a.with(t)
		a.act(tm.deptA, number, "resolve", nil).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "report")
		a.act(tm.deptA, number, "resolve", map[string]any{"report": "   "}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "report")
		a.mustAct(tm.deptA, number, "resolve", map[string]any{"report": "已整改"})
		accepted++
		a.act(tm.callcenter, number, "log_call", map[string]any{"reached": true}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "level")
		a.act(tm.callcenter, number, "log_call", map[string]any{"reached": true, "level": "meh"}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "level")
		a.act(tm.callcenter, number, "log_call", map[string]any{"level": "satisfied"}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "reached")
		a.act(tm.callcenter, number, "log_call", map[string]any{"reached": false, "report": "x"}).WantError(t, http.StatusUnprocessableEntity, "invalid_action", "report")
		a.act(tm.callcenter, number, "log_call", `{"reached": tru`).WantError(t, http.StatusBadRequest, "malformed_json")
	})
	t.Run("nothing was written by the refused actions", func(t *testing.T) {
		a := a.with(t)
		tk := a.ticket(tm.supervisor, number)
		want := []string{"dispatched", "signed", "resolved"}
		if tk.Status != "following_up" || len(tk.Events) != len(want) {
			t.Fatalf("after the refusals: %s, want following_up with events %v", tk, want)
		}
		// Validators reject before history: only the accepted Updates are in it.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		it := a.sys.Temporal.GetWorkflowHistory(ctx, workflows.WorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		updates := 0
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
				updates++
			}
		}
		if updates != accepted {
			t.Fatalf("workflow history has %d accepted Updates, want %d (the refused ones must leave none)", updates, accepted)
		}
	})
	t.Run("409 on a closed ticket", func(t *testing.T) {
		a := a.with(t)
		tk := a.mustAct(tm.supervisor, number, "close", map[string]any{"reason": "重复工单"})
		if tk.Status != "closed" || tk.resolution() != "closed_by_supervisor" {
			t.Fatalf("after close: %s", tk)
		}
		a.waitTicket(tm.supervisor, number, "closed", 5*time.Second, func(v ticketView) bool { return v.ClosedAt != nil })
		a.act(tm.supervisor, number, "urge", map[string]any{"note": "还在吗"}).WantError(t, http.StatusConflict, "invalid_transition")
		a.act(tm.callcenter, number, "log_call", map[string]any{"reached": false}).WantError(t, http.StatusConflict, "invalid_transition")
	})
}
