package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
)

const (
	openClients      = 4  // concurrent batch requests while opening tickets
	openBareClients  = 16 // concurrent starts of the bare baseline
	actionSamples    = 40 // actions timed on evicted and on cached tickets
	quickStickyCache = 100
)

// Open is scenario 4: many tickets open at once, waiting for their department to
// sign. The API and the worker run as child processes (`rectify server`, `rectify
// worker`) so that /proc/<pid>/status shows each one's own memory.
func (r *Runner) Open(ctx context.Context) (Section, error) {
	sec := Section{Key: "open", Title: "Open tickets"}
	n := r.Opts.OpenTickets
	if n <= 0 {
		n = r.size(100_000, 500)
	}
	bs := min(batchSize, max(1, n/openClients))
	n = (n + bs - 1) / bs * bs
	cache := 0 // the configured default
	if r.Opts.Quick {
		cache = quickStickyCache // so that the quick run also evicts
	}
	sys, err := r.Env.StartSystem(ctx, SystemOptions{Name: "open", WorkerProcs: 1, ServerProc: true, StickyCache: cache})
	if err != nil {
		return sec, err
	}
	defer sys.Close()
	cacheSize := sys.App.Config.Temporal.StickyCacheSize
	c := NewClient(sys.URL, openClients*2)
	toks, err := SetUp(ctx, c)
	if err != nil {
		return sec, err
	}

	// Baseline: how fast this Temporal server opens bare workflows that run one
	// local activity and wait.
	k := r.size(5000, 200)
	bareQueue := sys.TaskQueue + "-bare"
	bw := sdkworker.New(r.Env.TC, bareQueue, sdkworker.Options{})
	bw.RegisterWorkflow(BareOpen)
	if err := bw.Start(); err != nil {
		return sec, err
	}
	defer bw.Stop()
	before := bareOpened.Load()
	bareStart := time.Now()
	if _, err := closedLoop(ctx, openBareClients, 0, k, func(ctx context.Context, i int) error {
		_, err := r.Env.TC.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bare-open:%08d", i), TaskQueue: bareQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, BareOpen)
		return err
	}); err != nil {
		return sec, err
	}
	for bareOpened.Load()-before < int64(k) {
		if time.Since(bareStart) > 10*time.Minute {
			return sec, fmt.Errorf("open: bare workflows did not all run their first task")
		}
		time.Sleep(20 * time.Millisecond)
	}
	bareT := time.Since(bareStart)
	bw.Stop()
	r.progress("open: baseline opened %d bare workflows in %s (%.0f/s)", k, bareT.Round(time.Millisecond), float64(k)/bareT.Seconds())

	// rectify: negative ratings in batches of 1000; a ticket is open when its
	// workflow has written it (workflow_started).
	now := time.Now()
	batches := n / bs
	r.progress("open: opening %d tickets (%d batches of %d, %d concurrent)", n, batches, bs, openClients)
	start := time.Now()
	_, err = closedLoop(ctx, openClients, 0, batches, func(ctx context.Context, b int) error {
		batch := make([]Rating, bs)
		for j := range batch {
			batch[j] = NewRating("O4", b*bs+j, 1, now)
		}
		body, _ := json.Marshal(map[string]any{"ratings": batch})
		var out struct {
			Results []struct {
				Status int `json:"status"`
			} `json:"results"`
		}
		if err := c.Do(ctx, "POST", "/api/v1/ratings/batch", toks.Channel, body, http.StatusOK, &out); err != nil {
			return err
		}
		for _, res := range out.Results {
			if res.Status != http.StatusCreated {
				return fmt.Errorf("batch %d: an item answered %d", b, res.Status)
			}
		}
		if (b+1)%10 == 0 {
			r.progress("open: %d ratings stored (%s)", (b+1)*bs, time.Since(start).Round(time.Second))
		}
		return nil
	})
	if err != nil {
		return sec, err
	}
	stored := time.Since(start)
	last, lastAt := -1, time.Now()
	for {
		var waiting int
		if err := sys.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE NOT workflow_started`).Scan(&waiting); err != nil {
			return sec, err
		}
		if waiting == 0 {
			break
		}
		if waiting != last {
			last, lastAt = waiting, time.Now()
			r.progress("open: %d tickets still waiting for their workflow's first write", waiting)
		} else if time.Since(lastAt) > 2*time.Minute {
			return sec, fmt.Errorf("open: %d tickets made no progress for 2 minutes", waiting)
		}
		if p := sys.Workers[0]; p.Exited() {
			return sec, fmt.Errorf("open: the worker process died (log: %s)", p.LogPath)
		}
		select {
		case <-ctx.Done():
			return sec, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	openT := time.Since(start)
	var opened int
	if err := sys.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE status = 'awaiting_sign'`).Scan(&opened); err != nil {
		return sec, err
	}
	if opened != n {
		return sec, fmt.Errorf("open: %d tickets awaiting_sign, want %d", opened, n)
	}
	r.progress("open: %d tickets open in %s (%.0f/s)", n, openT.Round(time.Second), float64(n)/openT.Seconds())
	wRSS, wPeak, err := sys.Workers[0].Memory()
	if err != nil {
		return sec, err
	}
	sRSS, sPeak, err := sys.Server.Memory()
	if err != nil {
		return sec, err
	}
	tRSS, _, _ := SelfMemory()

	// One action on tickets the worker still caches (the last written) and on
	// tickets it evicted long ago (the first written).
	numbers := func(order string) ([]string, error) {
		rows, err := sys.Store.Pool().Query(ctx, `SELECT number FROM tickets ORDER BY `+order+` LIMIT $1`, actionSamples)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var ns []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return nil, err
			}
			ns = append(ns, s)
		}
		return ns, rows.Err()
	}
	recent, err := numbers("updated_at DESC")
	if err != nil {
		return sec, err
	}
	oldest, err := numbers("updated_at ASC")
	if err != nil {
		return sec, err
	}
	sign := func(nums []string) (*Latencies, error) {
		l := &Latencies{}
		for _, num := range nums {
			t0 := time.Now()
			if err := c.Do(ctx, "POST", "/api/v1/tickets/"+num+"/sign", toks.Department, []byte(`{}`), http.StatusOK, nil); err != nil {
				return nil, err
			}
			l.Since(t0)
		}
		return l, nil
	}
	cached, err := sign(recent)
	if err != nil {
		return sec, err
	}
	evicted, err := sign(oldest)
	if err != nil {
		return sec, err
	}
	wRSS2, wPeak2, _ := sys.Workers[0].Memory()
	cq, eq := cached.Quantiles(0.5, 0.95), evicted.Quantiles(0.5, 0.95)
	rectRate, bareRate := float64(n)/openT.Seconds(), float64(k)/bareT.Seconds()

	sec.Setup = []string{
		fmt.Sprintf("%d negative ratings (each opens a ticket dispatched to a registered department, which then waits to be signed) sent as `POST /api/v1/ratings/batch` of %d from %d concurrent clients to a `rectify server` child process; one `rectify worker` child process with a workflow cache of %d. Opened = every ticket written by its workflow's first task (`workflow_started`).", n, bs, openClients, cacheSize),
		fmt.Sprintf("Baseline for opening: %d bare workflows started by %d concurrent clients on the same Temporal server, each running one local activity in its first task and then waiting.", k, openBareClients),
		"Memory is VmRSS (and peak, VmHWM) read from /proc/<pid>/status of the worker and server processes once every ticket is open; the Temporal server runs in the benchmark process, whose figure includes the load generator.",
		fmt.Sprintf("Action cost: `sign` on %d tickets the worker wrote last (still in its cache) and then on the %d it wrote first (evicted long ago), one at a time.", actionSamples, actionSamples),
	}
	sec.Rows = []Row{
		{"tickets opened/s", perSec(rectRate), perSec(bareRate) + " (bare workflows)", fx(ratio(rectRate, bareRate)), "", ""},
		{fmt.Sprintf("time to open %d tickets", n), openT.Round(time.Second).String() + fmt.Sprintf(" (ratings stored in %s)", stored.Round(time.Second)),
			time.Duration(float64(n)/bareRate*float64(time.Second)).Round(time.Second).String() + " (extrapolated)", "", "", ""},
		{"worker RSS after opening", mib(wRSS) + " (peak " + mib(wPeak) + ")", "", "", "< 1 GiB", met(wPeak < 1<<30)},
		{"worker RSS after the actions", mib(wRSS2) + " (peak " + mib(wPeak2) + ")", "", "", "< 1 GiB", met(wPeak2 < 1<<30)},
		{"server RSS after opening", mib(sRSS) + " (peak " + mib(sPeak) + ")", "", "", "", ""},
		{"benchmark process RSS (Temporal server + load generator)", mib(tRSS), "", "", "", ""},
		{"`sign` on an evicted ticket, p50 / p95", ms(eq[0]) + " / " + ms(eq[1]), ms(cq[0]) + " / " + ms(cq[1]) + " (cached ticket)", fx(ratio(float64(eq[0]), float64(cq[0]))) + " (p50)", "", ""},
	}
	return sec, nil
}
