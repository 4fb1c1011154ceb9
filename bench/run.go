// Package bench is rectify's load benchmark: it starts a whole system itself (a
// fresh Postgres database, the in-process Temporal server, the worker and the HTTP
// API), drives it like its users would, and measures each figure next to a baseline
// taken in the same run: what the same machine does with a plain pgx program, with
// COPY, or with a bare Temporal workflow. Ratios, not absolute numbers, are judged,
// because the machine is shared and noisy.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options sizes a run.
type Options struct {
	Quick       bool      // small sizes for CI smoke runs (well under 2 minutes)
	OpenTickets int       // scenario 4's ticket count; 0: 100,000 (quick: 500)
	Progress    io.Writer // progress lines; nil: discarded
	Log         *slog.Logger
	RectifyBin  string // the rectify binary for child processes
}

// Scenario is one benchmark that can run alone.
type Scenario struct {
	Key   string
	Title string
	Run   func(r *Runner, ctx context.Context) (Section, error)
}

// Scenarios in the order a full run takes them: the big open-tickets scenario
// last, so that its load does not linger under the others.
var Scenarios = []Scenario{
	{"ingest", "Ingestion, one rating per request", (*Runner).Ingest},
	{"batch", "Ingestion, batches of 1000", (*Runner).Batch},
	{"lifecycle", "Ticket lifecycle", (*Runner).Lifecycle},
	{"scale", "Horizontal scale, simulated", (*Runner).Scale},
	{"prodshape", "Ticket lifecycle on the production shape", (*Runner).ProdShape},
	{"open", "Open tickets", (*Runner).Open},
}

// Runner runs scenarios in one Env.
type Runner struct {
	Env  *Env
	Opts Options
}

func (r *Runner) progress(format string, args ...any) {
	if r.Opts.Progress != nil {
		fmt.Fprintf(r.Opts.Progress, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
}

// size picks the full or the quick figure.
func (r *Runner) size(full, quick int) int {
	if r.Opts.Quick {
		return quick
	}
	return full
}

// closedLoop runs fn(i) for i in [from, from+n) on conc goroutines, each starting
// the next call as soon as its last returns, and stops at the first error.
func closedLoop(ctx context.Context, conc, from, n int, fn func(ctx context.Context, i int) error) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	next.Store(int64(from))
	start := time.Now()
	for g := 0; g < conc; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= from+n {
					return
				}
				if err := fn(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return time.Since(start), firstErr
}

// RunScenarios runs the named scenarios (all when keys is empty) in the canonical
// order; after each it calls done with its section, so results are kept as they come.
func (r *Runner) RunScenarios(ctx context.Context, keys []string, done func(Section) error) error {
	want := map[string]bool{}
	for _, k := range keys {
		found := false
		for _, s := range Scenarios {
			found = found || s.Key == k
		}
		if !found {
			return fmt.Errorf("unknown scenario %q", k)
		}
		want[k] = true
	}
	for _, s := range Scenarios {
		if len(want) > 0 && !want[s.Key] {
			continue
		}
		r.progress("== %s: %s", s.Key, s.Title)
		start := time.Now()
		sec, err := s.Run(r, ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Key, err)
		}
		sec.Elapsed = time.Since(start)
		if err := done(sec); err != nil {
			return err
		}
	}
	return nil
}
