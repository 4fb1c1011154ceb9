package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"rectify/domain"
	"rectify/workflows"
)

// A lifecycle runs one ticket from rating to closed, reporting each action's latency.
type lifecycle func(ctx context.Context, i int, rec func(action string, d time.Duration)) error

// Actions of a happy-path lifecycle, in order, for rectify and for the bare baseline.
var (
	rectifyActions = []string{"rating", workflows.ActionSign, workflows.ActionResolve, workflows.ActionLogCall}
	bareActions    = []string{"start", workflows.ActionSign, workflows.ActionResolve, workflows.ActionLogCall}
)

// rectifyLifecycle: a negative rating from a real-name citizen, then the department
// signs and resolves, and the call center logs a satisfied call, which closes it.
func rectifyLifecycle(c *Client, toks Tokens, prefix string) lifecycle {
	now := time.Now()
	type ticket struct {
		Number string `json:"ticket_number"`
		Status string `json:"status"`
	}
	return func(ctx context.Context, i int, rec func(string, time.Duration)) error {
		rt := NewRating(prefix, i, 1, now)
		var t ticket
		start := time.Now()
		if err := c.Do(ctx, "POST", "/api/v1/ratings", toks.Channel, rt.Body(), http.StatusCreated, &t); err != nil {
			return err
		}
		rec("rating", time.Since(start))
		steps := []struct{ action, token, body string }{
			{workflows.ActionSign, toks.Department, `{}`},
			{workflows.ActionResolve, toks.Department, `{"report":"已当场整改，向群众说明情况。"}`},
			{workflows.ActionLogCall, toks.CallCenter, `{"reached":true,"level":"satisfied","note":"群众表示满意"}`},
		}
		var after ticket
		for _, s := range steps {
			start := time.Now()
			if err := c.Do(ctx, "POST", "/api/v1/tickets/"+t.Number+"/"+s.action, s.token, []byte(s.body), http.StatusOK, &after); err != nil {
				return err
			}
			rec(s.action, time.Since(start))
		}
		if after.Status != string(domain.StatusClosed) {
			return fmt.Errorf("ticket %s is %s after log_call, want closed", t.Number, after.Status)
		}
		return nil
	}
}

// bareLifecycle: start a BareLifecycle workflow and send it the same three Updates,
// waiting for each to complete, as the API waits for rectify's.
func bareLifecycle(tc client.Client, taskQueue, prefix string) lifecycle {
	actor := domain.Actor{Username: "bench-dept", Role: domain.RoleDepartment, DepartmentCode: Department}
	return func(ctx context.Context, i int, rec func(string, time.Duration)) error {
		id := fmt.Sprintf("bare:%s-%08d", prefix, i)
		start := time.Now()
		if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue,
			WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, BareLifecycle); err != nil {
			return err
		}
		rec("start", time.Since(start))
		for _, a := range bareActions[1:] {
			start := time.Now()
			h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: a,
				Args: []any{workflows.ActionRequest{Actor: actor, Note: "bench"}}, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err != nil {
				return fmt.Errorf("bare %s: %w", a, err)
			}
			rec(a, time.Since(start))
		}
		return nil
	}
}

// stepResult is one rate of a ladder.
type stepResult struct {
	Rate                                float64
	Offered, Completed, Dropped, Failed int
	Elapsed                             time.Duration
	Actions                             map[string]*Latencies
	Whole                               *Latencies // whole lifecycles
	FirstErr                            error
	From                                int // index of the step's first lifecycle
	CPU                                 CPU // used during the step
}

// Achieved is completed lifecycles per second over the step, drain included.
func (s stepResult) Achieved() float64 { return float64(s.Completed) / s.Elapsed.Seconds() }

// WorstP95 is the action with the highest p95.
func (s stepResult) WorstP95() (string, time.Duration) {
	var (
		name  string
		worst time.Duration
	)
	for _, a := range mapsKeys(s.Actions) {
		if p := s.Actions[a].Quantiles(0.95)[0]; p > worst {
			name, worst = a, p
		}
	}
	return name, worst
}

func mapsKeys(m map[string]*Latencies) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// breakP95 is where latency counts as broken: a p95 past it for any action.
const breakP95 = 500 * time.Millisecond

// Held says the step kept up: everything offered completed, in time.
func (s stepResult) Held() bool {
	_, p := s.WorstP95()
	return s.Failed == 0 && s.Dropped == 0 && s.Achieved() >= 0.9*s.Rate && p < breakP95
}

