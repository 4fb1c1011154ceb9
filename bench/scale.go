package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

const scaleClients = 16

// closedFor runs lifecycles back to back on conc goroutines for dur and counts the
// completed ones; the first failure stops it.
func closedFor(ctx context.Context, conc int, dur time.Duration, from int, lc lifecycle) (done int, elapsed time.Duration, whole *Latencies, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	whole = &Latencies{}
	var (
		next    atomic.Int64
		n       atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
	)
	next.Store(int64(from))
	start := time.Now()
	stop := start.Add(dur)
	for g := 0; g < conc; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(stop) {
				i := int(next.Add(1) - 1)
				t0 := time.Now()
				if e := lc(ctx, i, func(string, time.Duration) {}); e != nil {
					errOnce.Do(func() { err = e; cancel() })
					return
				}
				whole.Since(t0)
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(n.Load()), time.Since(start), whole, err
}

// Scale is scenario 5: the lifecycle load with 1, 2 and 4 `rectify worker`
// processes on one task queue, the API in this process.
func (r *Runner) Scale(ctx context.Context) (Section, error) {
	sec := Section{Key: "scale", Title: "Horizontal scale, simulated"}
	dur := time.Duration(r.size(20, 3)) * time.Second
	type result struct {
		workers int
		rate    float64
		p50     time.Duration
		p95     time.Duration
	}
	var results []result
	for _, n := range []int{1, 2, 4} {
		res, err := func() (result, error) {
			sys, err := r.Env.StartSystem(ctx, SystemOptions{Name: fmt.Sprintf("scale%d", n), WorkerProcs: n})
			if err != nil {
				return result{}, err
			}
			defer sys.Close()
			c := NewClient(sys.URL, scaleClients*2)
			toks, err := SetUp(ctx, c)
			if err != nil {
				return result{}, err
			}
			lc := rectifyLifecycle(c, toks, fmt.Sprintf("S%d", n))
			if err := r.warm(ctx, lc); err != nil {
				return result{}, err
			}
			done, elapsed, whole, err := closedFor(ctx, scaleClients, dur, 0, lc)
			if err != nil {
				return result{}, err
			}
			q := whole.Quantiles(0.5, 0.95)
			res := result{n, float64(done) / elapsed.Seconds(), q[0], q[1]}
			r.progress("scale: %d worker process(es): %.1f lifecycles/s, p95 %s", n, res.rate, ms(res.p95))
			return res, nil
		}()
		if err != nil {
			return sec, err
		}
		results = append(results, res)
	}
	sec.Setup = []string{
		fmt.Sprintf("The lifecycle of the previous section (rating, sign, resolve, log_call) run back to back by %d concurrent simulated staff for %s, against the API in the benchmark process, with N `rectify worker` child processes polling one task queue (and no worker in the API process).", scaleClients, dur),
		"Baseline: the same load with one worker process. Ratio = lifecycles/s with N workers over lifecycles/s with one.",
		fmt.Sprintf("On this machine (%d cores shared by the Temporal server, Postgres, the API, the load generator and every worker) extra workers cannot add CPU, so this is not the speed-up a cluster of machines would get: a ratio below 1 is the overhead of more processes (pollers, caches, sticky-queue misses); a ratio above 1 means one worker process was held back by something other than CPU (its own concurrency limits), or is noise: the three loads run one after another on a shared machine.", numCPU()),
	}
	base := results[0]
	for _, res := range results {
		sec.Rows = append(sec.Rows, Row{fmt.Sprintf("%d worker process(es): lifecycles/s", res.workers), perSec(res.rate),
			perSec(base.rate), fx(ratio(res.rate, base.rate)), "", ""})
	}
	for _, res := range results {
		sec.Rows = append(sec.Rows, Row{fmt.Sprintf("%d worker process(es): lifecycle p95", res.workers),
			ms(res.p95) + " (p50 " + ms(res.p50) + ")", ms(base.p95), fx(ratio(float64(res.p95), float64(base.p95))), "", ""})
	}
	return sec, nil
}
