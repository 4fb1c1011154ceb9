package bench

import (
	"bufio"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"rectify/prodshape"
	"rectify/store"
)

// shape is the production shape started for one scenario: a Temporal server
// process on Postgres (its own two fresh databases), `rectify migrate`, a
// `rectify server` process and `rectify worker` processes of the release build,
// all on a fresh rectify database and free ports.
type shape struct {
	r        *Runner
	bin      prodshape.Binaries
	temporal prodshape.Temporal
	tc       client.Client
	dbURL    string
	env      []string // the rectify processes' environment
	URL      string   // the API of `rectify server`
	Temporal *Proc
	Server   *Proc
	Workers  []*Proc
	pgDBs    map[string]string // Postgres database -> "rectify" or "temporal", for CPU
	cpuPool  *pgx.Conn
	closers  []func()
}

// startShape builds the three programs (quick after the first time: the Go build
// cache keeps them) and starts Temporal, migrate and `rectify server`; workers
// are added with addWorker.
func (r *Runner) startShape(ctx context.Context) (s *shape, err error) {
	s = &shape{r: r}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	dir := filepath.Join(r.Env.Dir, "prodshape")
	r.progress("prodshape: building rectify (release), the Temporal server and temporal-sql-tool")
	if s.bin, err = prodshape.Build(ctx, filepath.Join(dir, "bin")); err != nil {
		return s, err
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return s, err
	}
	dynamic, err := os.ReadFile(filepath.Join(root, "deploy", "temporal-dynamicconfig.yaml"))
	if err != nil {
		return s, err
	}
	pg, err := prodshape.ParsePostgres(r.Env.BaseDB)
	if err != nil {
		return s, err
	}
	port, err := prodshape.FreePortRun(9)
	if err != nil {
		return s, err
	}
	suffix := make([]byte, 5)
	_, _ = crand.Read(suffix)
	s.temporal = prodshape.Temporal{Postgres: pg, Database: "rectify_bench_temporal_" + hex.EncodeToString(suffix),
		Port: port, Dir: filepath.Join(dir, "temporal")}
	s.closers = append(s.closers, func() { dropDatabases(pg.URL("postgres"), s.temporal.Database, s.temporal.Database+"_visibility") })
	r.progress("prodshape: Temporal schemas in %s and %s_visibility", s.temporal.Database, s.temporal.Database)
	if err := s.temporal.SetupSchemas(ctx, s.bin); err != nil {
		return s, err
	}
	conf, err := s.temporal.WriteConfig(dynamic)
	if err != nil {
		return s, err
	}
	if s.Temporal, err = r.Env.startCmd("prodshape-temporal", s.temporal.Command(s.bin, conf)); err != nil {
		return s, err
	}
	s.closers = append(s.closers, s.Temporal.Stop)
	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := prodshape.WaitTCP(wctx, s.temporal.Address()); err != nil {
		return s, fmt.Errorf("%w (log: %s)", err, s.Temporal.LogPath)
	}

	_, dbURL, drop, err := store.OpenScratch(ctx, r.Env.BaseDB, "rectify_bench_prodshape_")
	if err != nil {
		return s, err
	}
	s.dbURL = dbURL
	s.closers = append(s.closers, drop)
	httpAddr, err := freeAddr()
	if err != nil {
		return s, err
	}
	s.URL = "http://" + httpAddr
	for k, v := range prodshape.RectifyEnv(dbURL, s.temporal.Address(), httpAddr, filepath.Join(dir, "rectify"), AdminToken) {
		s.env = append(s.env, k+"="+v)
	}
	r.progress("prodshape: rectify migrate (database, Temporal namespace and search attributes)")
	migrate := exec.CommandContext(wctx, s.bin.Rectify, "migrate")
	migrate.Env = append(os.Environ(), s.env...)
	if out, err := migrate.CombinedOutput(); err != nil {
		return s, fmt.Errorf("rectify migrate: %w\n%s\nTemporal server (exited: %v), last lines:\n%s", err, out, s.Temporal.Exited(), tail(s.Temporal.LogPath, 30))
	}
	// The server logs at warn (info would log every request); workers keep info
	// for their "polling" line, which says when a new one has joined.
	if s.Server, err = r.Env.startCmd("prodshape-server", exec.Command(s.bin.Rectify, "server"), append(s.env, "RECTIFY_LOG_LEVEL=warn")...); err != nil {
		return s, err
	}
	s.closers = append(s.closers, s.Server.Stop)
	if err := waitHealthy(ctx, s.URL); err != nil {
		return s, fmt.Errorf("rectify server process: %w (log: %s)", err, s.Server.LogPath)
	}
	if s.tc, err = client.DialContext(ctx, client.Options{HostPort: s.temporal.Address(), Namespace: "default",
		Logger: sdklog.NewStructuredLogger(r.Env.Log.With("component", "temporal-sdk"))}); err != nil {
		return s, err
	}
	s.closers = append(s.closers, s.tc.Close)

	s.pgDBs = map[string]string{s.temporal.Database: "temporal", s.temporal.Database + "_visibility": "temporal"}
	s.pgDBs[databaseName(dbURL)] = "rectify"
	if s.cpuPool, err = pgx.Connect(ctx, dbURL); err != nil {
		return s, err
	}
	s.closers = append(s.closers, func() { s.cpuPool.Close(context.Background()) })
	return s, nil
}