// runStep offers lifecycles at rate per second for dur (open loop: arrivals do not
// wait for completions), at most maxInflight at once (more are dropped), and waits
// for the started ones to finish.
func runStep(ctx context.Context, rate float64, dur time.Duration, maxInflight, from int, lc lifecycle) stepResult {
	res := stepResult{Rate: rate, Actions: map[string]*Latencies{}, Whole: &Latencies{}, From: from}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		inflight atomic.Int64
		done     atomic.Int64
		failed   atomic.Int64
	)
	rec := func(action string, d time.Duration) {
		mu.Lock()
		l := res.Actions[action]
		if l == nil {
			l = &Latencies{}
			res.Actions[action] = l
		}
		mu.Unlock()
		l.Add(d)
	}
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for k := 0; ; k++ {
		at := start.Add(time.Duration(k) * interval)
		if at.Sub(start) >= dur || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Until(at))
		res.Offered++
		if inflight.Load() >= int64(maxInflight) {
			res.Dropped++
			continue
		}
		inflight.Add(1)
		wg.Add(1)
		i := from + k
		go func() {
			defer wg.Done()
			defer inflight.Add(-1)
			t0 := time.Now()
			if err := lc(ctx, i, rec); err != nil {
				if failed.Add(1) == 1 {
					mu.Lock()
					res.FirstErr = err
					mu.Unlock()
				}
				return
			}
			res.Whole.Since(t0)
			done.Add(1)
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Completed, res.Failed = int(done.Load()), int(failed.Load())
	return res
}

// ladder raises the rate step by step until a step does not hold (always going at
// least to 10/s, the rate the latency target is set at).
func (r *Runner) ladder(ctx context.Context, name string, lc lifecycle, cpu func() CPU, idle CPU) []stepResult {
	rates := []float64{2.5, 5, 10, 20, 40, 80, 160, 320}
	if r.Opts.Quick {
		rates = []float64{5, 10, 20, 40, 80}
	}
	dur := r.stepDur()
	var steps []stepResult
	from := 0
	for _, rate := range rates {
		before := cpu()
		s := runStep(ctx, rate, dur, 64, from, lc)
		s.CPU = cpu().Sub(before).minusIdle(idle, s.Elapsed)
		from += s.Offered
		steps = append(steps, s)
		a, p := s.WorstP95()
		r.progress("lifecycle %s: %.1f/s offered, %.1f/s completed, worst p95 %s %s, dropped %d, failed %d (%v)",
			name, rate, s.Achieved(), a, ms(p), s.Dropped, s.Failed, s.FirstErr)
		if !s.Held() && rate >= 10 || ctx.Err() != nil {
			break
		}
	}
	return steps
}

func (r *Runner) stepDur() time.Duration { return time.Duration(r.size(15, 3)) * time.Second }

// ladderSummary: the best completed rate, the highest rate held, the step at 10/s.
func ladderSummary(steps []stepResult) (best float64, held float64, at10 *stepResult) {
	for i := range steps {
		s := &steps[i]
		best = max(best, s.Achieved())
		if s.Held() && s.Rate > held {
			held = s.Rate
		}
		if s.Rate == 10 {
			at10 = s
		}
	}
	return best, held, at10
}

