// Command stats benchmarks the statistics at scale: it seeds N ratings (with their
// tickets) into a fresh database, then measures the latency of the department
// statistics for a one-year range and of the overdue ticket list through the HTTP
// API, and whether folding keeps up with full-speed ingestion.
//
//	go run ./bench/stats -ratings 10000000
//
// The database is rectify_bench_stats_<N> on RECTIFY_TEST_DATABASE_URL's server
// (default postgres://postgres@127.0.0.1:5432/postgres); -reuse keeps an already
// seeded one, -keep leaves it after the run. Results go to stdout as Markdown.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"rectify/bench"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/calendar"
	"rectify/domain"
	"rectify/server"
	"rectify/stats"
	"rectify/stats/seed"
	"rectify/store"
)

const token = "bench-stats-admin-token-0123456789"

func main() {
	var (
		n        = flag.Int("ratings", 1_000_000, "ratings to seed")
		reuse    = flag.Bool("reuse", false, "keep an already seeded database of this size")
		keep     = flag.Bool("keep", false, "do not drop the database afterwards")
		requests = flag.Int("requests", 200, "measured requests per endpoint")
		ingest   = flag.Duration("ingest", 20*time.Second, "each ingestion run (0: skip)")
		clients  = flag.Int("clients", 16, "concurrent ingestion clients")
		rounds   = flag.Int("rounds", 2, "ingestion runs with and without the statistics trigger, interleaved")
	)
	flag.Parse()
	ctx := context.Background()
	log.SetFlags(0)
	name := fmt.Sprintf("rectify_bench_stats_%d", *n)
	st, done, err := bench.SeededDatabase(ctx, name, *reuse, *keep)
	check(err)
	defer done()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := calendar.New(loc, 18*time.Hour)
	check(st.LoadCalendarOverrides(ctx, cal))

	fmt.Printf("## Statistics benchmark: %d ratings\n\n", *n)
	fmt.Printf("Machine: %s\n\n", bench.Machine())
	var seeded int64
	check(st.Pool().QueryRow(ctx, `SELECT count(*) FROM ratings`).Scan(&seeded))
	if seeded == 0 {
		log.Printf("seeding %d ratings into %s", *n, name)
		res, err := seed.Run(ctx, st.Pool(), cal, seed.Options{Ratings: *n, Progress: os.Stderr})
		check(err)
		total := res.Load + res.Rebuild
		fmt.Printf("Seed (`seed.Run`, COPY, triggers on): %d ratings, %d tickets, %d events, %d departments in %s "+
			"(load %s + rollup rebuild %s) = %.0f ratings/s\n\n", res.Ratings, res.Tickets, res.Events, res.Departments,
			total.Round(time.Second), res.Load.Round(time.Second), res.Rebuild.Round(time.Second), float64(res.Ratings)/total.Seconds())
	} else {
		fmt.Printf("Seed: reused %s (%d ratings)\n\n", name, seeded)
	}
	check(bench.PrintSizes(ctx, st.Pool(), "ratings", "tickets", "ticket_events", "stats_daily", "stats_monthly", "stats_tickets"))

	srv := httptest.NewServer(server.New(server.Deps{Store: st, Calendar: cal, Log: slog.New(slog.DiscardHandler),
		BootstrapAdminToken: token}).Echo)
	defer srv.Close()
	today := stats.Day(time.Now())
	year := fmt.Sprintf("from=%s&to=%s", today.AddDate(-1, 0, 1).Format(time.DateOnly), today.Format(time.DateOnly))
	var overdueDept string
	_ = st.Pool().QueryRow(ctx, `SELECT department_code FROM tickets WHERE overdue AND status <> 'closed'
		GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&overdueDept)

	fmt.Println("| request | p50 | p95 | p99 | max | n |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, c := range []struct {
		label, path string
		conc        int
	}{
		{"GET /api/v1/stats/departments (one year)", "/api/v1/stats/departments?" + year, 1},
		{"GET /api/v1/stats/departments (one year), 4 clients", "/api/v1/stats/departments?" + year, 4},
		{"GET /api/v1/tickets?overdue=true", "/api/v1/tickets?overdue=true", 1},
		{"GET /api/v1/tickets?overdue=true, 4 clients", "/api/v1/tickets?overdue=true", 4},
		{"GET /api/v1/tickets?overdue=true&department_code=(busiest)", "/api/v1/tickets?overdue=true&department_code=" + url.QueryEscape(overdueDept), 1},
		{"GET /api/v1/stats/departments (last 30 days)", "/api/v1/stats/departments", 1},
		{"GET /api/v1/stats/service_items (one year)", "/api/v1/stats/service_items?" + year, 1},
		{"GET /api/v1/stats/staff (one year)", "/api/v1/stats/staff?" + year, 1},
		{"GET /api/v1/stats/aspects (one year)", "/api/v1/stats/aspects?" + year, 1},
		{"GET /api/v1/stats/trends?period=day (one year)", "/api/v1/stats/trends?period=day&" + year, 1},
		{"GET /api/v1/stats/rankings (one year)", "/api/v1/stats/rankings?" + year, 1},
		{"GET /api/v1/stats/departments.xlsx (one year)", "/api/v1/stats/departments.xlsx?" + year, 1},
	} {
		reqs := *requests
		if !strings.Contains(c.label, "departments (one year)") && !strings.Contains(c.label, "overdue") {
			reqs = max(10, reqs/10) // the others are for information
		}
		lat := measure(srv.URL+c.path, reqs, c.conc)
		fmt.Printf("| %s | %s | %s | %s | %s | %d |\n", c.label, bench.Pct(lat, 50), bench.Pct(lat, 95), bench.Pct(lat, 99), bench.Pct(lat, 100), len(lat))
	}
	fmt.Println()
	explain(ctx, st)
	if *ingest > 0 {
		ingestion(ctx, st, *ingest, *clients, *rounds)
	}
}

// measure sends reqs GETs (after a few to warm up) on conc connections.
func measure(u string, reqs, conc int) []time.Duration {
	client := &http.Client{Timeout: time.Minute}
	get := func() time.Duration {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := client.Do(req)
		check(err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			log.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		return time.Since(start)
	}
	for i := 0; i < 3; i++ {
		get()
	}
	var (
		mu   sync.Mutex
		lat  []time.Duration
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for c := 0; c < conc; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(reqs) {
				d := get()
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	return lat
}

// explain prints the overdue list's plan, as ListTickets runs it.
func explain(ctx context.Context, st *store.Store) {
	rows, err := st.Pool().Query(ctx, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
		SELECT t.number FROM tickets t WHERE t.overdue AND t.status <> 'closed' ORDER BY t.number DESC LIMIT 51`)
	check(err)
	fmt.Println("Overdue list plan (`ListTickets` with OnlyOverdue, first page):")
	fmt.Println()
	fmt.Println("```")
	for rows.Next() {
		var line string
		check(rows.Scan(&line))
		fmt.Println(line)
	}
	check(rows.Err())
	fmt.Println("```")
	fmt.Println()
}

