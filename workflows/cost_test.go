package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"rectify/domain"
	"rectify/internal/testenv"
	"rectify/store"
	"rectify/workflows"
)

// Issue 18: what a happy-path ticket costs in Temporal, counted from its history
// on a real server, each action sent once the one before it was written (as the
// department and call center do). The cost by kind, for a dispatched ticket whose
// citizen can be reached:
//
//	the start and its first task: 4 events, 1 write (marker), 1 timer (sign deadline)
//	sign, resolve: 5 events each (task, Update accepted/completed), 1 write,
//	  the old deadline's timer cancelled and the next one started, 1 upsert
//	log_call: 5 events, 1 write, the workflow's completion; no upsert
//
// 31 events and 13 actions (start, 3 Updates, 3 timers, 2 upserts, 4 tasks with
// local activities), against 38 and 16 for Rectification (36 and 15 before its
// GetVersion change).
func TestHappyPathHistoryCost(t *testing.T) {
	if *workflows.HarnessV2 {
		t.Skip("ran in the first pass (TestMain)")
	}
	ts := testenv.StartTemporal()
	defer ts.Stop()
	ctx := context.Background()
	sys := testenv.NewSystem(t, ts)
	if err := sys.Store.UpsertDepartment(ctx, domain.Department{Code: "320100-SCJG", Name: "市场监管局"}); err != nil {
		t.Fatal(err)
	}
	r := store.NewRating{Rating: domain.Rating{ID: "COST-1", Channel: domain.ChannelWeb, Level: domain.Dissatisfied,
		RatedAt: time.Now(), DepartmentCode: "320100-SCJG", Aspects: []string{}, Negative: true,
		Citizen: &domain.Citizen{Name: "张三", Phone: "13812341234"}}, BodyHash: []byte{1}}
	res, err := sys.Store.CreateRatings(ctx, []store.NewRating{r})
	if err != nil {
		t.Fatal(err)
	}
	number := res[0].Ticket.Number
	if err := sys.Engine.Start(ctx, *res[0].Ticket); err != nil {
		t.Fatal(err)
	}
	tc := ts.GetDefaultClient()
	id := workflows.WorkflowID("COST-1")

	// The start carries the search attributes: status, department and the sign deadline.
	d, err := tc.DescribeWorkflow(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	sa := d.TypedSearchAttributes
	if s, _ := sa.GetKeyword(temporal.NewSearchAttributeKeyKeyword(workflows.SAStatus)); s != string(domain.StatusAwaitingSign) {
		t.Errorf("RectifyStatus at the start = %q", s)
	}
	if s, _ := sa.GetKeyword(temporal.NewSearchAttributeKeyKeyword(workflows.SADepartment)); s != "320100-SCJG" {
		t.Errorf("RectifyDepartment at the start = %q", s)
	}
	startDue, ok := sa.GetTime(temporal.NewSearchAttributeKeyTime(workflows.SADueAt))
	if !ok {
		t.Error("no RectifyDueAt at the start")
	}

	// Wait for the opening to be written, as a department would see it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		tk, err := sys.Store.GetTicket(ctx, number)
		if err == nil && tk.DueAt != nil {
			if !tk.DueAt.Equal(startDue) {
				t.Errorf("written deadline %v, search attribute %v", tk.DueAt, startDue)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the opening was not written: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	steps := []struct {
		action string
		req    workflows.ActionRequest
		want   domain.Status
	}{
		{workflows.ActionSign, workflows.ActionRequest{Actor: dept}, domain.StatusRectifying},
		{workflows.ActionResolve, workflows.ActionRequest{Actor: dept, Note: "已整改"}, domain.StatusFollowingUp},
		{workflows.ActionLogCall, workflows.ActionRequest{Actor: callcenter, Reached: true, Level: domain.Satisfied}, domain.StatusClosed},
	}
	for _, s := range steps {
		ref, err := sys.Store.GetTicketRef(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		if err := sys.Engine.Act(ctx, ref, s.action, s.req); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		// The Update returned after the write: a read right after sees it.
		tk, err := sys.Store.GetTicket(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != s.want {
			t.Fatalf("after %s the ticket reads %s, want %s", s.action, tk.Status, s.want)
		}
		if s.want != domain.StatusClosed && (tk.DueAt == nil || !tk.DueAt.After(time.Now())) {
			t.Errorf("after %s: deadline %v", s.action, tk.DueAt)
		}
	}
	if err := tc.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		t.Fatal(err)
	}

	var events, timers, upserts, updates, markers, tasksWithMarkers int
	var kinds []string
	inTask := false
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		kinds = append(kinds, strings.TrimPrefix(e.GetEventType().String(), "EVENT_TYPE_"))
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			inTask = false
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			markers++
			if name := e.GetMarkerRecordedEventAttributes().GetMarkerName(); name != "LocalActivity" {
				t.Errorf("a %s marker: V2 has no GetVersion", name)
			}
			if !inTask {
				tasksWithMarkers++
				inTask = true
			}
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			timers++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			upserts++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			updates++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
			if typ := e.GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName(); typ != "RectificationV2" {
				t.Errorf("started as %s", typ)
			}
		}
	}
	actions := 1 + updates + timers + upserts + tasksWithMarkers
	t.Logf("%d events, %d actions: %s", events, actions, strings.Join(kinds, " "))
	if markers != 4 {
		t.Errorf("%d local-activity markers, want 4: one write per transition, no StageTimes", markers)
	}
	if upserts != 2 {
		t.Errorf("%d search-attribute upserts, want 2 (sign, resolve): none at the opening or the close", upserts)
	}
	if timers != 3 {
		t.Errorf("%d timers, want 3: one deadline per stage", timers)
	}
	if events > 31 {
		t.Errorf("%d history events per happy-path ticket, want at most 31", events)
	}
	if actions > 13 {
		t.Errorf("%d actions per happy-path ticket, want at most 13", actions)
	}
}