// Lifecycle is scenario 3: the happy path through the HTTP API at rising rates,
// against a bare workflow taking the same Updates on the same Temporal server.
func (r *Runner) Lifecycle(ctx context.Context) (Section, error) {
	sec := Section{Key: "lifecycle", Title: "Ticket lifecycle"}
	sys, err := r.Env.StartSystem(ctx, SystemOptions{Name: "lifecycle", InProcessWorker: true})
	if err != nil {
		return sec, err
	}
	defer sys.Close()
	c := NewClient(sys.URL, 128)
	toks, err := SetUp(ctx, c)
	if err != nil {
		return sec, err
	}
	bareQueue := sys.TaskQueue + "-bare"
	bw := sdkworker.New(r.Env.TC, bareQueue, sdkworker.Options{})
	bw.RegisterWorkflow(BareLifecycle)
	if err := bw.Start(); err != nil {
		return sec, err
	}
	defer bw.Stop()

	rl, bl := rectifyLifecycle(c, toks, "L3"), bareLifecycle(r.Env.TC, bareQueue, "L3")
	// Warm both paths (connections, caches, the workers' pollers).
	if err := r.warm(ctx, rl, bl); err != nil {
		return sec, err
	}
	cpu := func() CPU { c, _ := ReadCPU(ctx, sys.Store.Pool()); return c }
	idle, err := IdleCPU(ctx, sys.Store.Pool(), 3*time.Second)
	if err != nil {
		return sec, err
	}
	r.progress("lifecycle: baseline (bare workflow) ladder")
	bare := r.ladder(ctx, "bare", bl, cpu, idle)
	r.progress("lifecycle: rectify ladder")
	rect := r.ladder(ctx, "rectify", rl, cpu, idle)

	rBest, rHeld, r10 := ladderSummary(rect)
	bBest, bHeld, b10 := ladderSummary(bare)
	sec.Setup = []string{
		"rectify: per ticket `POST /api/v1/ratings` (negative, real-name), then `sign` and `resolve` by the department and `log_call` (reached, satisfied) by the call center, each an HTTP request as soon as the last answered; the ticket must be `closed` at the end.",
		"Baseline: a bare workflow on the same Temporal server and worker settings, started by the client and sent the same three Updates (each waited for to completion), doing nothing else.",
		"CPU: this process (API, worker, Temporal server, load generator) and the benchmark database's Postgres backends, less what they use idle (" + idle.share() + ").",
		fmt.Sprintf("Open-loop arrivals at rising rates, %s per step, at most 64 lifecycles in flight (more are dropped); a step holds when all offered lifecycles complete, ≥ 90%% of the offered rate, and every action's p95 < %s. Each ladder stops at the first step that does not hold (never below 10/s).", r.stepDur(), breakP95),
	}
	sec.Rows = []Row{
		{"best completed lifecycles/s", perSec(rBest), perSec(bBest), fx(ratio(rBest, bBest)), "≥ 0.80×", met(ratio(rBest, bBest) >= 0.8)},
		{"highest offered rate held", perSec(rHeld), perSec(bHeld), fx(ratio(rHeld, bHeld)), "", ""},
	}
	if r10 != nil && b10 != nil {
		for k, a := range rectifyActions {
			rp := r10.Actions[a].Quantiles(0.5, 0.95)
			var bp []time.Duration
			if l := b10.Actions[bareActions[k]]; l != nil {
				bp = l.Quantiles(0.5, 0.95)
			} else {
				bp = []time.Duration{0, 0}
			}
			label := a
			if a == "rating" {
				label = "rating (baseline: start)"
			}
			sec.Rows = append(sec.Rows, Row{"p95 at 10/s: " + label, ms(rp[1]) + " (p50 " + ms(rp[0]) + ")",
				ms(bp[1]) + " (p50 " + ms(bp[0]) + ")", fx(ratio(float64(rp[1]), float64(bp[1]))), "< 50 ms", met(rp[1] < 50*time.Millisecond)})
		}
		rw, bw := r10.Whole.Quantiles(0.95)[0], b10.Whole.Quantiles(0.95)[0]
		sec.Rows = append(sec.Rows, Row{"p95 of a whole lifecycle at 10/s", ms(rw), ms(bw), fx(ratio(float64(rw), float64(bw))), "", ""})
		rc, bc := r10.CPU, b10.CPU
		sec.Rows = append(sec.Rows, Row{"CPU per lifecycle at 10/s (this process + Postgres, idle use left out)",
			fmt.Sprintf("%s + %s", ms(rc.Self/time.Duration(max(1, r10.Completed))), ms(rc.Postgres/time.Duration(max(1, r10.Completed)))),
			ms(bc.Self / time.Duration(max(1, b10.Completed))), fx(ratio(float64(rc.Self+rc.Postgres), float64(bc.Self+bc.Postgres))), "", ""})
	}
	var steps []string
	for _, s := range rect {
		a, p := s.WorstP95()
		steps = append(steps, fmt.Sprintf("%s→%s (worst p95 %s %s%s)", perSec(s.Rate), perSec(s.Achieved()), a, ms(p), failNote(s)))
	}
	sec.Notes = append(sec.Notes, "rectify ladder (offered→completed): "+joinComma(steps)+".")
	steps = steps[:0]
	for _, s := range bare {
		a, p := s.WorstP95()
		steps = append(steps, fmt.Sprintf("%s→%s (worst p95 %s %s%s)", perSec(s.Rate), perSec(s.Achieved()), a, ms(p), failNote(s)))
	}
	sec.Notes = append(sec.Notes, "", "Baseline ladder: "+joinComma(steps)+".")

	// What one happy-path ticket costs in Temporal: read its history.
	if r10 != nil {
		rc, err := historyCost(ctx, r.Env.TC, workflows.WorkflowID(NewRating("L3", r10.From, 1, time.Now()).ID))
		if err != nil {
			return sec, err
		}
		bc, err := historyCost(ctx, r.Env.TC, fmt.Sprintf("bare:L3-%08d", b10.From))
		if err != nil {
			return sec, err
		}
		sec.Rows = append(sec.Rows,
			Row{"history events per happy-path ticket", fmt.Sprint(rc.Events), fmt.Sprint(bc.Events), fx(ratio(float64(rc.Events), float64(bc.Events))), "keep low", ""},
			Row{"Temporal actions per ticket (≈ Cloud billing)", fmt.Sprint(rc.Actions()), fmt.Sprint(bc.Actions()), fx(ratio(float64(rc.Actions()), float64(bc.Actions()))), "keep low", ""},
		)
		sec.Notes = append(sec.Notes, "", "One happy-path ticket's history, by kind: rectify "+rc.String()+"; baseline "+bc.String()+
			". Actions counted as Temporal Cloud bills them: the start, each Update, each timer started, each search-attribute upsert, each activity, and local activities once per workflow task that ran any (their marker events are what history shows).",
			"", "rectify's events in order: "+compactSequence(rc.Sequence)+".")
	}
	return sec, nil
}

