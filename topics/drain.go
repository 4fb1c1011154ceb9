package topics

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"rectify/domain"
	"rectify/stats"
)

// Service counts and reads the terms of rating comments. Seg nil means Default.
type Service struct {
	DB  *pgxpool.Pool
	Seg *Segmenter
}

func (s *Service) segmenter() *Segmenter {
	if s.Seg != nil {
		return s.Seg
	}
	return Default
}

// DrainBatch is how many queued ratings one transaction segments: about a
// second of work on a loaded machine, so a transaction stays short (an upheld
// appeal of a rating being drained waits for it), while a backlog's counts are
// summed over four times as many ratings as with 500 (14% fewer rollup rows).
const DrainBatch = 2000

// Sentiment is a rating level's group.
type Sentiment string

const (
	Positive Sentiment = "positive" // very_satisfied, satisfied
	Neutral  Sentiment = "neutral"  // basically_satisfied: praise with reservations, counted in neither list
	Negative Sentiment = "negative" // dissatisfied, very_dissatisfied (差评)
)

// SentimentOf is the group of a level.
func SentimentOf(l domain.Level) Sentiment {
	switch l {
	case domain.VerySatisfied, domain.Satisfied:
		return Positive
	case domain.BasicallySatisfied:
		return Neutral
	}
	return Negative
}

// commented is a rating with a comment, as segmentation needs it.
type commented struct {
	ID, Comment, Dept, Item, Hall, Staff string
	Level                                domain.Level
	RatedAt                              time.Time
	Excluded, Anonymous                  bool
	Name                                 string
	TicketDept                           *string
	Term                                 string // the term a query found it for
}

// Drain segments every queued rating, batch by batch, and returns how many it
// segmented. Concurrent drainers take different rows (SKIP LOCKED).
func (s *Service) Drain(ctx context.Context) (n int, err error) {
	defer wrap(&err, "topics.Drain")
	var queued, closing bool
	if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM topic_queue),
			(SELECT through < date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date FROM topic_watermark)`).
		Scan(&queued, &closing); err != nil {
		return 0, err
	}
	if closing { // a month is over: add it up into topic_monthly (migration 0015)
		if _, err := s.DB.Exec(ctx, `SELECT topic_close_months()`); err != nil {
			return 0, err
		}
	}
	if !queued {
		return 0, nil // an empty queue: the dictionary need not load
	}
	if err := s.loadWords(ctx); err != nil {
		return 0, err
	}
	for {
		var moved int
		err := pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
			var err error
			moved, err = s.drainBatch(ctx, tx)
			return err
		})
		if err != nil {
			return n, err
		}
		n += moved
		if moved < DrainBatch {
			return n, nil
		}
	}
}

func (s *Service) drainBatch(ctx context.Context, tx pgx.Tx) (int, error) {
	// The batch is one transaction, queue rows included: a commit lost in a
	// crash only puts the batch back in the queue, so it need not wait for the
	// WAL flush.
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return 0, err
	}
	var ids []string
	rows, err := tx.Query(ctx, `DELETE FROM topic_queue WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM topic_queue LIMIT $1 FOR UPDATE SKIP LOCKED)) RETURNING rating_id`, DrainBatch)
	if err != nil {
		return 0, err
	}
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// No row lock on ratings: an upheld appeal's trigger (ratings.excluded) waits
	// on the queue rows this transaction deleted, then takes out what it counted.
	rs, err := queryCommented(ctx, tx, "", `WHERE r.id = ANY($1)`, ids)
	if err != nil {
		return 0, err
	}
	seg := s.segmenter()
	var (
		tID, tTerm, tDept, tItem, tHall, tStaff, tSent []string
		tAt                                            []time.Time
	)
	counts := map[rollKey]int{}
	for _, r := range rs {
		sent := SentimentOf(r.Level)
		terms := seg.Terms(r.Comment)
		if praised(sent, r) {
			terms = append(terms, "")
		}
		for _, t := range terms {
			tID, tTerm, tAt = append(tID, r.ID), append(tTerm, t), append(tAt, r.RatedAt)
			tDept, tItem, tHall, tStaff = append(tDept, r.Dept), append(tItem, r.Item), append(tHall, r.Hall), append(tStaff, r.Staff)
			tSent = append(tSent, string(sent))
			if !r.Excluded {
				addCounts(counts, r, sent, t)
			}
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO rating_terms (rating_id, term, rated_at, department_code,
			service_item_code, hall_code, staff_id, sentiment)
		SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
		ON CONFLICT DO NOTHING`, tID, tTerm, tAt, tDept, tItem, tHall, tStaff, tSent); err != nil {
		return 0, err
	}
	// The watermark's share lock: a month closing waits for this batch, or this
	// batch for the close, so a closed month gets this batch's days exactly once.
	var through time.Time
	if err := tx.QueryRow(ctx, `SELECT through FROM topic_watermark FOR SHARE`).Scan(&through); err != nil {
		return 0, err
	}
	if err := addRollup(ctx, tx, counts, through); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// rollKey is one topic_daily row.