// addWorker starts one more `rectify worker` process and waits until it polls.
func (s *shape) addWorker(ctx context.Context) error {
	name := fmt.Sprintf("prodshape-worker%d", len(s.Workers)+1)
	w, err := s.r.Env.startCmd(name, exec.Command(s.bin.Rectify, "worker"), append(s.env, "RECTIFY_LOG_LEVEL=info")...)
	if err != nil {
		return err
	}
	s.Workers = append(s.Workers, w)
	s.closers = append(s.closers, w.Stop)
	return waitLogLine(ctx, w, "rectify worker polling", 90*time.Second)
}

// readCPU is the CPU every process of the shape has used so far: this process
// (load generator and the bare baseline's worker), the Temporal server, the
// rectify processes, and the Postgres backends of rectify's and Temporal's
// databases.
func (s *shape) readCPU(ctx context.Context) (CPU, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return CPU{}, err
	}
	c := CPU{Self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), Temporal: s.Temporal.CPU(), Rectify: s.Server.CPU()}
	for _, w := range s.Workers {
		c.Rectify += w.CPU()
	}
	names := make([]string, 0, len(s.pgDBs))
	for n := range s.pgDBs {
		names = append(names, n)
	}
	rows, err := s.cpuPool.Query(ctx, `SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1)`, names)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			pid int
			db  string
		)
		if err := rows.Scan(&pid, &db); err != nil {
			return c, err
		}
		if s.pgDBs[db] == "temporal" {
			c.TemporalPostgres += procCPU(pid)
		} else {
			c.Postgres += procCPU(pid)
		}
	}
	return c, rows.Err()
}

