// Command topics benchmarks the comment terms of issue 20 (package topics): the
// cost of segmentation to rating intake (the queue trigger on, the drainer
// segmenting every second, against both off), and the latency of the topics
// query over N seeded ratings with comments.
//
//	go run ./bench/topics -ratings 1000000
//
// The seed copies hand-written comments (topics/testdata/comments.txt) into N
// ratings over the last 365 days and 300 departments, and builds rating_terms
// and topic_daily from each comment's terms (segmented once per distinct
// comment, as the drainer would), all in SQL: a drain of N ratings would only
// repeat the same segmentation N times. The database is rectify_bench_topics_<N>
// on RECTIFY_TEST_DATABASE_URL's server; -reuse keeps a seeded one, -keep leaves
// it. Results go to stdout as Markdown.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"os"
	"rectify/bench"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"rectify/domain"
	"rectify/stats"
	"rectify/store"
	"rectify/topics"
)

type sample struct {
	level   domain.Level
	comment string
}

func main() {
	var (
		n        = flag.Int("ratings", 1_000_000, "ratings to seed")
		reuse    = flag.Bool("reuse", false, "keep an already seeded database of this size")
		keep     = flag.Bool("keep", false, "do not drop the database afterwards")
		requests = flag.Int("requests", 200, "measured queries per case")
		ingest   = flag.Duration("ingest", 15*time.Second, "each ingestion run (0: skip)")
		clients  = flag.Int("clients", 16, "concurrent ingestion clients")
		rounds   = flag.Int("rounds", 2, "ingestion runs with segmentation on and off, interleaved")
		samples  = flag.String("comments", "topics/testdata/comments.txt", "the hand-written comments")
		skip     = flag.String("skip", "", "leave out the query cases whose label contains this")
		rollups  = flag.Int("rollup-ratings", 0, "count this many ratings in the rollups (topic_daily, topic_monthly): "+
			"the seeded ones plus rollup-only ones of the same distribution (0: the seeded ones)")
		dims = flag.String("rollup-dims", "all,department,service_item,hall,staff", "the rollup slices -rollup-ratings seeds")
	)
	flag.Parse()
	ctx := context.Background()
	log.SetFlags(0)
	ss := loadSamples(*samples)
	name := fmt.Sprintf("rectify_bench_topics_%d", *n)
	if *rollups > *n {
		name = fmt.Sprintf("rectify_bench_topics_%d_%d", *n, *rollups)
	}
	st, done, err := bench.SeededDatabase(ctx, name, *reuse, *keep)
	check(err)
	defer done()
	fmt.Printf("## Topics benchmark: %d ratings\n\n", *n)
	fmt.Printf("Machine: %s\n\n", bench.Machine())
	start := time.Now()
	topics.Default.Terms("预热")
	fmt.Printf("gse dictionary load (once per process, on first use): %s\n\n", time.Since(start).Round(time.Millisecond))
	var seeded int64
	check(st.Pool().QueryRow(ctx, `SELECT count(*) FROM ratings`).Scan(&seeded))
	if seeded == 0 {
		seed(ctx, st, ss, *n, *rollups, *dims)
	} else {
		fmt.Printf("Seed: reused %s (%d ratings)\n\n", name, seeded)
	}
	check(bench.PrintSizes(ctx, st.Pool(), "ratings", "rating_terms", "topic_daily", "topic_monthly"))
	queries(ctx, st, *requests, *skip)
	if *ingest > 0 {
		ingestion(ctx, st, ss, *ingest, *clients, *rounds)
	}
}

func loadSamples(path string) []sample {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var ss []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		g, c, ok := strings.Cut(sc.Text(), "|")
		if !ok || strings.HasPrefix(g, "#") {
			continue
		}
		l := map[string]domain.Level{"n": domain.Dissatisfied, "p": domain.VerySatisfied, "m": domain.BasicallySatisfied}[g]
		ss = append(ss, sample{l, c})
	}
	check(sc.Err())
	return ss
}