// compactSequence joins event names, folding runs of one name into name×n.
func compactSequence(seq []string) string {
	var out []string
	for i := 0; i < len(seq); {
		j := i
		for j < len(seq) && seq[j] == seq[i] {
			j++
		}
		name := strings.ToLower(seq[i])
		if j-i > 1 {
			name += fmt.Sprintf("×%d", j-i)
		}
		out = append(out, name)
		i = j
	}
	return strings.Join(out, ", ")
}

func failNote(s stepResult) string {
	n := ""
	if s.Dropped > 0 {
		n += fmt.Sprintf(", %d dropped", s.Dropped)
	}
	if s.Failed > 0 {
		n += fmt.Sprintf(", %d failed: %v", s.Failed, s.FirstErr)
	}
	return n
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// warm runs a few lifecycles of each kind one by one.
func (r *Runner) warm(ctx context.Context, lcs ...lifecycle) error {
	for _, lc := range lcs {
		for i := 0; i < 5; i++ {
			if err := lc(ctx, 9_000_000+i, func(string, time.Duration) {}); err != nil {
				return fmt.Errorf("warm-up: %w", err)
			}
		}
	}
	return nil
}

// cost is what one workflow's history holds.
type cost struct {
	Events, WorkflowTasks, Updates, Timers, Upserts, Activities, Markers, TasksWithMarkers int
	Sequence                                                                               []string
}

// Actions estimates Temporal Cloud's billable actions (see the section notes).
func (c cost) Actions() int {
	return 1 + c.Updates + c.Timers + c.Upserts + c.Activities + c.TasksWithMarkers
}

func (c cost) String() string {
	return fmt.Sprintf("%d events = %d workflow tasks, %d Updates, %d local-activity markers (in %d tasks), %d activities, %d timers, %d search-attribute upserts",
		c.Events, c.WorkflowTasks, c.Updates, c.Markers, c.TasksWithMarkers, c.Activities, c.Timers, c.Upserts)
}

// historyCost waits for the workflow to finish and counts its history's events.
func historyCost(ctx context.Context, tc client.Client, workflowID string) (cost, error) {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := tc.GetWorkflow(wctx, workflowID, "").Get(wctx, nil); err != nil {
		return cost{}, fmt.Errorf("waiting for %s: %w", workflowID, err)
	}
	var c cost
	markersInTask := false
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return c, err
		}
		c.Events++
		c.Sequence = append(c.Sequence, strings.TrimPrefix(e.GetEventType().String(), "EVENT_TYPE_"))
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			c.WorkflowTasks++
			markersInTask = false
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			c.Updates++
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			c.Timers++
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			c.Upserts++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			c.Activities++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			c.Markers++
			if !markersInTask {
				c.TasksWithMarkers++
				markersInTask = true
			}
		}
	}
	return c, nil
}
