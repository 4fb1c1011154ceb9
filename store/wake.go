package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DueWake is an open ticket whose next deadline (wake_at) has passed.
type DueWake struct {
	Number   string
	RatingID string
}

// ClaimDueWakes takes up to limit open tickets whose wake_at has passed, oldest
// first, for the deadline sweeper to signal their workflows, and moves each one's
// wake_at to now()+redeliver: another pass (this process's next, or another
// process's) does not signal it again meanwhile. The workflow's write for the
// deadline it handles stores the next one, so the moved value only matters when
// no write comes: the signal failed, or the workflow is stuck; then the ticket is
// signalled again after redeliver, not on every pass. One pass at a time across
// processes (an advisory lock); a pass that finds it held claims nothing.
func (s *Store) ClaimDueWakes(ctx context.Context, limit int, redeliver time.Duration) (due []DueWake, err error) {
	defer wrap(&err, "store.ClaimDueWakes")
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		due = nil
		var got bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(7332218)`).Scan(&got); err != nil || !got {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH due AS (
				SELECT number FROM tickets
				WHERE wake_at <= now() AND wake_at IS NOT NULL AND status <> 'closed'
				ORDER BY wake_at LIMIT $1 FOR UPDATE SKIP LOCKED)
			UPDATE tickets t SET wake_at = now() + $2 * interval '1 millisecond'
			FROM due WHERE t.number = due.number
			RETURNING t.number, t.rating_id`, limit, redeliver.Milliseconds())
		if err != nil {
			return err
		}
		due, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (DueWake, error) {
			var d DueWake
			return d, row.Scan(&d.Number, &d.RatingID)
		})
		return err
	})
	return due, err
}

// WakeAt reads a ticket's wake_at (nil: none), for tests and diagnostics.
func (s *Store) WakeAt(ctx context.Context, number string) (at *time.Time, err error) {
	err = s.pool.QueryRow(ctx, `SELECT wake_at FROM tickets WHERE number = $1`, number).Scan(&at)
	if err != nil {
		err = fmt.Errorf("store.WakeAt(%s): %w", number, err)
	}
	return at, err
}
