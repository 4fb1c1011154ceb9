package topics_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
	"rectify/topics"
)

// TestDrainProfile is the drainer's profile (issue 20): RECTIFY_TOPICS_PROFILE=N
// queues N commented ratings of today (300 departments, the hand-written
// comments) and drains them in one Drain, printing the time each statement took
// in Postgres, as the client saw it, and the rollup rows written. Off by default.
// Run with -cpuprofile for the Go side.
func TestDrainProfile(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RECTIFY_TOPICS_PROFILE"))
	if n <= 0 {
		t.Skip("set RECTIFY_TOPICS_PROFILE=<ratings> to profile a drain")
	}
	st, url := testdb.NewWithURL(t)
	ctx := context.Background()
	comments := readComments(t)
	topics.Default.Terms("预热") // the dictionary loads outside the timing
	rating := func(j int) store.NewRating {
		c := comments[j%len(comments)]
		id := fmt.Sprintf("P%d", j)
		h := sha256.Sum256([]byte(id))
		dept := fmt.Sprintf("D%03d", j%300)
		return store.NewRating{BodyHash: h[:], Rating: domain.Rating{ID: id, Channel: domain.ChannelHall,
			Level: c.level, Negative: c.level.Negative(), RatedAt: time.Now(), DepartmentCode: dept,
			Service: domain.Service{ServiceItemCode: dept + "-SX1", HallCode: dept + "-H1", StaffID: dept + "-S1"}, Comment: c.text}}
	}
	for i := 0; i < n; i += 1000 {
		var rs []store.NewRating
		for j := i; j < min(n, i+1000); j++ {
			rs = append(rs, rating(j))
		}
		if _, err := st.CreateRatings(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	// Intake for comparison: single-rating CreateRatings on one connection, with
	// the queue trigger off and on (those ratings are drained below too).
	one, err := store.Open(ctx, url+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	var onePid int
	if err := one.Pool().QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&onePid); err != nil {
		t.Fatal(err)
	}
	const k = 2000
	for _, trig := range []string{"DISABLE", "ENABLE"} {
		if _, err := st.Pool().Exec(ctx, `ALTER TABLE ratings `+trig+` TRIGGER topic_ratings_inserted`); err != nil {
			t.Fatal(err)
		}
		pg0, go0 := backendCPU(t, onePid), processCPU()
		for j := 0; j < k; j++ {
			if _, err := one.CreateRatings(ctx, []store.NewRating{rating(n)}); err != nil {
				t.Fatal(err)
			}
			n++
		}
		pg, gc := backendCPU(t, onePid)-pg0, processCPU()-go0
		t.Logf("intake, queue trigger %sD: %d single ratings, CPU the backend %s, this process %s (%.0f µs a rating together)",
			trig, k, pg, gc.Round(time.Millisecond), float64((pg+gc).Microseconds())/k)
	}
	tr := &stmtTimes{m: map[string]time.Duration{}, rows: map[string]int64{}}
	cfg := st.Pool().Config().Copy()
	cfg.ConnConfig.Tracer = tr
	cfg.MaxConns = 1 // one backend, whose CPU time is read from /proc
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	svc := &topics.Service{DB: pool}
	var pid int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	pg0, go0 := backendCPU(t, pid), processCPU()
	start := time.Now()
	got, err := svc.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	pgCPU, goCPU := backendCPU(t, pid)-pg0, processCPU()-go0
	var daily, terms int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM topic_daily), (SELECT count(*) FROM rating_terms)`).
		Scan(&daily, &terms); err != nil {
		t.Fatal(err)
	}
	t.Logf("drained %d ratings in %s: topic_daily %d rows, rating_terms %d rows", got, total.Round(time.Millisecond), daily, terms)
	var inDB time.Duration
	keys := make([]string, 0, len(tr.m))
	for k, d := range tr.m {
		keys = append(keys, k)
		inDB += d
	}
	slices.SortFunc(keys, func(a, b string) int { return int(tr.m[b] - tr.m[a]) })
	for _, k := range keys {
		t.Logf("%10s %8d rows  %s", tr.m[k].Round(time.Millisecond), tr.rows[k], k)
	}
	t.Logf("%10s  in Go (segmentation, aggregation)", (total - inDB).Round(time.Millisecond))
	t.Logf("CPU: the Postgres backend %s, this process %s (%.0f µs a rating together)",
		pgCPU, goCPU.Round(time.Millisecond), float64((pgCPU+goCPU).Microseconds())/float64(got))
}

// backendCPU is a process's user and system time (/proc/<pid>/stat, 100 Hz ticks).
func backendCPU(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Skipf("the backend's CPU time (is Postgres on this machine?): %v", err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return time.Duration(u+s) * 10 * time.Millisecond
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stmtTimes sums each statement's time, by its first words.
type stmtTimes struct {
	mu   sync.Mutex
	m    map[string]time.Duration
	rows map[string]int64 // rows affected
}

type stmtStart struct {
	sql string
	at  time.Time
}

type stmtKey struct{}

func (s *stmtTimes) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, stmtKey{}, stmtStart{d.SQL, time.Now()})
}

func (s *stmtTimes) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	st, _ := ctx.Value(stmtKey{}).(stmtStart)
	k := strings.Join(strings.Fields(st.sql), " ")
	if len(k) > 70 {
		k = k[:70]
	}
	s.mu.Lock()
	s.m[k] += time.Since(st.at)
	s.rows[k] += d.CommandTag.RowsAffected()
	s.mu.Unlock()
}