// seed writes n ratings with comments, their terms and the rollups, in SQL.
func seed(ctx context.Context, st *store.Store, ss []sample, n, rollups int, dims string) {
	db := st.Pool()
	t0 := time.Now()
	conn, err := db.Acquire(ctx)
	check(err)
	defer conn.Release()
	cx := conn.Exec
	_, err = cx(ctx, `CREATE TEMP TABLE bench_samples (i int, level text, comment text, terms text[])`)
	check(err)
	var rows [][]any
	for i, s := range ss {
		rows = append(rows, []any{i, string(s.level), s.comment, topics.Default.Terms(s.comment)})
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"bench_samples"}, []string{"i", "level", "comment", "terms"}, pgx.CopyFromRows(rows))
	check(err)
	run := func(label, sql string, args ...any) {
		t := time.Now()
		_, err := cx(ctx, sql, args...)
		check(err)
		log.Printf("seed: %s in %s", label, time.Since(t).Round(time.Millisecond))
	}
	run("disable triggers", `ALTER TABLE ratings DISABLE TRIGGER USER`)
	// Department d has volume ~ 1/(d+1) (Zipf-like), 20 service items and 5 halls
	// each, 30 staff; a year of days; about one rating in six negative.
	run("ratings", `INSERT INTO ratings (id, body_hash, channel, level, negative, rated_at, department_code,
			service_item_code, staff_id, hall_code, case_no, comment, citizen_anonymous)
		SELECT 'B' || g, '\x00', 'hall', s.level, s.level IN ('dissatisfied', 'very_dissatisfied'),
			now() - (random() * interval '365 days'), 'D' || lpad(d::text, 3, '0'),
			'D' || lpad(d::text, 3, '0') || '-SX' || (g % 20), 'D' || lpad(d::text, 3, '0') || '-S' || (g % 30),
			'D' || lpad(d::text, 3, '0') || '-H' || (g % 5), s.i::text, s.comment, g % 3 = 0
		FROM generate_series(1, $1) g
		CROSS JOIN LATERAL (SELECT least(299, floor(exp(random() * ln(300.0))) - 1)::int AS d) dd
		JOIN bench_samples s ON s.i = (g::bigint * 7919) % $2`, n, len(ss))
	run("rating_terms", `INSERT INTO rating_terms (rating_id, term, rated_at, department_code, service_item_code,
			hall_code, staff_id, sentiment)
		SELECT r.id, t.term, r.rated_at, r.department_code, r.service_item_code, r.hall_code, r.staff_id,
			CASE WHEN r.level IN ('very_satisfied', 'satisfied') THEN 'positive'
			     WHEN r.level = 'basically_satisfied' THEN 'neutral' ELSE 'negative' END
		FROM ratings r JOIN bench_samples s ON s.i = r.case_no::int
		CROSS JOIN LATERAL unnest(array_append(s.terms, '')) AS t(term)
		WHERE t.term <> '' OR s.level IN ('very_satisfied', 'satisfied')`) // the empty term: praise only (migration 0017)
	for _, d := range []struct{ dim, dept, key, where string }{
		{"all", "''", "''", "term <> ''"}, {"department", "department_code", "''", "term <> ''"},
		{"service_item", "department_code", "service_item_code", "term <> ''"},
		{"hall", "department_code", "hall_code", "(term <> '' OR sentiment = 'positive')"},
		{"staff", "department_code", "staff_id", "term = '' AND sentiment = 'positive'"},
	} {
		if rollups > n {
			break // seedRollups counts these ratings with the others
		}
		run("topic_daily "+d.dim, fmt.Sprintf(`INSERT INTO topic_daily (dim, department_code, key, sentiment, day, term, n)
			SELECT '%s', %s, %s, sentiment, (rated_at AT TIME ZONE 'Asia/Shanghai')::date, term, count(*)
			FROM rating_terms WHERE %s GROUP BY 2, 3, 4, 5, 6`, d.dim, d.dept, d.key, d.where))
	}
	if rollups > n {
		seedRollups(ctx, cx, n, rollups, len(ss), dims, run)
	}
	// Closed months (before the current one) into topic_monthly, as
	// topic_close_months does.
	run("topic_monthly", `INSERT INTO topic_monthly (dim, department_code, key, sentiment, month, term, n)
		SELECT dim, department_code, key, sentiment, date_trunc('month', day)::date, term, sum(n)
		FROM topic_daily WHERE day < (SELECT through FROM topic_watermark) GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 3, 2, 4, 5, 6`)
	run("enable triggers", `ALTER TABLE ratings ENABLE TRIGGER USER`)
	run("analyze", `ANALYZE ratings, rating_terms, topic_daily, topic_monthly`)
	fmt.Printf("Seed: %d ratings (%d distinct hand-written comments), ratings + terms + rollups in SQL: %s\n\n",
		n, len(ss), time.Since(t0).Round(time.Second))
	if rollups > n {
		fmt.Printf("The rollups (topic_daily, topic_monthly) count %d ratings: the %d above and %d more of the same "+
			"distribution counted into the rollups only (no ratings or rating_terms rows): what the topics query's "+
			"counting reads is at %d-rating scale; its examples read rating_terms and ratings of the %d.\n\n",
			rollups, n, rollups-n, rollups, n)
	}
}

