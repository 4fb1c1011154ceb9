package bench

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"
)

func TestCPUPartsSubtractAndDivide(t *testing.T) {
	ms := time.Millisecond
	c := CPU{Self: 10 * ms, Postgres: 20 * ms, Temporal: 30 * ms, TemporalPostgres: 40 * ms, Rectify: 50 * ms}
	if got := c.Sub(CPU{1 * ms, 2 * ms, 3 * ms, 4 * ms, 5 * ms}); got != (CPU{9 * ms, 18 * ms, 27 * ms, 36 * ms, 45 * ms}) {
		t.Errorf("Sub = %+v", got)
	}
	if got := c.Total(); got != 150*ms {
		t.Errorf("Total = %s, want 150ms", got)
	}
	if got := c.per(10); got != (CPU{1 * ms, 2 * ms, 3 * ms, 4 * ms, 5 * ms}) {
		t.Errorf("per(10) = %+v", got)
	}
	// Idle use per second over 2 s comes off every part, never below zero.
	idle := CPU{Self: 1 * ms, Postgres: 20 * ms, Temporal: 5 * ms, TemporalPostgres: 0, Rectify: 10 * ms}
	if got := c.minusIdle(idle, 2*time.Second); got != (CPU{8 * ms, 0, 20 * ms, 40 * ms, 30 * ms}) {
		t.Errorf("minusIdle = %+v", got)
	}
}

// The prodshape scenario's machinery: the shape comes up as processes (Temporal
// on Postgres, migrate, server), a second worker process really serves the task
// queue (with the first stopped, lifecycles still close), CPU is attributed to
// each process and database, and closing drops Temporal's databases.
func TestProdShapeRunsLifecyclesOnItsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, BaseDatabaseURL())
	if err != nil {
		t.Skipf("no Postgres: %v", err)
	}
	defer admin.Close(ctx)
	r := &Runner{Env: &Env{Dir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseDB: BaseDatabaseURL()}}
	s, err := r.startShape(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	for range 2 {
		if err := s.addWorker(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c := NewClient(s.URL, 8)
	toks, err := SetUp(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	bw := sdkworker.New(s.tc, "bench-bare", sdkworker.Options{})
	bw.RegisterWorkflow(BareLifecycle)
	if err := bw.Start(); err != nil {
		t.Fatal(err)
	}
	defer bw.Stop()

	before, err := s.readCPU(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rl, bl := rectifyLifecycle(c, toks, "T"), bareLifecycle(s.tc, "bench-bare", "T")
	for i := range 3 {
		if err := rl(ctx, i, func(string, time.Duration) {}); err != nil {
			t.Fatalf("rectify lifecycle %d: %v", i, err)
		}
		if err := bl(ctx, i, func(string, time.Duration) {}); err != nil {
			t.Fatalf("bare lifecycle %d: %v", i, err)
		}
	}
	after, err := s.readCPU(ctx)
	if err != nil {
		t.Fatal(err)
	}
	used := after.Sub(before)
	if used.Temporal <= 0 || used.TemporalPostgres <= 0 || used.Rectify <= 0 || used.Postgres <= 0 {
		t.Errorf("CPU not seen in every part of the shape: %+v", used)
	}

	s.Workers[0].Stop()
	for i := 3; i < 5; i++ {
		if err := rl(ctx, i, func(string, time.Duration) {}); err != nil {
			t.Fatalf("with worker 1 stopped, lifecycle %d: %v (worker 2 log: %s)", i, err, s.Workers[1].LogPath)
		}
	}

	db := s.temporal.Database
	s.Close()
	closed = true
	var left int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname IN ($1, $2)`, db, db+"_visibility").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d of Temporal's databases left after Close", left)
	}
}
