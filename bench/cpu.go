package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// CPU is processor time used, split between this process (API, in-process worker,
// Temporal server, load generator) and the Postgres backends serving the
// benchmark's database. Background Postgres processes (WAL writer, checkpointer)
// and other databases are left out. The production-shape scenario, whose
// Temporal server and rectify run as processes of their own, also fills the
// last three.
type CPU struct {
	Self, Postgres   time.Duration
	Temporal         time.Duration // the Temporal server process
	TemporalPostgres time.Duration // Postgres backends of Temporal's two databases
	Rectify          time.Duration // `rectify server` and `rectify worker` processes
}

// Sub is c minus o.
func (c CPU) Sub(o CPU) CPU {
	return CPU{c.Self - o.Self, c.Postgres - o.Postgres, c.Temporal - o.Temporal,
		c.TemporalPostgres - o.TemporalPostgres, c.Rectify - o.Rectify}
}

// Total is all of it.
func (c CPU) Total() time.Duration {
	return c.Self + c.Postgres + c.Temporal + c.TemporalPostgres + c.Rectify
}

// ReadCPU measures CPU used so far; pool is any pool on the benchmark database.
func ReadCPU(ctx context.Context, pool *pgxpool.Pool) (CPU, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return CPU{}, err
	}
	c := CPU{Self: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	rows, err := pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return c, err
		}
		c.Postgres += procCPU(pid)
	}
	return c, rows.Err()
}

// procCPU reads utime+stime of a process (0 if it is gone or unreadable).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	// Fields after the command (which may hold spaces) start after the last ')'.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// perItem renders CPU per n items as "self + postgres".
func (c CPU) perItem(n int, unit string) string {
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)/float64(n))
	}
	return fmt.Sprintf("%s + %s per %s", per(c.Self), per(c.Postgres), unit)
}

// IdleCPU measures the CPU the system uses doing nothing for d (Temporal's
// background work, pollers, outbox loops), per second, so that per-item figures
// can leave it out.
func IdleCPU(ctx context.Context, pool *pgxpool.Pool, d time.Duration) (CPU, error) {
	return idleCPU(ctx, func(ctx context.Context) (CPU, error) { return ReadCPU(ctx, pool) }, d)
}

// idleCPU is IdleCPU with any reader of CPU used so far.
func idleCPU(ctx context.Context, read func(context.Context) (CPU, error), d time.Duration) (CPU, error) {
	before, err := read(ctx)
	if err != nil {
		return CPU{}, err
	}
	start := time.Now()
	select {
	case <-ctx.Done():
		return CPU{}, ctx.Err()
	case <-time.After(d):
	}
	after, err := read(ctx)
	if err != nil {
		return CPU{}, err
	}
	return perSecond(after.Sub(before), time.Since(start)), nil
}

// perSecond divides every part of c by d in seconds.
func perSecond(c CPU, d time.Duration) CPU {
	f := func(x time.Duration) time.Duration { return time.Duration(float64(x) / d.Seconds()) }
	return CPU{f(c.Self), f(c.Postgres), f(c.Temporal), f(c.TemporalPostgres), f(c.Rectify)}
}

// minusIdle takes idle (per second) times elapsed out of c, never below zero.
func (c CPU) minusIdle(idle CPU, elapsed time.Duration) CPU {
	s := elapsed.Seconds()
	sub := func(a, b time.Duration) time.Duration { return max(0, a-time.Duration(float64(b)*s)) }
	return CPU{sub(c.Self, idle.Self), sub(c.Postgres, idle.Postgres), sub(c.Temporal, idle.Temporal),
		sub(c.TemporalPostgres, idle.TemporalPostgres), sub(c.Rectify, idle.Rectify)}
}

// share renders idle CPU per second as a fraction of one core.
func (c CPU) share() string {
	return fmt.Sprintf("%.0f%% + %.0f%% of a core", 100*c.Self.Seconds(), 100*c.Postgres.Seconds())
}
