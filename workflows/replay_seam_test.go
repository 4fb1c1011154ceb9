package workflows_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"rectify/activities"
	"rectify/engine"
	"rectify/workflows"
)

// fakeActs stands in for the activities when recording: the histories hold only
// their results, and these paths need no database.
type fakeActs struct{}

func (fakeActs) Apply(context.Context, activities.Change) error { return nil }

func (f fakeActs) Write(ctx context.Context, ch activities.Change) (activities.StageTimes, error) {
	if ch.Stage == nil {
		return activities.StageTimes{}, nil
	}
	return f.StageTimes(ctx, *ch.Stage)
}

func (fakeActs) StageTimes(_ context.Context, in activities.StageInput) (activities.StageTimes, error) {
	due := in.From.Add(time.Duration(in.Days) * 2 * time.Second)
	return activities.StageTimes{DueAt: due, Escalate2At: due.Add(2 * time.Second)}, nil
}

func (fakeActs) PushTicket(context.Context, activities.PushInput) error { return nil }

// Issue 16 item 5: histories of the paths the first recordings lack: a ticket
// that continued as new (both runs), the external 12345 mode (changePushPlatform),
// two Updates in one workflow task, and an Update racing a timer (V3: the
// deadline signal; the older recordings hold the timer).
// TestReplayRecordedHistories replays them with the others.
func TestRecordSeamHistories(t *testing.T) {
	if *workflows.HarnessV2 {
		t.Skip("recorded in the first pass (TestMain)")
	}
	if !*record {
		t.Skip("records only with -record-histories")
	}
	// A low continue-as-new suggestion, so a few actions make a ticket continue.
	ts := temporaltest.NewServer(temporaltest.WithT(t), temporaltest.WithBaseServerOptions(
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			dynamicconfig.HistoryCountSuggestContinueAsNew.Key(): 40})))
	ctx := context.Background()
	c := ts.GetDefaultClient()
	if _, err := engine.PrepareNamespace(ctx, c, ts.GetDefaultNamespace(), 0, workflows.SearchAttributes); err != nil {
		t.Fatal(err)
	}
	const tq = "seam-replay"
	newWorker := func() sdkworker.Worker {
		w := sdkworker.New(c, tq, sdkworker.Options{})
		w.RegisterWorkflow(workflows.Rectification)
		w.RegisterWorkflow(workflows.RectificationV2)
		w.RegisterWorkflow(workflows.RectificationV3)
		w.RegisterActivity(&fakeActs{})
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		return w
	}
	start := func(id string, p workflows.Policy) {
		t.Helper()
		if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WorkflowID(id), TaskQueue: tq},
			workflows.RectificationV3, workflows.Input{Number: "GD-" + id, RatingID: id, CreatedAt: time.Now(),
				DepartmentCode: "320100-SCJG", Policy: p}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(id, action string, q workflows.ActionRequest) error {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.WorkflowID(id),
			UpdateName: action, Args: []any{q}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}
	urge := act(workflows.ActionUrge, supervisor, note("请尽快")).req
	policy := workflows.DefaultPolicy
	file := func(name string) string { return filepath.Join("testdata/histories", recordedVersion+name+".json") }

	w := newWorker()
	// A ticket that continues as new: urges until the run changes.
	start("CAN", policy)
	// A fresh namespace's search attributes can take a moment to reach the history
	// service; the opening's upsert is retried until they do. Let it open first.
	time.Sleep(2 * time.Second)
	first := c.GetWorkflow(ctx, workflows.WorkflowID("CAN"), "").GetRunID()
	for i := 0; ; i++ {
		if err := update("CAN", workflows.ActionUrge, urge); err != nil {
			t.Fatal(err)
		}
		d, err := c.DescribeWorkflowExecution(ctx, workflows.WorkflowID("CAN"), "")
		if err != nil {
			t.Fatal(err)
		}
		if d.WorkflowExecutionInfo.Execution.RunId != first {
			break
		}
		if i == 100 {
			t.Fatal("no continue-as-new after 100 urges")
		}
	}
	if err := update("CAN", workflows.ActionSign, act(workflows.ActionSign, dept, nil).req); err != nil {
		t.Fatal(err)
	}
	writeRun(t, c, workflows.WorkflowID("CAN"), first, file("continued-as-new-run1"))
	writeHistory(t, c, workflows.WorkflowID("CAN"), file("continued-as-new-run2"))

	// The external 12345 mode: the dispatch is pushed to the platform.
	ext := policy
	ext.Ticketing = workflows.TicketingExternal
	start("EXT", ext)
	if err := update("EXT", workflows.ActionSign, act(workflows.ActionSign, dept, nil).req); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, c, workflows.WorkflowID("EXT"), file("external-12345"))

	// Two Updates in one workflow task: both wait while no worker runs.
	start("TWO", policy)
	start("RACE", policy)
	time.Sleep(time.Second) // both opened
	w.Stop()
	var wg sync.WaitGroup
	for _, q := range []workflows.ActionRequest{urge, act(workflows.ActionSign, dept, nil).req} {
		wg.Add(1)
		action := workflows.ActionUrge
		if q.Actor == dept {
			action = workflows.ActionSign
		}
		go func() { defer wg.Done(); _ = update("TWO", action, q) }()
	}
	// An Update racing a deadline: RACE's sign deadline (2 s) passes while no
	// worker runs, and the sweeper's signal comes before the Update.
	time.Sleep(3 * time.Second)
	if err := c.SignalWorkflow(ctx, workflows.WorkflowID("RACE"), "", workflows.SignalDeadline, nil); err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = update("RACE", workflows.ActionUrge, urge) }()
	time.Sleep(time.Second)
	w = newWorker()
	defer w.Stop()
	wg.Wait()
	writeHistory(t, c, workflows.WorkflowID("TWO"), file("two-updates-one-task"))
	writeHistory(t, c, workflows.WorkflowID("RACE"), file("update-races-deadline"))
	for name, want := range map[string]string{"two-updates-one-task": "UPDATE_ACCEPTED", "update-races-deadline": "EXECUTION_SIGNALED"} {
		b, _ := os.ReadFile(file(name))
		if !strings.Contains(string(b), want) {
			t.Errorf("%s: no %s", name, want)
		}
	}
}

// writeRun writes one run's history.
func writeRun(t *testing.T, c client.Client, workflowID, runID, file string) {
	t.Helper()
	writeHistoryRun(t, c, workflowID, runID, file)
}