type rollKey struct {
	Dim, Dept, Key, Sent string
	Day                  time.Time
	Term                 string
}

// praised says whether a rating gets the empty term, the rating itself: read
// only by MostPraised (positive ratings per staff member and hall), so written only
// there (migration 0017; topic_count follows the same rule).
func praised(sent Sentiment, r commented) bool {
	return sent == Positive && (r.Staff != "" || r.Hall != "")
}

func addCounts(m map[rollKey]int, r commented, sent Sentiment, term string) {
	day := stats.Day(r.RatedAt)
	k := rollKey{Sent: string(sent), Day: day, Term: term}
	add := func(dim, dept, key string) {
		k.Dim, k.Dept, k.Key = dim, dept, key
		m[k]++
	}
	if term != "" {
		add("all", "", "")
		add("department", r.Dept, "")
		if r.Item != "" {
			add("service_item", r.Dept, r.Item)
		}
	}
	if r.Hall != "" {
		add("hall", r.Dept, r.Hall)
	}
	if r.Staff != "" && term == "" {
		add("staff", r.Dept, r.Staff)
	}
}

// addRollup adds m to topic_daily, and the days of months already closed
// (before through) to topic_monthly too: late ratings, a backlog.
func addRollup(ctx context.Context, tx pgx.Tx, m map[rollKey]int, through time.Time) error {
	months := map[rollKey]int{}
	for k, n := range m {
		if k.Day.Before(through) {
			k.Day = time.Date(k.Day.Year(), k.Day.Month(), 1, 0, 0, 0, 0, time.UTC)
			months[k] += n
		}
	}
	if err := upsertRollup(ctx, tx, "topic_daily", "day", m); err != nil {
		return err
	}
	if len(months) == 0 {
		return nil
	}
	return upsertRollup(ctx, tx, "topic_monthly", "month", months)
}

func upsertRollup(ctx context.Context, tx pgx.Tx, table, col string, m map[rollKey]int) error {
	keys := make([]rollKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// One order for every drainer, so two never wait on each other's rows.
	slices.SortFunc(keys, func(a, b rollKey) int {
		return cmp.Or(strings.Compare(a.Dim, b.Dim), strings.Compare(a.Dept, b.Dept), strings.Compare(a.Key, b.Key),
			strings.Compare(a.Sent, b.Sent), a.Day.Compare(b.Day), strings.Compare(a.Term, b.Term))
	})
	c := len(keys)
	dim, dept, key, sent, term := make([]string, 0, c), make([]string, 0, c), make([]string, 0, c), make([]string, 0, c), make([]string, 0, c)
	day, n := make([]time.Time, 0, c), make([]int32, 0, c)
	for _, k := range keys {
		dim, dept, key, sent, term = append(dim, k.Dim), append(dept, k.Dept), append(key, k.Key), append(sent, k.Sent), append(term, k.Term)
		day, n = append(day, k.Day), append(n, int32(m[k]))
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` AS x (dim, department_code, key, sentiment, `+col+`, term, n)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::int[])
		ON CONFLICT (dim, department_code, key, sentiment, `+col+`, term) DO UPDATE SET n = x.n + excluded.n`,
		dim, dept, key, sent, day, term, n)
	return err
}

// querier is a pool or a transaction.
type querier interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}