// Close stops the processes and drops the databases.
func (s *shape) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// ProdShape is scenario 6: the lifecycle ladder of scenario 3 against the
// production shape, with one and then two worker processes, beside the bare
// workflow ladder on the same Temporal server.
func (r *Runner) ProdShape(ctx context.Context) (Section, error) {
	sec := Section{Key: "prodshape", Title: "Ticket lifecycle on the production shape"}
	s, err := r.startShape(ctx)
	if err != nil {
		return sec, err
	}
	defer s.Close()
	if err := s.addWorker(ctx); err != nil {
		return sec, err
	}
	c := NewClient(s.URL, 128)
	toks, err := SetUp(ctx, c)
	if err != nil {
		return sec, err
	}
	const bareQueue = "bench-bare"
	bw := sdkworker.New(s.tc, bareQueue, sdkworker.Options{})
	bw.RegisterWorkflow(BareLifecycle)
	if err := bw.Start(); err != nil {
		return sec, err
	}
	defer bw.Stop()

	bl, r1, r2 := bareLifecycle(s.tc, bareQueue, "P0"), rectifyLifecycle(c, toks, "P1"), rectifyLifecycle(c, toks, "P2")
	if err := r.warm(ctx, r1, bl); err != nil {
		return sec, err
	}
	cpu := func() CPU { c, _ := s.readCPU(ctx); return c }
	idle1, err := idleCPU(ctx, s.readCPU, 3*time.Second)
	if err != nil {
		return sec, err
	}
	r.progress("prodshape: baseline (bare workflow) ladder")
	bare := r.ladder(ctx, "bare", bl, cpu, idle1)
	r.progress("prodshape: rectify ladder, 1 worker process")
	rect1 := r.ladder(ctx, "rectify, 1 worker", r1, cpu, idle1)
	// Capacity, closed loop: the ladders stop where latency breaks, which on a
	// loaded machine can be below what the shape completes when pushed.
	closed := time.Duration(r.size(20, 3)) * time.Second
	push := func(name string, lc lifecycle, from int) (closedRun, error) {
		// A lifecycle that fails (a stall of the shared machine past a client's
		// deadline) is counted, not fatal: the figure is what completed.
		var failed atomic.Int64
		var firstErr atomic.Value
		tolerant := func(ctx context.Context, i int, rec func(string, time.Duration)) error {
			if err := lc(ctx, i, rec); err != nil && ctx.Err() == nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
			return ctx.Err()
		}
		done, el, whole, err := closedFor(ctx, scaleClients, closed, from, tolerant)
		if err != nil {
			return closedRun{}, fmt.Errorf("%s, closed loop: %w", name, err)
		}
		q := whole.Quantiles(0.5, 0.95)
		cr := closedRun{float64(done-int(failed.Load())) / el.Seconds(), q[0], q[1], int(failed.Load())}
		r.progress("prodshape: %s, %d clients back to back: %.1f lifecycles/s, p95 %s, %d failed (%v)", name, scaleClients, cr.rate, ms(cr.p95), cr.failed, firstErr.Load())
		return cr, nil
	}
	bareC1, err := push("bare", bl, 1_000_000)
	if err != nil {
		return sec, err
	}
	rectC1, err := push("rectify, 1 worker", r1, 1_000_000)
	if err != nil {
		return sec, err
	}

	if err := s.addWorker(ctx); err != nil {
		return sec, err
	}
	if err := r.warm(ctx, r2); err != nil {
		return sec, err
	}
	idle2, err := idleCPU(ctx, s.readCPU, 3*time.Second)
	if err != nil {
		return sec, err
	}
	r.progress("prodshape: rectify ladder, 2 worker processes")
	rect2 := r.ladder(ctx, "rectify, 2 workers", r2, cpu, idle2)
	rectC2, err := push("rectify, 2 workers", r2, 1_000_000)
	if err != nil {
		return sec, err
	}
	bareC2, err := push("bare", bl, 2_000_000)
	if err != nil {
		return sec, err
	}
	for _, p := range append([]*Proc{s.Temporal, s.Server}, s.Workers...) {
		if p.Exited() {
			return sec, fmt.Errorf("%s exited during the run (log: %s)", p.Name, p.LogPath)
		}
	}

	sec.Setup = []string{
		"The production shape as `make prod-local` and the production-shape test run it (package prodshape): a Temporal server built from the pinned `go.temporal.io/server` module, as its own process on Postgres (two fresh databases, schemas from the module, deploy/temporal-dynamicconfig.yaml), `rectify migrate`, a `rectify server` process and `rectify worker` processes of the release build, on a fresh rectify database. Postgres is the machine's shared server, and every process shares its 2 cores.",
		"rectify: the lifecycle of the section above (`POST /api/v1/ratings`, then `sign`, `resolve`, `log_call`, each over HTTP as soon as the last answered; the ticket must end `closed`), first with one worker process, then with a second one started beside it (new ticket numbers, same database).",
		"Baseline: the bare workflow of the section above on this same Temporal server, started by the benchmark process and sent the same three Updates; its worker runs inside the benchmark process (default SDK options), not as a process of its own.",
		"CPU per lifecycle: every process of the shape (from getrusage and /proc/<pid>/stat) and the Postgres backends of rectify's and Temporal's databases, less what they use idle (" + idle1.shapeShare() + " with one worker, " + idle2.shapeShare() + " with two). The benchmark process (load generator, and the baseline's worker) is counted in the totals.",
		fmt.Sprintf("Capacity: %d clients running lifecycles back to back for %s (closed loop, no latency limit), rectify with one worker beside the baseline run just before it, with two workers beside the baseline run just after it.", scaleClients, closed),
		fmt.Sprintf("Ladders as in the section above: open-loop arrivals at rising rates, %s per step, at most 64 lifecycles in flight; a step holds when all complete, ≥ 90%% of the offered rate, every action's p95 < %s. The order is baseline ladder, one-worker ladder, capacity of the baseline and of one worker; second worker started; two-worker ladder, capacity of two workers and of the baseline again.", r.stepDur(), breakP95),
	}
	b10, bBest, bHeld := summary(bare)
	for _, x := range []struct {
		label        string
		steps        []stepResult
		cap, capBase closedRun
	}{{"1 worker process", rect1, rectC1, bareC1}, {"2 worker processes", rect2, rectC2, bareC2}} {
		at10, best, held := summary(x.steps)
		sec.Rows = append(sec.Rows,
			Row{x.label + fmt.Sprintf(": capacity, %d clients back to back", scaleClients), x.cap.String(), x.capBase.String(), fx(ratio(x.cap.rate, x.capBase.rate)), "≥ 0.80×", met(ratio(x.cap.rate, x.capBase.rate) >= 0.8)},
			Row{x.label + ": best completed lifecycles/s in the ladder", perSec(best), perSec(bBest), fx(ratio(best, bBest)), "", ""},
			Row{x.label + ": highest offered rate held", perSec(held), perSec(bHeld), fx(ratio(held, bHeld)), "", ""})
		if at10 == nil || b10 == nil {
			continue
		}
		a, p := at10.WorstP95()
		_, bp := b10.WorstP95()
		sec.Rows = append(sec.Rows, Row{x.label + ": worst action p95 at 10/s (" + a + ")", ms(p), ms(bp), fx(ratio(float64(p), float64(bp))), "< 50 ms", met(p < 50*time.Millisecond)})
		rw, bw := at10.Whole.Quantiles(0.5, 0.95), b10.Whole.Quantiles(0.5, 0.95)
		sec.Rows = append(sec.Rows, Row{x.label + ": p95 of a whole lifecycle at 10/s", ms(rw[1]) + " (p50 " + ms(rw[0]) + ")",
			ms(bw[1]) + " (p50 " + ms(bw[0]) + ")", fx(ratio(float64(rw[1]), float64(bw[1]))), "", ""})
		rc, bc := at10.CPU.per(at10.Completed), b10.CPU.per(b10.Completed)
		sec.Rows = append(sec.Rows,
			Row{x.label + ": CPU per lifecycle at 10/s, all processes", ms(rc.Total()), ms(bc.Total()), fx(ratio(float64(rc.Total()), float64(bc.Total()))), "", ""},
			Row{x.label + ": of which Temporal server + its Postgres", ms(rc.Temporal) + " + " + ms(rc.TemporalPostgres),
				ms(bc.Temporal) + " + " + ms(bc.TemporalPostgres), fx(ratio(float64(rc.Temporal+rc.TemporalPostgres), float64(bc.Temporal+bc.TemporalPostgres))), "", ""},
			Row{x.label + ": of which rectify processes + rectify's Postgres", ms(rc.Rectify) + " + " + ms(rc.Postgres), "", "", "", ""},
		)
	}
	for _, x := range []struct {
		label string
		steps []stepResult
	}{{"rectify, 1 worker process", rect1}, {"rectify, 2 worker processes", rect2}, {"Baseline", bare}} {
		var steps []string
		for _, st := range x.steps {
			a, p := st.WorstP95()
			steps = append(steps, fmt.Sprintf("%s→%s (worst p95 %s %s%s)", perSec(st.Rate), perSec(st.Achieved()), a, ms(p), failNote(st)))
		}
		if len(sec.Notes) > 0 {
			sec.Notes = append(sec.Notes, "")
		}
		sec.Notes = append(sec.Notes, x.label+" ladder (offered→completed): "+joinComma(steps)+".")
	}
	if r10, _, _ := summary(rect1); r10 != nil && r10.Completed > 0 {
		c := r10.CPU.per(r10.Completed)
		sec.Notes = append(sec.Notes, "", fmt.Sprintf("Sizing from the 10/s step with one worker: a happy-path ticket cost the Temporal server %s of CPU and Temporal's Postgres %s, so one core each carries about %.0f and %.0f such tickets a second; rectify's own processes and database took %s.",
			ms(c.Temporal), ms(c.TemporalPostgres), perCore(c.Temporal), perCore(c.TemporalPostgres), ms(c.Rectify+c.Postgres)))
	}
	return sec, nil
}

