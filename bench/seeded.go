package bench

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"rectify/store"
)

// The commands that benchmark at scale (bench/stats, bench/topics) seed millions
// of ratings once and may keep them between runs: their database has a fixed
// name, unlike the scratch databases of StartSystem.

// SeededDatabase opens the migrated database name on base's server: created
// fresh unless reuse is set and it exists. done closes it, and drops it too
// unless keep is set.
func SeededDatabase(ctx context.Context, base, name string, reuse, keep bool) (st *store.Store, done func(), err error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil, err
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	if !reuse {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return nil, nil, err
		}
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") {
		return nil, nil, err
	}
	u.Path = "/" + name
	if st, err = store.Open(ctx, u.String()); err != nil {
		return nil, nil, err
	}
	done = func() {
		st.Close()
		if keep {
			return
		}
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	if _, err := st.Migrate(ctx); err != nil {
		done()
		return nil, nil, err
	}
	return st, done, nil
}

// PrintSizes prints the estimated rows and the size with indexes of tables, as
// a Markdown table, largest first.
func PrintSizes(ctx context.Context, pool *pgxpool.Pool, tables ...string) error {
	rows, err := pool.Query(ctx, `
		SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid))
		FROM pg_class c WHERE c.relname = ANY($1)
		ORDER BY pg_total_relation_size(c.oid) DESC`, tables)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Println("| table | rows (estimate) | size with indexes |")
	fmt.Println("|---|---|---|")
	for rows.Next() {
		var (
			name, size string
			n          int64
		)
		if err := rows.Scan(&name, &n, &size); err != nil {
			return err
		}
		fmt.Printf("| %s | %d | %s |\n", name, n, size)
	}
	fmt.Println()
	return rows.Err()
}

// Pct is the p-th percentile of sorted latencies in milliseconds ("-" for none).
func Pct(lat []time.Duration, p int) string {
	if len(lat) == 0 {
		return "-"
	}
	i := (len(lat)*p+99)/100 - 1
	i = max(0, min(i, len(lat)-1))
	return fmt.Sprintf("%.1f ms", float64(lat[i].Microseconds())/1000)
}

// Ingest inserts single ratings at full speed from clients goroutines for dur,
// the i-th made by rating(i) with i drawn from seq, while job (when not nil)
// runs beside them every second, as the worker's background loop would. It
// returns ratings stored per second and what job did per second. The first
// error stops the run.
func Ingest(ctx context.Context, st *store.Store, dur time.Duration, clients int, seq *int64,
	rating func(i int64) store.NewRating, job func() (int, error)) (rate, jobRate float64, err error) {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		n, done  atomic.Int64
		wg       sync.WaitGroup
		failOnce sync.Once
	)
	fail := func(e error) { failOnce.Do(func() { err = e; cancel() }) }
	start := time.Now()
	if job != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k, e := job()
				if e != nil {
					fail(e)
					return
				}
				done.Add(int64(k))
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, e := st.CreateRatings(ctx, []store.NewRating{rating(atomic.AddInt64(seq, 1))}); e != nil {
					if ctx.Err() == nil {
						fail(e)
					}
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	return float64(n.Load()) / elapsed.Seconds(), float64(done.Load()) / elapsed.Seconds(), err
}
