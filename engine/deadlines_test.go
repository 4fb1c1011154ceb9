package engine_test

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"rectify/config"
	"rectify/domain"
	"rectify/internal/testenv"
	"rectify/store"
	"rectify/workflows"
)

// Issue 18: a sweeper pass signals exactly the tickets whose stored wake_at has
// passed; a ticket whose deadlines were handled is not signalled, and one whose
// workflow found nothing due is not signalled again (its wake_at was claimed).
// (store.TestClaimDueWakes tests the claims, integration's deadline tests the
// signal that makes a ticket overdue.)
func TestSweepDeadlines(t *testing.T) {
	ts := testenv.StartTemporal()
	defer ts.Stop()
	ctx := context.Background()
	sys := testenv.NewSystem(t, ts, func(c *config.Config) { c.Deadlines.SweepInterval = time.Hour }) // passes by hand
	if err := sys.Store.UpsertDepartment(ctx, domain.Department{Code: "D-A", Name: "甲局"}); err != nil {
		t.Fatal(err)
	}
	// LATE's sign stage began ten days ago: when its opening is written, its
	// deadline and level-2 escalation have both passed. NOW's began now.
	sys.Engine.StageStart = func(id string, from time.Time) time.Time {
		if id == workflows.WorkflowID("LATE") {
			return from.AddDate(0, 0, -10)
		}
		return from
	}
	numbers := map[string]string{}
	for _, id := range []string{"LATE", "NOW"} {
		res, err := sys.Store.CreateRatings(ctx, []store.NewRating{{BodyHash: []byte(id), Rating: domain.Rating{ID: id,
			Channel: domain.ChannelHall, Level: domain.VeryDissatisfied, Negative: true, RatedAt: time.Now(),
			DepartmentCode: "D-A", Aspects: []string{"attitude"}}}})
		if err != nil {
			t.Fatal(err)
		}
		numbers[id] = res[0].Ticket.Number
		if err := sys.Engine.Start(ctx, *res[0].Ticket); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("waited 20 s for %s", what)
			}
		}
	}
	wake := func(id string) *time.Time {
		at, err := sys.Store.WakeAt(ctx, numbers[id])
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	// LATE's opening was already late: the workflow handles what is due after the
	// write at once, without a signal, and level 2 leaves nothing to wake for.
	waitFor("LATE escalated", func() bool {
		tk, err := sys.Store.GetTicket(ctx, numbers["LATE"])
		return err == nil && tk.EscalationLevel == 2 && tk.Overdue
	})
	waitFor("NOW's opening", func() bool { return wake("NOW") != nil })
	if !wake("NOW").After(time.Now()) {
		t.Fatalf("wake_at NOW %v", wake("NOW"))
	}
	if at := wake("LATE"); at != nil {
		t.Errorf("LATE's wake_at %v after level 2", at)
	}
	if n, err := sys.Engine.SweepDeadlines(ctx); err != nil || n != 0 {
		t.Errorf("a pass signalled %d (%v), want none: nothing is due", n, err)
	}

	// NOW's stored wake_at made past by hand: the workflow finds nothing due and
	// writes nothing; the claim keeps the next passes from signalling it again.
	if _, err := sys.Store.Pool().Exec(ctx, `UPDATE tickets SET wake_at = now() - interval '1 minute' WHERE number = $1`, numbers["NOW"]); err != nil {
		t.Fatal(err)
	}
	if n, err := sys.Engine.SweepDeadlines(ctx); err != nil || n != 1 {
		t.Fatalf("pass signalled %d (%v), want 1 (NOW)", n, err)
	}
	for range 3 {
		if n, err := sys.Engine.SweepDeadlines(ctx); err != nil || n != 0 {
			t.Errorf("a later pass signalled %d (%v): a skipped ticket is signalled again", n, err)
		}
	}
	if at := wake("NOW"); at == nil || !at.After(time.Now()) {
		t.Errorf("NOW's wake_at %v after its claim, want ahead", at)
	}
	time.Sleep(time.Second) // let the workflow take the signal
	tk, err := sys.Store.GetTicket(ctx, numbers["NOW"])
	if err != nil {
		t.Fatal(err)
	}
	if tk.Overdue || tk.Status != domain.StatusAwaitingSign {
		t.Errorf("NOW after an early signal: %s overdue=%v", tk.Status, tk.Overdue)
	}
	signals := map[string]int{}
	for _, id := range []string{"LATE", "NOW"} {
		it := sys.Temporal.GetWorkflowHistory(ctx, workflows.WorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
				signals[id]++
			}
		}
	}
	if signals["LATE"] != 0 || signals["NOW"] != 1 {
		t.Errorf("signals in the histories %v, want none for LATE, one for NOW", signals)
	}
}