// seedRollups builds topic_daily for the n seeded ratings and rollups-n more of
// the same distribution that are counted in the rollups only (no ratings or
// rating_terms rows): departments, days, service items, halls, staff and
// comments as seed's, aggregated per slice before joining their terms and
// inserted in key order, so 10 M ratings cost a few scans of a narrow table
// instead of 50 M rating_terms rows.
func seedRollups(ctx context.Context, cx func(context.Context, string, ...any) (pgconn.CommandTag, error), n, rollups, samples int,
	dims string, run func(string, string, ...any)) {
	_, err := cx(ctx, `SET work_mem = '256MB'`)
	check(err)
	run("ratings as rollup input", `CREATE TEMP TABLE bench_virtual AS
		SELECT substr(id, 2)::bigint AS g, substr(department_code, 2)::int AS d,
			(rated_at AT TIME ZONE 'Asia/Shanghai')::date AS day, case_no::int AS s
		FROM ratings WHERE NOT excluded`)
	run("rollup-only ratings", `INSERT INTO bench_virtual
		SELECT g, least(299, floor(exp(random() * ln(300.0))) - 1)::int AS d,
			((now() - random() * interval '365 days') AT TIME ZONE 'Asia/Shanghai')::date AS day,
			((g::bigint * 7919) % $3)::int AS s
		FROM generate_series($1 + 1, $2) g`, n, rollups, samples)
	run("sample terms", `CREATE TEMP TABLE bench_terms AS
		SELECT s.i, CASE WHEN s.level IN ('very_satisfied', 'satisfied') THEN 'positive'
			     WHEN s.level = 'basically_satisfied' THEN 'neutral' ELSE 'negative' END AS sentiment, t.term
		FROM bench_samples s CROSS JOIN LATERAL unnest(array_append(s.terms, '')) AS t(term)`)
	dept := `'D' || lpad(v.d::text, 3, '0')`
	for _, d := range []struct{ dim, dept, key, inner, where string }{
		{"all", "''", "''", "0 AS d, 0 AS k", "t.term <> ''"},
		{"department", dept, "''", "d, 0 AS k", "t.term <> ''"},
		{"service_item", dept, dept + " || '-SX' || v.k", "d, g % 20 AS k", "t.term <> ''"},
		{"hall", dept, dept + " || '-H' || v.k", "d, g % 5 AS k", "(t.term <> '' OR t.sentiment = 'positive')"},
		{"staff", dept, dept + " || '-S' || v.k", "d, g % 30 AS k", "t.term = '' AND t.sentiment = 'positive'"},
	} {
		if !slices.Contains(strings.Split(dims, ","), d.dim) {
			continue
		}
		run("topic_daily "+d.dim, fmt.Sprintf(`INSERT INTO topic_daily (dim, department_code, key, sentiment, day, term, n)
			SELECT '%s', %s, %s, t.sentiment, v.day, t.term, sum(v.c)
			FROM (SELECT %s, day, s, count(*) AS c FROM bench_virtual GROUP BY 1, 2, 3, 4) v
			JOIN bench_terms t ON t.i = v.s WHERE %s
			GROUP BY 2, 3, 4, 5, 6 ORDER BY 3, 2, 4, 5, 6`,
			d.dim, d.dept, d.key, d.inner, d.where))
	}
}

