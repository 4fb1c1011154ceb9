package integration

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"rectify/domain"
	"rectify/store"
)

// strand does what a process that died between the two stores left behind: the
// rating and its ticket committed in Postgres, and no workflow in Temporal.
func (a *api) strand(id string) store.TicketStart {
	a.t.Helper()
	now := time.Now()
	h := sha256.Sum256([]byte(id))
	nr := store.NewRating{Rating: domain.Rating{ID: id, Channel: domain.ChannelHall, Level: domain.VeryDissatisfied,
		RatedAt: now.Add(-time.Hour), ReceivedAt: now, DepartmentCode: deptA, Aspects: []string{"handling"},
		Comment: "提交后进程崩溃", Negative: true}, BodyHash: h[:], SubmittedBy: "crashed-process"}
	res, err := a.sys.Store.CreateRatings(context.Background(), []store.NewRating{nr})
	if err != nil {
		a.t.Fatal(err)
	}
	if res[0].Outcome != store.Created || res[0].Ticket == nil || res[0].Ticket.WorkflowStarted {
		a.t.Fatalf("CreateRatings: %+v, want a new ticket whose workflow has not started", res[0])
	}
	if _, found := a.runID(id); found {
		a.t.Fatalf("a workflow runs for %s although nothing started it", id)
	}
	return *res[0].Ticket
}

func (a *api) workflowStarted(number string) bool {
	a.t.Helper()
	return a.count(`SELECT count(*) FROM tickets WHERE number = $1 AND workflow_started`, number) == 1
}

// Issue 2, item 6: the process died after the rating and ticket were stored and
// before the workflow started. The reconciler finds the ticket and starts it.
func TestReconcilerStartsWorkflowStrandedBetweenStores(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("stranded-reconciled")
	stranded := a.strand(id)

	tk := a.ticket(tm.deptA, stranded.Number)
	if tk.Status != "awaiting_sign" || tk.DueAt != nil || len(tk.Events) != 0 || a.workflowStarted(stranded.Number) {
		t.Fatalf("stranded ticket %s: want awaiting_sign with no deadline, no events, workflow_started=false", tk)
	}

	n, err := a.sys.Engine.Reconcile(context.Background(), 0)
	if err != nil || n != 1 {
		t.Fatalf("Reconcile = %d, %v; want 1 workflow started", n, err)
	}
	tk = a.waitTicket(tm.deptA, stranded.Number, "the reconciled workflow's first write", 15*time.Second,
		func(v ticketView) bool { return v.DueAt != nil })
	if e, ok := tk.event("dispatched"); tk.Status != "awaiting_sign" || !ok || e.Actor != "system" {
		t.Fatalf("reconciled ticket %s: want awaiting_sign, dispatched by the system", tk)
	}
	if !a.workflowStarted(stranded.Number) {
		t.Fatal("workflow_started is still false after the workflow wrote the ticket")
	}
	if _, found := a.runID(id); !found {
		t.Fatal("no workflow after Reconcile")
	}
	if n, err := a.sys.Engine.Reconcile(context.Background(), 0); err != nil || n != 0 {
		t.Fatalf("a second Reconcile = %d, %v; want nothing left to start", n, err)
	}
	if tk := a.mustAct(tm.deptA, stranded.Number, "sign", nil); tk.Status != "rectifying" {
		t.Fatalf("signing the reconciled ticket: %s", tk)
	}
}

// The same crash, but a department acts before the reconciler came round: the
// action starts the workflow on the fly and succeeds.
func TestActionStartsWorkflowOfStrandedTicket(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	id := a.id("stranded-acted")
	stranded := a.strand(id)

	tk := a.mustAct(tm.deptA, stranded.Number, "sign", nil)
	if tk.Status != "rectifying" || tk.DueAt == nil {
		t.Fatalf("sign on a stranded ticket answered %s, want rectifying with the rectify deadline", tk)
	}
	if got := tk.eventTypes(); len(got) != 2 || got[0] != "dispatched" || got[1] != "signed" {
		t.Fatalf("events %v, want [dispatched signed]", got)
	}
	if e := tk.Events[1]; e.Actor != tm.deptAUser {
		t.Fatalf("signed by %q, want %s", e.Actor, tm.deptAUser)
	}
	if !a.workflowStarted(stranded.Number) {
		t.Fatal("workflow_started is still false after the action")
	}
	if n, err := a.sys.Engine.Reconcile(context.Background(), 0); err != nil || n != 0 {
		t.Fatalf("Reconcile after the action = %d, %v; want nothing left to start", n, err)
	}
}
