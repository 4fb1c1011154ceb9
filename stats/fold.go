package stats

import (
	"context"
	"log/slog"
	"time"
)

// FoldBatch is how many deltas one fold transaction moves at most: big enough to
// keep up with full-speed ingestion, small enough to keep each transaction short.
const FoldBatch = 50_000

// foldLock is the advisory lock stats_fold takes; shared with the migration.
const foldLock = 7332205

// Fold moves every pending delta into the rollups, batch by batch, waiting for a
// fold running elsewhere. It returns how many deltas it moved.
func (s *Service) Fold(ctx context.Context) (n int, err error) {
	defer wrap(&err, "stats.Fold")
	for {
		var moved int
		if err := s.DB.QueryRow(ctx, `SELECT stats_fold($1)`, FoldBatch).Scan(&moved); err != nil {
			return n, err
		}
		n += moved
		if moved < FoldBatch {
			return n, nil
		}
	}
}

// RunFolder folds every interval until ctx ends: the background job (run by the
// worker process) that keeps the rollups current while ratings stream in. Reads
// never fold: they are exact without it (they add the pending deltas), and a GET
// that writes would take a read path's caller into a write's locks and failures.
func (s *Service) RunFolder(ctx context.Context, interval time.Duration, log *slog.Logger) {
	Every(ctx, interval, log, "folding statistics", s.Fold)
}

// Every runs job every interval until ctx ends, logging (as a warning, with
// what) a failure that is not the end of ctx: the loop of a background job such
// as the folder here and topics' comment drainer.
func Every(ctx context.Context, interval time.Duration, log *slog.Logger, what string, job func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := job(ctx); err != nil && ctx.Err() == nil {
			log.Warn(what, "err", err)
		}
	}
}

// Pending is the number of deltas not folded yet.
func (s *Service) Pending(ctx context.Context) (n int64, err error) {
	defer wrap(&err, "stats.Pending")
	err = s.DB.QueryRow(ctx, `SELECT count(*) FROM stats_delta`).Scan(&n)
	return n, err
}

// Rebuild recomputes the rollups from the ratings and the tickets' facts and
// drops the pending deltas: after a bulk load (a fold per row would be slower than
// one pass) or to repair. Writers wait while it runs.
func (s *Service) Rebuild(ctx context.Context) (err error) {
	defer wrap(&err, "stats.Rebuild")
	_, err = s.DB.Exec(ctx, `SELECT stats_rebuild()`)
	return err
}