// queries times topics.Service.Top (what GET /api/v1/stats/topics runs, without
// HTTP) for several slices; the department of each request rotates.
func queries(ctx context.Context, st *store.Store, reqs int, skip string) {
	svc := &topics.Service{DB: st.Pool()}
	today := stats.Day(time.Now())
	month, year := today.AddDate(0, 0, -29), today.AddDate(-1, 0, 1)
	admin := domain.User{Username: "bench", Role: domain.RoleAdmin}
	fmt.Printf("Load average before the queries: %s\n\n", bench.LoadAvg())
	defer func() { fmt.Printf("Load average after the queries: %s\n\n", bench.LoadAvg()) }()
	fmt.Println("| query (topics.Service.Top, limit 10, with examples) | p50 | p95 | p99 | max | n |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, c := range []struct {
		label string
		f     func(i int) topics.Filter
	}{
		{"all departments, last 30 days, negative", func(int) topics.Filter {
			return topics.Filter{From: month, To: today, Sentiment: topics.Negative, Viewer: admin}
		}},
		{"one department (rotating), last 30 days, negative", func(i int) topics.Filter {
			return topics.Filter{From: month, To: today, Department: fmt.Sprintf("D%03d", i%300), Sentiment: topics.Negative, Viewer: admin}
		}},
		{"the busiest department as its own user, last 30 days, negative", func(int) topics.Filter {
			return topics.Filter{From: month, To: today, Department: "D000", Sentiment: topics.Negative,
				Viewer: domain.User{Username: "d", Role: domain.RoleDepartment, DepartmentCode: "D000"}}
		}},
		{"one service item, last 30 days, positive", func(i int) topics.Filter {
			return topics.Filter{From: month, To: today, Department: "D000", ServiceItem: fmt.Sprintf("D000-SX%d", i%20),
				Sentiment: topics.Positive, Viewer: admin}
		}},
		{"all departments, one year, every level", func(int) topics.Filter {
			return topics.Filter{From: year, To: today, Viewer: admin}
		}},
		{"all departments, one year, negative", func(int) topics.Filter {
			return topics.Filter{From: year, To: today, Sentiment: topics.Negative, Viewer: admin}
		}},
		{"one service item, one year, positive", func(i int) topics.Filter {
			return topics.Filter{From: year, To: today, Department: "D000", ServiceItem: fmt.Sprintf("D000-SX%d", i%20),
				Sentiment: topics.Positive, Viewer: admin}
		}},
		{"one department (rotating), one year, negative", func(i int) topics.Filter {
			return topics.Filter{From: year, To: today, Department: fmt.Sprintf("D%03d", i%300), Sentiment: topics.Negative, Viewer: admin}
		}},
	} {
		if skip != "" && strings.Contains(c.label, skip) {
			continue
		}
		for i := 0; i < 3; i++ {
			_, err := svc.Top(ctx, c.f(i))
			check(err)
		}
		var lat []time.Duration
		for i := 0; i < reqs; i++ {
			t := time.Now()
			_, err := svc.Top(ctx, c.f(i))
			check(err)
			lat = append(lat, time.Since(t))
		}
		slices.Sort(lat)
		fmt.Printf("| %s | %s | %s | %s | %s | %d |\n", c.label, bench.Pct(lat, 50), bench.Pct(lat, 95), bench.Pct(lat, 99), bench.Pct(lat, 100), len(lat))
	}
	fmt.Println()
}

