package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Ingestion runs at 16 concurrent clients, 2% negative (API.md's typical mix).
const (
	ingestClients  = 16
	ingestNegEvery = 50
	batchSize      = 1000
	batchClients   = 4
)

// baselineDDL makes plain copies of the tables a rating writes to (columns,
// defaults, indexes; no triggers, no foreign keys): what a bare program that only
// stores the rows would have.
const baselineDDL = `
	CREATE TABLE bench_ratings (LIKE ratings INCLUDING ALL);
	CREATE TABLE bench_tickets (LIKE tickets INCLUDING ALL);`

var ratingColumns = []string{"id", "body_hash", "channel", "level", "negative", "rated_at", "department_code",
	"service_item_code", "staff_id", "hall_code", "case_no", "region_code", "aspects", "comment",
	"citizen_name", "citizen_phone", "citizen_anonymous", "submitted_by"}

func (r Rating) row() []any {
	aspects := r.Aspects
	if aspects == nil {
		aspects = []string{}
	}
	name, phone := r.Citizen.Name, r.Citizen.Phone
	if r.Citizen.Anonymous { // as the store keeps them (a CHECK enforces it)
		name, phone = "", ""
	}
	return []any{r.ID, r.Hash(), r.Channel, r.Level, r.Negative(), r.RatedAt, r.DepartmentCode,
		r.ServiceItemCode, r.StaffID, r.HallCode, r.CaseNo, r.RegionCode, aspects, r.Comment,
		name, phone, r.Citizen.Anonymous, "bench-channel"}
}

// One statement per rating: the rating alone, or the rating and its ticket in one
// statement (a CTE), so the baseline pays one round trip and one commit per rating.
const (
	insertRating = `INSERT INTO bench_ratings (id, body_hash, channel, level, negative, rated_at, department_code,
		service_item_code, staff_id, hall_code, case_no, region_code, aspects, comment,
		citizen_name, citizen_phone, citizen_anonymous, submitted_by)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`
	insertRatingTicket = `WITH r AS (` + insertRating + ` RETURNING id)
		INSERT INTO bench_tickets (number, rating_id, status, department_code)
		SELECT $19, id, 'awaiting_sign', $7 FROM r`
)

func baselinePool(ctx context.Context, dbURL string, conns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns, cfg.MinConns = int32(conns), int32(conns)
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := p.Exec(ctx, baselineDDL); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Ingest is scenario 1: POST /api/v1/ratings one rating per request, against a plain
// pgx program inserting the same rows one transaction each at the same concurrency.
func (r *Runner) Ingest(ctx context.Context) (Section, error) {
	sec := Section{Key: "ingest", Title: "Ingestion, one rating per request"}
	sys, err := r.Env.StartSystem(ctx, SystemOptions{Name: "ingest", InProcessWorker: true})
	if err != nil {
		return sec, err
	}
	defer sys.Close()
	c := NewClient(sys.URL, ingestClients*2)
	toks, err := SetUp(ctx, c)
	if err != nil {
		return sec, err
	}
	pool, err := baselinePool(ctx, sys.DBURL, ingestClients)
	if err != nil {
		return sec, err
	}
	defer pool.Close()

	svc, err := startEchoService(pool, toks.Channel)
	if err != nil {
		return sec, err
	}
	defer svc.Close()
	ec := NewClient(svc.URL, ingestClients*2)

	rounds, perRound, warm := r.size(2, 1), r.size(8000, 1500), r.size(500, 200)
	n := rounds * perRound
	now := time.Now()
	bodies := make([][]byte, n+warm)
	positiveBodies := make([][]byte, n+warm) // diagnosis: no ticket, no workflow
	echoBodies := make([][]byte, n+warm)     // the minimal echo+pgx service
	rows := make([][]any, n+warm)            // baseline rows
	realRows := make([][]any, n+warm)        // the same, for rectify's own tables
	negs := 0
	for i := range bodies {
		bodies[i] = NewRating("R1", i, ingestNegEvery, now).Body()
		positiveBodies[i] = NewRating("P1", i, 0, now).Body()
		echoBodies[i] = NewRating("E1", i, ingestNegEvery, now).Body()
		bt, tt := NewRating("B1", i, ingestNegEvery, now), NewRating("T1", i, ingestNegEvery, now)
		rows[i], realRows[i] = bt.row(), tt.row()
		if bt.Negative() {
			rows[i] = append(rows[i], fmt.Sprintf("BT%08d", i))
			realRows[i] = append(realRows[i], fmt.Sprintf("TT%08d", i))
			if i >= warm {
				negs++
			}
		}
	}
	type contender struct {
		name string
		run  func(ctx context.Context, i int) error
		lat  *Latencies
		t    time.Duration
		cpu  CPU
	}
	post := func(k *contender, bodies [][]byte, c *Client) {
		k.run = func(ctx context.Context, i int) error {
			start := time.Now()
			if err := c.Do(ctx, "POST", "/api/v1/ratings", toks.Channel, bodies[i], http.StatusCreated, nil); err != nil {
				return err
			}
			k.lat.Since(start)
			return nil
		}
	}
	rect := &contender{name: "rectify", lat: &Latencies{}}
	post(rect, bodies, c)
	pos := &contender{name: "rectify, no negative ratings", lat: &Latencies{}}
	post(pos, positiveBodies, c)
	echoK := &contender{name: "echo+pgx service", lat: &Latencies{}}
	post(echoK, echoBodies, ec)
	insert := func(k *contender, rows [][]any, single, withTicket string) {
		k.run = func(ctx context.Context, i int) error {
			q := single
			if len(rows[i]) > len(ratingColumns) {
				q = withTicket
			}
			start := time.Now()
			if _, err := pool.Exec(ctx, q, rows[i]...); err != nil {
				return fmt.Errorf("%s insert: %w", k.name, err)
			}
			k.lat.Since(start)
			return nil
		}
	}
	base := &contender{name: "baseline", lat: &Latencies{}}
	insert(base, rows, insertRating, insertRatingTicket)
	real := &contender{name: "pgx into rectify's tables", lat: &Latencies{}}
	realTables := strings.NewReplacer("bench_ratings", "ratings", "bench_tickets", "tickets")
	insert(real, realRows, realTables.Replace(insertRating), realTables.Replace(insertRatingTicket))
	all := []*contender{base, echoK, real, rect, pos}

	idle, err := IdleCPU(ctx, pool, 3*time.Second)
	if err != nil {
		return sec, err
	}
	r.progress("ingest: warming up (%d each)", warm)
	for _, k := range all {
		if _, err := closedLoop(ctx, ingestClients, 0, warm, k.run); err != nil {
			return sec, err
		}
		k.lat = &Latencies{}
	}
	for round := 0; round < rounds; round++ {
		from := warm + round*perRound
		for _, k := range all {
			before, err := ReadCPU(ctx, pool)
			if err != nil {
				return sec, err
			}
			d, err := closedLoop(ctx, ingestClients, from, perRound, k.run)
			if err != nil {
				return sec, err
			}
			if k == rect {
				// The answers do not wait for the workflow starts (issue 18); the
				// round ends when every ticket's workflow has written it, so that
				// rectify's rate and CPU include that work and the next contender
				// does not run beside it.
				t0 := time.Now()
				if err := waitStarted(ctx, sys.Store.Pool(), "R1-"); err != nil {
					return sec, err
				}
				d += time.Since(t0)
			}
			after, err := ReadCPU(ctx, pool)
			if err != nil {
				return sec, err
			}
			k.t += d
			used := after.Sub(before).minusIdle(idle, d)
			k.cpu = CPU{Self: k.cpu.Self + used.Self, Postgres: k.cpu.Postgres + used.Postgres}
			r.progress("ingest: round %d %s: %d in %s (%.0f/s)", round+1, k.name, perRound, d.Round(time.Millisecond), float64(perRound)/d.Seconds())
		}
	}
	var stored, tickets int
	if err := sys.Store.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM ratings WHERE id LIKE 'R1-%'),
		(SELECT count(*) FROM tickets WHERE rating_id LIKE 'R1-%')`).Scan(&stored, &tickets); err != nil {
		return sec, err
	}
	wantTickets := negs + (warm+ingestNegEvery-1)/ingestNegEvery
	if stored != n+warm || tickets != wantTickets {
		return sec, fmt.Errorf("ingest: stored %d ratings and %d tickets, want %d and %d", stored, tickets, n+warm, wantTickets)
	}
	rectRate, baseRate, realRate := float64(n)/rect.t.Seconds(), float64(n)/base.t.Seconds(), float64(n)/real.t.Seconds()
	posRate, echoRate := float64(n)/pos.t.Seconds(), float64(n)/echoK.t.Seconds()
	eq := echoK.lat.Quantiles(0.5, 0.95, 0.99)
	rq, bq, tq := rect.lat.Quantiles(0.5, 0.95, 0.99), base.lat.Quantiles(0.5, 0.95, 0.99), real.lat.Quantiles(0.5, 0.95, 0.99)
	pq := pos.lat.Quantiles(0.5, 0.95, 0.99)
	sec.Setup = []string{
		fmt.Sprintf("rectify: `POST /api/v1/ratings` over keep-alive HTTP from %d concurrent clients (channel token), %d ratings, 1 in %d negative (a ticket and a workflow start each), after %d warm-up requests. The answer does not wait for the workflow start; each round of rectify ends when every ticket's workflow has written its ticket, so its rate and CPU include that work.", ingestClients, n, ingestNegEvery, warm),
		fmt.Sprintf("Baseline: a plain pgx program (pool of %d) inserting the same rows into trigger-less copies of the tables, one statement and one transaction per rating (rating and ticket in one statement for a negative one), same concurrency.", ingestClients),
		"Fair baseline (issue 18): a minimal HTTP service written for the benchmark, what a user would write instead of rectify to store ratings: echo and a pgx pool in this process, the same JSON body and bearer token, the same rows (rating, and ticket for a negative one, in one statement, one transaction per request) into the trigger-less copies, the same client and concurrency; no statistics, workflow, group commit or idempotency beyond the key.",
		"Also shown, to tell where the time goes: the same pgx program writing into rectify's own tables, whose statistics triggers run on every insert; and rectify fed only positive ratings (no ticket, no workflow start).",
		fmt.Sprintf("They alternate in %d round(s) so that background load on the shared machine falls on all of them.", rounds),
		"CPU per rating: this process (API, in-process worker, Temporal server, load generator) + the Postgres backends of the benchmark database, from getrusage and /proc/<pid>/stat, less what the system uses idle (" + idle.share() + ", measured for 3 s before the load).",
	}
	sec.Rows = []Row{
		{"ratings/s", perSec(rectRate), perSec(baseRate), fx(ratio(rectRate, baseRate)), "≥ 0.50×", met(ratio(rectRate, baseRate) >= 0.5)},
		{"ratings/s vs the minimal echo+pgx service", perSec(rectRate), perSec(echoRate), fx(ratio(rectRate, echoRate)), "≥ 0.80×", met(ratio(rectRate, echoRate) >= 0.8)},
		{"latency p50", ms(rq[0]), ms(bq[0]), "", "", ""},
		{"latency p95", ms(rq[1]), ms(bq[1]), "", "", ""},
		{"latency p99", ms(rq[2]), ms(bq[2]), "", "", ""},
		{"CPU per rating", rect.cpu.perItem(n, "rating"), base.cpu.perItem(n, "rating"), "", "", ""},
		{"minimal echo+pgx service: ratings/s", perSec(echoRate) + fmt.Sprintf(" (p50 %s, p99 %s)", ms(eq[0]), ms(eq[2])), perSec(baseRate), fx(ratio(echoRate, baseRate)), "", ""},
		{"minimal echo+pgx service: CPU per rating", echoK.cpu.perItem(n, "rating"), base.cpu.perItem(n, "rating"), "", "", ""},
		{"pgx into rectify's tables (triggers): ratings/s", perSec(realRate) + fmt.Sprintf(" (p50 %s, p99 %s)", ms(tq[0]), ms(tq[2])), perSec(baseRate), fx(ratio(realRate, baseRate)), "", ""},
		{"pgx into rectify's tables: CPU per rating", real.cpu.perItem(n, "rating"), base.cpu.perItem(n, "rating"), "", "", ""},
		{"rectify with no negative ratings: ratings/s", perSec(posRate) + fmt.Sprintf(" (p50 %s, p99 %s)", ms(pq[0]), ms(pq[2])), perSec(baseRate), fx(ratio(posRate, baseRate)), "", ""},
		{"rectify with no negative ratings: CPU per rating", pos.cpu.perItem(n, "rating"), base.cpu.perItem(n, "rating"), "", "", ""},
	}
	return sec, nil
}

// waitStarted waits until every ticket of the ratings whose ids start with prefix
// has its workflow started and written. (The pgx contender's tickets in rectify's
// own tables have no workflow until the reconciler starts one.)
func waitStarted(ctx context.Context, db *pgxpool.Pool, prefix string) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE rating_id LIKE $1 || '%' AND NOT workflow_started`, prefix).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d tickets still wait for their workflow after 5 minutes", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Batch is scenario 2: POST /api/v1/ratings/batch with 1000 ratings per request,
// against COPY of the same rows (one transaction per 1000) at the same concurrency.
func (r *Runner) Batch(ctx context.Context) (Section, error) {
	sec := Section{Key: "batch", Title: "Ingestion, batches of 1000"}
	sys, err := r.Env.StartSystem(ctx, SystemOptions{Name: "batch", InProcessWorker: true})
	if err != nil {
		return sec, err
	}
	defer sys.Close()
	c := NewClient(sys.URL, batchClients*2)
	toks, err := SetUp(ctx, c)
	if err != nil {
		return sec, err
	}
	pool, err := baselinePool(ctx, sys.DBURL, batchClients)
	if err != nil {
		return sec, err
	}
	defer pool.Close()

	rounds, perRound, warm := r.size(2, 1), r.size(30, 6), 2
	n := rounds*perRound + warm
	now := time.Now()
	bodies := make([][]byte, n)
	rows := make([][][]any, n)
	tickets := make([][][]any, n)
	for b := 0; b < n; b++ {
		batch := make([]Rating, batchSize)
		for k := range batch {
			i := b*batchSize + k
			batch[k] = NewRating("R2", i, ingestNegEvery, now)
			bt := NewRating("B2", i, ingestNegEvery, now)
			rows[b] = append(rows[b], bt.row())
			if bt.Negative() {
				tickets[b] = append(tickets[b], []any{fmt.Sprintf("BT%08d", i), bt.ID, "awaiting_sign", bt.DepartmentCode})
			}
		}
		bodies[b], _ = json.Marshal(map[string]any{"ratings": batch})
	}
	post := func(ctx context.Context, b int) error {
		var out struct {
			Results []struct {
				Status int `json:"status"`
			} `json:"results"`
		}
		if err := c.Do(ctx, "POST", "/api/v1/ratings/batch", toks.Channel, bodies[b], http.StatusOK, &out); err != nil {
			return err
		}
		for _, res := range out.Results {
			if res.Status != http.StatusCreated {
				return fmt.Errorf("batch %d: an item answered %d", b, res.Status)
			}
		}
		if len(out.Results) != batchSize {
			return fmt.Errorf("batch %d: %d results", b, len(out.Results))
		}
		return nil
	}
	copyRows := func(ctx context.Context, b int) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_ratings"}, ratingColumns, pgx.CopyFromRows(rows[b])); err != nil {
				return err
			}
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_tickets"}, []string{"number", "rating_id", "status", "department_code"},
				pgx.CopyFromRows(tickets[b]))
			return err
		})
	}
	r.progress("batch: warming up (%d batches each)", warm)
	if _, err := closedLoop(ctx, batchClients, 0, warm, post); err != nil {
		return sec, err
	}
	if _, err := closedLoop(ctx, batchClients, 0, warm, copyRows); err != nil {
		return sec, err
	}
	var rectT, baseT, drainT time.Duration
	for k := 0; k < rounds; k++ {
		from := warm + k*perRound
		d, err := closedLoop(ctx, batchClients, from, perRound, copyRows)
		if err != nil {
			return sec, fmt.Errorf("COPY: %w", err)
		}
		baseT += d
		r.progress("batch: round %d COPY %d rows in %s (%.0f/s)", k+1, perRound*batchSize, d.Round(time.Millisecond), float64(perRound*batchSize)/d.Seconds())
		d, err = closedLoop(ctx, batchClients, from, perRound, post)
		if err != nil {
			return sec, err
		}
		rectT += d
		r.progress("batch: round %d rectify %d ratings in %s (%.0f/s)", k+1, perRound*batchSize, d.Round(time.Millisecond), float64(perRound*batchSize)/d.Seconds())
		// The answers do not wait for the workflow starts (issue 18): wait for them
		// before the next round, and report the rate with that time too.
		t0 := time.Now()
		if err := waitStarted(ctx, sys.Store.Pool(), "R2-"); err != nil {
			return sec, err
		}
		drainT += time.Since(t0)
	}
	rows1 := float64(rounds * perRound * batchSize)
	rectRate, baseRate := rows1/rectT.Seconds(), rows1/baseT.Seconds()
	allRate := rows1 / (rectT + drainT).Seconds()
	sec.Setup = []string{
		fmt.Sprintf("rectify: `POST /api/v1/ratings/batch`, %d ratings per request (1 in %d negative), %d batches from %d concurrent clients, after %d warm-up batches.", batchSize, ingestNegEvery, rounds*perRound, batchClients, warm),
		fmt.Sprintf("Baseline: COPY of the same rows (and the negative ones' ticket rows) into trigger-less copies of the tables, one transaction per %d, %d concurrent connections.", batchSize, batchClients),
		"A batch is answered once its ratings and tickets are committed; its workflows start right after (issue 18). After each round of rectify the benchmark waits until every ticket's workflow has written it, and shows the rate with that wait too.",
	}
	sec.Rows = []Row{
		{"ratings/s", perSec(rectRate), perSec(baseRate), fx(ratio(rectRate, baseRate)), "≥ 0.50×", met(ratio(rectRate, baseRate) >= 0.5)},
		{"ratings/s until every workflow wrote its ticket", perSec(allRate), perSec(baseRate), fx(ratio(allRate, baseRate)), "", ""},
		{"time per batch of 1000", ms(rectT * batchClients / time.Duration(rounds*perRound)), ms(baseT * batchClients / time.Duration(rounds*perRound)), "", "", ""},
	}
	return sec, nil
}