// ingestion writes single-rating transactions (store.CreateRatings with one
// rating, the worst case for a per-statement trigger) at full speed from many
// clients, with and without the statistics trigger, while a folder folds every
// second; it reports the rates and the backlog of unfolded deltas.
func ingestion(ctx context.Context, st *store.Store, dur time.Duration, clients, rounds int) {
	svc := &stats.Service{DB: st.Pool()}
	fmt.Printf("Ingestion: %d clients, each `store.CreateRatings` with one rating (2%% negative, so tickets too), "+
		"%s per run; folding every second while the trigger is on.\n\n", clients, dur)
	fmt.Println("| run | statistics trigger | ratings/s | folded/s | max backlog | backlog at end | drain after |")
	fmt.Println("|---|---|---|---|---|---|---|")
	var on, off []float64
	seq := time.Now().UnixNano()
	for r := 1; r <= rounds; r++ {
		for _, trigger := range []bool{false, true} {
			if !trigger {
				_, err := st.Pool().Exec(ctx, `ALTER TABLE ratings DISABLE TRIGGER stats_ratings_inserted`)
				check(err)
			}
			rate, folded, maxBacklog, endBacklog, drain := ingestRun(ctx, st, svc, dur, clients, trigger, &seq)
			_, err := st.Pool().Exec(ctx, `ALTER TABLE ratings ENABLE TRIGGER stats_ratings_inserted`)
			check(err)
			if trigger {
				on = append(on, rate)
				fmt.Printf("| %d | on | %.0f | %.0f | %d | %d | %s |\n", r, rate, folded, maxBacklog, endBacklog, drain.Round(time.Millisecond))
			} else {
				off = append(off, rate)
				fmt.Printf("| %d | off | %.0f | - | - | - | - |\n", r, rate)
			}
		}
	}
	var sumOn, sumOff float64
	for i := range on {
		sumOn += on[i]
		sumOff += off[i]
	}
	fmt.Printf("\nWith the trigger: %.2f× the rate without it (mean of %d interleaved runs each).\n\n", sumOn/sumOff, len(on))
}

func ingestRun(ctx context.Context, st *store.Store, svc *stats.Service, dur time.Duration, clients int, trigger bool,
	seq *int64) (rate, folded float64, maxBacklog, endBacklog int64, drain time.Duration) {
	rows, err := st.Pool().Query(ctx, `SELECT code FROM departments ORDER BY code`)
	check(err)
	depts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	check(err)
	var fold func() (int, error) // the worker's folder, while the trigger is on
	if trigger {
		fold = func() (int, error) {
			var b int64
			_ = st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM stats_delta`).Scan(&b)
			maxBacklog = max(maxBacklog, b)
			return svc.Fold(context.Background())
		}
	}
	rate, folded, err = bench.Ingest(ctx, st, dur, clients, seq, func(i int64) store.NewRating {
		level := domain.Satisfied
		if i%50 == 0 {
			level = domain.Dissatisfied
		}
		id := fmt.Sprintf("BENCH-%d", i)
		h := sha256.Sum256([]byte(id))
		dept := depts[int(i)%len(depts)]
		return store.NewRating{BodyHash: h[:], SubmittedBy: "bench", Rating: domain.Rating{ID: id,
			Channel: domain.ChannelHall, Level: level, Negative: level.Negative(), RatedAt: time.Now(),
			DepartmentCode: dept, Service: domain.Service{ServiceItemCode: dept + "-SX001", StaffID: dept + "-0001", RegionCode: dept[:6]},
			Aspects: []string{"attitude"}}}
	}, fold)
	check(err)
	if trigger {
		check(st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM stats_delta`).Scan(&endBacklog))
		t := time.Now()
		_, err := svc.Fold(context.Background())
		check(err)
		drain = time.Since(t)
	}
	return rate, folded, maxBacklog, endBacklog, drain
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
