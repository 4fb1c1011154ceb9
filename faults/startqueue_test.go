package faults

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"

	"rectify/activities"
	"rectify/app"
	"rectify/internal/testdb"
	"rectify/internal/testenv"
	"rectify/notify"
	"rectify/worker"
	"rectify/workflows"
)

// Issue 18, item 2: a rating's answer does not wait for Temporal. A process that
// answered ratings and died before its start queue ran (here: one whose queue never
// runs, which is what a kill right after the answers leaves) loses no workflow: the
// next process to start runs the reconciler's first pass at once, for tickets of
// any age, and every workflow is started and has written its ticket within seconds.
func TestKilledAfterAnswerStartsWorkflowsOnRestart(t *testing.T) {
	ctx := context.Background()
	ts := temporal()
	st, dbURL := testdb.NewWithURL(t)
	cfg := testenv.Config(t, ts, dbURL)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&logBuffer{}, nil))

	// The first process: the API, whose start queue never runs (it dies after answering).
	first, err := app.Build(ctx, cfg, st, ts.GetDefaultClient(), log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(first.NewServer().Echo)
	a := newAPI(hs.URL)
	a.must(t, http.MethodPost, "/api/v1/departments", adminToken, map[string]string{"code": dept, "name": "南京市市场监督管理局"}, http.StatusCreated)
	a.must(t, http.MethodPost, "/api/v1/users", adminToken, map[string]string{"username": "portal", "password": "faults-password", "role": "channel"}, http.StatusCreated)
	channel := a.tokenFor(t, adminToken, "portal")

	// Single ratings and one batch of 250, every fifth negative: each answered
	// with its ticket while no start ran.
	var tickets []string
	for _, r := range makeRatings("SQ1", 20) {
		ans := a.do(ctx, http.MethodPost, "/api/v1/ratings", channel, r.Body)
		if ans.Status != http.StatusCreated {
			t.Fatalf("POST /ratings %s: %d %s", r.ID, ans.Status, ans.Body)
		}
		if r.Negative {
			tickets = append(tickets, ans.Ticket)
		}
	}
	batch := makeRatings("SQB", 250)
	raw := make([]json.RawMessage, len(batch))
	for i, r := range batch {
		raw[i] = r.Body
	}
	body, _ := json.Marshal(map[string]any{"ratings": raw})
	began := time.Now()
	ans := a.do(ctx, http.MethodPost, "/api/v1/ratings/batch", channel, body)
	if ans.Status != http.StatusOK && ans.Status != http.StatusCreated && ans.Status != http.StatusMultiStatus {
		t.Fatalf("POST /ratings/batch: %d %.300s", ans.Status, ans.Body)
	}
	t.Logf("batch of 250 (50 negative) answered in %v with no workflow started", time.Since(began))
	var out struct {
		Results []struct {
			Status       int    `json:"status"`
			TicketNumber string `json:"ticket_number"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(ans.Body), &out); err != nil {
		t.Fatalf("batch answer: %v (%.300s)", err, ans.Body)
	}
	for _, r := range out.Results {
		if r.TicketNumber != "" {
			tickets = append(tickets, r.TicketNumber)
		}
	}
	if len(tickets) != 4+50 {
		t.Fatalf("%d tickets answered, want 54", len(tickets))
	}
	// The answers came before any start: nothing runs in Temporal yet.
	var started int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE workflow_started`).Scan(&started); err != nil || started != 0 {
		t.Fatalf("%d workflows started (err %v), want none before the queue ran", started, err)
	}
	if _, err := ts.GetDefaultClient().DescribeWorkflowExecution(ctx, workflows.WorkflowID("SQ1-00000"), ""); !isNotFound(err) {
		t.Fatalf("the workflow of SQ1-00000 exists before any start ran (err %v)", err)
	}
	hs.Close() // the kill

	// The restart: an API process (RunStarts, as `rectify server` runs) and a worker.
	restarted := time.Now()
	second, err := app.Build(ctx, cfg, st, ts.GetDefaultClient(), log)
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Store: st, Schedule: app.Schedule(cfg, second.Calendar),
		Render: notify.Renderer{BaseURL: "http://127.0.0.1:1", Zone: cfg.Location()}, SurveyTTL: cfg.Survey.TTL}
	w := worker.New(ts.GetDefaultClient(), cfg.Temporal.TaskQueue, acts, cfg.Temporal.StickyCacheSize)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	second.RunStarts(bctx)

	// Every ticket's workflow started, well before the reconciler's 30 s period,
	// and then wrote its opening (workflow_started is set by that write).
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	tc := ts.GetDefaultClient()
	if err := waitFor(wctx, func() (bool, string) {
		n := 0
		for _, r := range append(makeRatings("SQ1", 20), batch...) {
			if !r.Negative {
				continue
			}
			if _, err := tc.DescribeWorkflowExecution(ctx, workflows.WorkflowID(r.ID), ""); err == nil {
				n++
			}
		}
		return n == len(tickets), fmt.Sprintf("%d of %d workflows started", n, len(tickets))
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d workflows started %v after the restart", len(tickets), time.Since(restarted).Round(time.Millisecond))
	wctx2, wcancel2 := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel2()
	if err := waitFor(wctx2, func() (bool, string) {
		var n int
		if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE workflow_started AND due_at IS NOT NULL`).Scan(&n); err != nil {
			return false, err.Error()
		}
		return n == len(tickets), fmt.Sprintf("%d of %d workflows wrote their ticket", n, len(tickets))
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("and all wrote their ticket %v after the restart", time.Since(restarted).Round(time.Millisecond))
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
