// Package seed fills a database with realistic ratings and tickets, fast, through
// COPY: many departments with skewed volumes and uneven quality, about 2% negative
// ratings, and a ticket for each negative one in every status, with the events
// the workflow would have written. The statistics triggers run on the copied rows
// like on any others (the ticket events build each ticket's facts); the rollups
// are then rebuilt in one pass rather than folded delta by delta.
//
// Seeded tickets have no Temporal workflow: they are written with
// workflow_started = true so the reconciler leaves them alone, and acting on them
// through the API fails. Seed an idle database: ticket numbers are reserved from
// the live sequence, but nothing else is coordinated with live traffic.
package seed

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"rectify/calendar"
	"rectify/stats"
)

// Options say what to generate.
type Options struct {
	Ratings     int       // how many
	Departments int       // how many departments (default 300)
	Days        int       // spread over the days up to Now (default 365)
	Now         time.Time // default time.Now()
	Negative    float64   // share of negative ratings (default 0.02)
	Seed        uint64    // random seed; the same seed gives the same data
	Chunk       int       // ratings per transaction (default 50,000)
	Writers     int       // concurrent COPY transactions (default 2)
	Progress    io.Writer // optional progress lines
	IDPrefix    string    // rating ids are IDPrefix + a number (default "SEED-")
}

// Result says what was written and how long it took.
type Result struct {
	Ratings, Tickets, Events int
	Departments              int
	Load, Rebuild            time.Duration // COPY (with triggers), then rebuilding the rollups
}

func (o *Options) defaults() {
	if o.Departments == 0 {
		o.Departments = 300
	}
	if o.Days == 0 {
		o.Days = 365
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Negative == 0 {
		o.Negative = 0.02
	}
	if o.Chunk == 0 {
		o.Chunk = 50_000
	}
	if o.Writers == 0 {
		o.Writers = 2
	}
	if o.IDPrefix == "" {
		o.IDPrefix = "SEED-"
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// chunk is one transaction's worth of rows.
type chunk struct {
	ratings [][]any
	tickets [][]any
	events  [][]any
}

// Run generates and loads the data, then rebuilds the statistics rollups.
func Run(ctx context.Context, db *pgxpool.Pool, cal *calendar.Calendar, o Options) (res Result, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("seed: %w", err)
		}
	}()
	o.defaults()
	if o.Ratings < 0 {
		return res, fmt.Errorf("ratings must not be negative")
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	w, err := newWorld(o.Departments, rng, o.Negative)
	if err != nil {
		return res, err
	}
	res.Departments = len(w.depts)
	if err := stats.SyncCalendar(ctx, db, cal); err != nil {
		return res, err
	}
	if err := createDepartments(ctx, db, w); err != nil {
		return res, err
	}
	// Reserve ticket numbers: at most one per rating.
	var base int64
	if err := db.QueryRow(ctx, `SELECT nextval('ticket_number_seq')`).Scan(&base); err != nil {
		return res, err
	}
	if _, err := db.Exec(ctx, `SELECT setval('ticket_number_seq', $1)`, base+int64(o.Ratings)+1); err != nil {
		return res, err
	}

	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan chunk, o.Writers)
	errs := make(chan error, o.Writers)
	var wg sync.WaitGroup
	for i := 0; i < o.Writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if err := write(ctx, db, c); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
	g := &generator{o: o, w: w, cal: cal, rng: rng, base: base}
	genErr := g.run(ctx, chunks, func(r, t, e int) {
		res.Ratings, res.Tickets, res.Events = r, t, e
		fmt.Fprintf(o.Progress, "seed: %d ratings, %d tickets, %d events generated (%s)\n", r, t, e, time.Since(start).Round(time.Second))
	})
	close(chunks)
	wg.Wait()
	res.Load = time.Since(start)
	select {
	case err := <-errs:
		return res, err
	default:
	}
	if genErr != nil {
		return res, genErr
	}
	// One pass over everything beats folding a delta per copied rating.
	rebuild := time.Now()
	if err := (&stats.Service{DB: db}).Rebuild(ctx); err != nil {
		return res, err
	}
	res.Rebuild = time.Since(rebuild)
	for _, t := range []string{"ratings", "tickets", "ticket_events", "stats_daily", "stats_monthly", "stats_tickets"} {
		if _, err := db.Exec(context.WithoutCancel(ctx), "ANALYZE "+t); err != nil {
			return res, err
		}
	}
	return res, nil
}

func createDepartments(ctx context.Context, db *pgxpool.Pool, w *world) error {
	codes, names := make([]string, len(w.depts)), make([]string, len(w.depts))
	for i, d := range w.depts {
		codes[i], names[i] = d.code, d.name
	}
	_, err := db.Exec(ctx, `INSERT INTO departments (code, name) SELECT * FROM unnest($1::text[], $2::text[])
		ON CONFLICT (code) DO NOTHING`, codes, names)
	return err
}

var (
	ratingColumns = []string{"id", "body_hash", "channel", "level", "negative", "rated_at", "received_at",
		"department_code", "service_item_code", "staff_id", "hall_code", "case_no", "region_code", "aspects",
		"comment", "citizen_name", "citizen_phone", "citizen_anonymous", "excluded", "submitted_by"}
	ticketColumns = []string{"number", "rating_id", "status", "resolution", "department_code", "round",
		"stage_started_at", "due_at", "overdue", "escalation_level", "pending_request", "call_attempts", "call_task",
		"report", "created_at", "updated_at", "closed_at", "version", "workflow_started"}
	eventColumns = []string{"ticket_number", "seq", "type", "actor", "actor_role", "at", "note", "department_code",
		"round", "data"}
)

// write loads one chunk in one transaction: ratings, then their tickets, then the
// tickets' events (each COPY fires the statistics triggers).
func write(ctx context.Context, db *pgxpool.Pool, c chunk) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		for _, part := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{{"ratings", ratingColumns, c.ratings}, {"tickets", ticketColumns, c.tickets}, {"ticket_events", eventColumns, c.events}} {
			if len(part.rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{part.table}, part.cols, pgx.CopyFromRows(part.rows)); err != nil {
				return fmt.Errorf("COPY %s: %w", part.table, err)
			}
		}
		return nil
	})
}

// bodyHash stands in for the hash of a request seeded rows never had.
func bodyHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:16]
}