// ingestion writes single-rating transactions (store.CreateRatings with one
// rating with a comment) from many clients, with segmentation off (no queue
// trigger, no drainer) and on (the trigger, and a drainer every second sharing
// the cores), interleaved; then checks the rollups against a fresh segmentation
// of what was ingested.
func ingestion(ctx context.Context, st *store.Store, ss []sample, dur time.Duration, clients, rounds int) {
	svc := &topics.Service{DB: st.Pool()}
	fmt.Printf("Intake: %d clients, each `store.CreateRatings` with one rating carrying a hand-written comment, "+
		"%s per run; while segmentation is on, a topics.Drainer ticks every second in the same process "+
		"(it stands aside while intake is busy, for at most topics.MaxLag and topics.MaxQueue, as the worker's does).\n\n", clients, dur)
	fmt.Println("| run | segmentation | ratings/s | segmented/s | max queue | queue at end | drain after | ticks the drainer stood aside |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	var on, off, queued []float64
	seq := time.Now().UnixNano()
	for r := 1; r <= rounds; r++ {
		// The queue trigger alone, the drainer idle: the cost on the request path.
		rate, _, _, endQ, drain, _ := ingestRun(ctx, st, svc, ss, dur, clients, false, &seq)
		queued = append(queued, rate)
		fmt.Printf("| %d | queue only (drained after) | %.0f | - | - | %d | %s | - |\n", r, rate, endQ, drain.Round(time.Millisecond))
		for _, seg := range []bool{false, true} {
			if !seg {
				_, err := st.Pool().Exec(ctx, `ALTER TABLE ratings DISABLE TRIGGER topic_ratings_inserted`)
				check(err)
			}
			rate, drained, maxQ, endQ, drain, yielded := ingestRun(ctx, st, svc, ss, dur, clients, seg, &seq)
			_, err := st.Pool().Exec(ctx, `ALTER TABLE ratings ENABLE TRIGGER topic_ratings_inserted`)
			check(err)
			if seg {
				on = append(on, rate)
				fmt.Printf("| %d | on | %.0f | %.0f | %d | %d | %s | %d |\n", r, rate, drained, maxQ, endQ, drain.Round(time.Millisecond), yielded)
			} else {
				off = append(off, rate)
				fmt.Printf("| %d | off | %.0f | - | - | - | - | - |\n", r, rate)
			}
		}
	}
	var sumOn, sumOff, sumQ float64
	for i := range on {
		sumOn += on[i]
		sumOff += off[i]
		sumQ += queued[i]
	}
	fmt.Printf("\nWith segmentation: %.2f× the rate without it; with the queue trigger alone (segmentation deferred): %.2f× "+
		"(mean of %d interleaved runs each; target ≥ 0.90×).\n\n", sumOn/sumOff, sumQ/sumOff, len(on))
	verify(ctx, st)
}

func ingestRun(ctx context.Context, st *store.Store, svc *topics.Service, ss []sample, dur time.Duration, clients int,
	seg bool, seq *int64) (rate, drained float64, maxQ, endQ int64, drain time.Duration, yielded int64) {
	var segment func() (int, error) // the worker's drainer, while segmentation is on
	if seg {
		d := &topics.Drainer{S: svc} // as the worker's RunDrainer: one tick a second
		segment = func() (int, error) {
			q, err := svc.Pending(context.Background())
			if err != nil {
				return 0, err
			}
			maxQ = max(maxQ, q)
			k, stoodAside, err := d.Tick(context.Background(), time.Second)
			if stoodAside {
				yielded++
			}
			return k, err
		}
	}
	rate, drained, err := bench.Ingest(ctx, st, dur, clients, seq, func(i int64) store.NewRating {
		s := ss[int(i)%len(ss)]
		id := fmt.Sprintf("BENCH-%s-%d", map[bool]string{true: "ON", false: "OFF"}[seg], i) // ON: verified
		h := sha256.Sum256([]byte(id))
		dept := fmt.Sprintf("D%03d", i%300)
		return store.NewRating{BodyHash: h[:], SubmittedBy: "bench", Rating: domain.Rating{ID: id,
			Channel: domain.ChannelHall, Level: s.level, Negative: s.level.Negative(), RatedAt: time.Now(),
			DepartmentCode: dept, Service: domain.Service{ServiceItemCode: dept + "-SX1", StaffID: dept + "-S1", HallCode: dept + "-H1"},
			Comment: s.comment, Citizen: &domain.Citizen{Anonymous: true}}}
	}, segment)
	check(err)
	if q, _ := svc.Pending(context.Background()); seg || q > 0 {
		var err error
		endQ, err = svc.Pending(context.Background())
		check(err)
		t := time.Now()
		_, err = svc.Drain(context.Background())
		check(err)
		drain = time.Since(t)
	}
	return rate, drained, maxQ, endQ, drain, yielded
}

// verify compares what the drainer counted for the ingested ratings (today's
// topic_daily rows of dim 'all', less the seed's) with a fresh segmentation of
// their comments.
func verify(ctx context.Context, st *store.Store) {
	rows, err := st.Pool().Query(ctx, `SELECT r.comment, r.level FROM ratings r WHERE r.id LIKE 'BENCH-ON-%'`)
	check(err)
	want := map[string]int64{}
	ingested := 0
	for rows.Next() {
		var c, l string
		check(rows.Scan(&c, &l))
		ingested++
		for _, t := range topics.Default.Terms(c) {
			want[string(topics.SentimentOf(domain.Level(l)))+"/"+t]++
		}
	}
	check(rows.Err())
	rows, err = st.Pool().Query(ctx, `SELECT rt.sentiment || '/' || rt.term, count(*) FROM rating_terms rt
		WHERE rt.rating_id LIKE 'BENCH-ON-%' AND rt.term <> '' GROUP BY 1`)
	check(err)
	got := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		check(rows.Scan(&k, &n))
		got[k] = n
	}
	check(rows.Err())
	bad := 0
	for k, n := range want {
		if got[k] != n {
			bad++
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			bad++
		}
	}
	var rollup, terms int64
	check(st.Pool().QueryRow(ctx, `SELECT
		(SELECT coalesce(sum(n), 0) FROM topic_daily WHERE dim = 'all' AND term <> ''),
		(SELECT count(*) FROM rating_terms rt JOIN ratings r ON r.id = rt.rating_id AND NOT r.excluded WHERE rt.term <> '')`).
		Scan(&rollup, &terms))
	fmt.Printf("Check after the runs: %d ingested ratings with segmentation on, %d (sentiment, term) counts, "+
		"%d differing from a fresh segmentation; rollup total (dim all) %d vs rating_terms %d.\n\n",
		ingested, len(want), bad, rollup, terms)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