// closedRun is one closed-loop capacity run.
type closedRun struct {
	rate     float64
	p50, p95 time.Duration
	failed   int
}

// String renders the rate with its p95 and failures.
func (c closedRun) String() string {
	s := perSec(c.rate) + " (p95 " + ms(c.p95)
	if c.failed > 0 {
		s += fmt.Sprintf(", %d failed", c.failed)
	}
	return s + ")"
}

// summary is ladderSummary with the step at 10/s first.
func summary(steps []stepResult) (at10 *stepResult, best, held float64) {
	best, held, at10 = ladderSummary(steps)
	return at10, best, held
}

// per divides every part of c by n (at least 1).
func (c CPU) per(n int) CPU {
	d := time.Duration(max(1, n))
	return CPU{c.Self / d, c.Postgres / d, c.Temporal / d, c.TemporalPostgres / d, c.Rectify / d}
}

// shapeShare renders idle CPU per second of the production shape's processes.
func (c CPU) shapeShare() string {
	return fmt.Sprintf("Temporal %.0f%%, its Postgres %.0f%%, rectify %.0f%%, rectify's Postgres %.0f%%, benchmark process %.0f%% of a core",
		100*c.Temporal.Seconds(), 100*c.TemporalPostgres.Seconds(), 100*c.Rectify.Seconds(), 100*c.Postgres.Seconds(), 100*c.Self.Seconds())
}

// perCore is how many items a second one core does at d of CPU each.
func perCore(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(time.Second) / float64(d)
}

// moduleRoot is the folder of rectify's go.mod (the benchmark runs from the
// repository, as `make bench` does).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(out))
	if err != nil || mod == "" || mod == os.DevNull {
		return "", errors.New("prodshape: run the benchmark inside the rectify repository (it builds the shape's programs with go build)")
	}
	return filepath.Dir(mod), nil
}

// waitLogLine waits until the process's log holds want.
func waitLogLine(ctx context.Context, p *Proc, want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if f, err := os.Open(p.LogPath); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			found := false
			for sc.Scan() && !found {
				found = strings.Contains(sc.Text(), want)
			}
			f.Close()
			if found {
				return nil
			}
		}
		if p.Exited() {
			return fmt.Errorf("%s exited (log: %s)", p.Name, p.LogPath)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no %q in its log after %s (log: %s)", p.Name, want, timeout, p.LogPath)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func dropDatabases(adminURL string, names ...string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	for _, n := range names {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}

// tail is the last n lines of the file at path.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// databaseName is the database of a postgres:// URL.
func databaseName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}