// snapshot opens the read-only transaction a read runs in: the queued ratings it
// segments itself and the rollups it adds them to must be one snapshot, or a
// drain committed between the two reads counts its ratings twice.
//
// Without parallel workers: after five runs of a prepared statement Postgres may
// keep a generic plan, and for the rollup reads (an array of days, not knowing
// how many) that plan gathered two workers. Starting them cost more than the few
// thousand index rows they read: a one-department read at 10 M ratings took
// 150-250 ms that way against 11 ms serially (EXPLAIN ANALYZE, BENCHMARKS.md
// "Topics, third pass"). Sent with BEGIN, in one round trip.
func (s *Service) snapshot(ctx context.Context) (pgx.Tx, error) {
	return s.DB.BeginTx(ctx, pgx.TxOptions{BeginQuery: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
		SET LOCAL max_parallel_workers_per_gather = 0`})
}

// queryCommented reads ratings (alias r) with what segmentation and examples
// need, after lead (a column of the query's own, or "" for none); where follows
// the FROM clause.
func queryCommented(ctx context.Context, q querier, lead, where string, args ...any) ([]commented, error) {
	if lead == "" {
		lead = "''"
	}
	rows, err := q.Query(ctx, `SELECT `+lead+`, r.id, r.comment, r.department_code, r.service_item_code, r.hall_code, r.staff_id,
			r.level, r.rated_at, r.excluded, r.citizen_anonymous, r.citizen_name,
			(SELECT t.department_code FROM tickets t WHERE t.rating_id = r.id)
		FROM ratings r `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (commented, error) {
		var c commented
		err := row.Scan(&c.Term, &c.ID, &c.Comment, &c.Dept, &c.Item, &c.Hall, &c.Staff, &c.Level, &c.RatedAt,
			&c.Excluded, &c.Anonymous, &c.Name, &c.TicketDept)
		return c, err
	})
}

// loadWords gives the segmenter the admin's words.
func (s *Service) loadWords(ctx context.Context) error {
	ws, err := s.Words(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]string, len(ws))
	for _, w := range ws {
		m[w.Word] = w.Kind
	}
	s.segmenter().SetWords(m)
	return nil
}

// When intake is busy the drainer stands aside: segmenting and counting a
// rating costs a sixth to a quarter of the CPU storing it does (mostly the
// rollup upserts; TestDrainProfile), so a drainer keeping up during a burst
// that saturates the cores takes 14-19% of intake's throughput. It yields while
// more than BusyRate commented ratings a second arrive, for at most MaxLag and MaxQueue
// queued ratings, then catches up (and keeps up under sustained load). Reads
// stay exact meanwhile: they segment the queued ratings of their slice
// themselves (up to pendingCap, twice MaxQueue).
const (
	BusyRate = 50               // commented ratings a second that make intake busy
	MaxLag   = 20 * time.Second // the longest the drainer stands aside
	MaxQueue = 15000            // the longest queue it stands aside for
)

// Drainer paces Drain for RunDrainer (and the benchmark): one Tick a second.
type Drainer struct {
	S     *Service
	last  int64     // the queue after the previous tick
	since time.Time // when the queue was last seen empty after a drain; zero: empty
}

// Tick drains the queue unless intake is busy and the lag allows waiting; it
// returns how many ratings it segmented and whether it stood aside.
func (d *Drainer) Tick(ctx context.Context, interval time.Duration) (n int, yielded bool, err error) {
	q, err := d.S.queued(ctx, MaxQueue)
	if err != nil {
		return 0, false, err
	}
	now := time.Now()
	grew := q - d.last
	d.last = q
	if q > 0 && d.since.IsZero() {
		d.since = now
	}
	if q > 0 && float64(grew) >= BusyRate*interval.Seconds() && q < MaxQueue && now.Sub(d.since) < MaxLag {
		return 0, true, nil
	}
	n, err = d.S.Drain(ctx) // also closes a month that is over, queue or not
	if err != nil {
		return n, false, err
	}
	if d.last, err = d.S.queued(ctx, MaxQueue); err != nil {
		return n, false, err
	}
	d.since = time.Time{}
	if d.last > 0 {
		d.since = now // what arrived during the drain: waits one more drain at most
	}
	return n, false, nil
}

// queued counts the queue up to limit.
func (s *Service) queued(ctx context.Context, limit int) (n int64, err error) {
	err = s.DB.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM topic_queue LIMIT $1) q`, limit).Scan(&n)
	return n, err
}

// RunDrainer ticks a Drainer every interval until ctx ends: the background job
// (run by the worker process, next to the statistics folder) that segments
// comments off the request path.
func (s *Service) RunDrainer(ctx context.Context, interval time.Duration, log *slog.Logger) {
	d := &Drainer{S: s}
	stats.Every(ctx, interval, log, "segmenting rating comments", func(ctx context.Context) (int, error) {
		n, _, err := d.Tick(ctx, interval)
		return n, err
	})
}

// Pending is the number of ratings waiting to be segmented.
func (s *Service) Pending(ctx context.Context) (n int64, err error) {
	defer wrap(&err, "topics.Pending")
	err = s.DB.QueryRow(ctx, `SELECT count(*) FROM topic_queue`).Scan(&n)
	return n, err
}

func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf(format+": %w", append(args, *errp)...)
	}
}
