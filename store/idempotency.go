package store

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// IdempotentRequest is one use of an Idempotency-Key on a ticket action.
type IdempotentRequest struct {
	Username, Key        string
	TicketNumber, Action string
	Fingerprint          []byte // digest of ticket, action and body
}

// IdempotentAnswer is the first answer given under a key; Status 0 means the first
// request has not finished (or died before it could say).
type IdempotentAnswer struct {
	Status int
	Body   []byte
}

// ErrIdempotencyConflict is the key used before for another request.
var ErrIdempotencyConflict = &domain.Error{Kind: domain.KindConflict, Code: "idempotency_conflict",
	Message: "this Idempotency-Key was used for another request"}

// ClaimIdempotencyKey records the key for this request, or finds it recorded. It
// answers the stored answer (Status 0 when there is none yet) and refuses a key
// used before for a different request.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, r IdempotentRequest) (a IdempotentAnswer, err error) {
	defer wrap(&err, "store.ClaimIdempotencyKey")
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO idempotency_keys (username, key, ticket_number, action, fingerprint)
		VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING`, r.Username, r.Key, r.TicketNumber, r.Action, r.Fingerprint)
	if err != nil {
		return a, err
	}
	if tag.RowsAffected() == 1 {
		return a, nil
	}
	var (
		fp     []byte
		status *int
	)
	err = s.pool.QueryRow(ctx, `SELECT fingerprint, status, body FROM idempotency_keys WHERE username=$1 AND key=$2`,
		r.Username, r.Key).Scan(&fp, &status, &a.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		// Deleted between the two statements (expiry): treat as first use.
		return a, nil
	}
	if err != nil {
		return a, err
	}
	if !bytes.Equal(fp, r.Fingerprint) {
		return IdempotentAnswer{}, ErrIdempotencyConflict
	}
	if status != nil {
		a.Status = *status
	}
	return a, nil
}

// SaveIdempotentAnswer stores the answer given under a key; the first one stays.
func (s *Store) SaveIdempotentAnswer(ctx context.Context, username, key string, a IdempotentAnswer) (err error) {
	defer wrap(&err, "store.SaveIdempotentAnswer")
	_, err = s.pool.Exec(ctx, `UPDATE idempotency_keys SET status=$3, body=$4
		WHERE username=$1 AND key=$2 AND status IS NULL`, username, key, a.Status, a.Body)
	return err
}

// IdempotencyKeyLifetime is how long a key answers its first answer. A client
// retries within minutes; a day covers a retry queue left overnight, as Stripe's
// keys do, and keeps the table to one day of actions.
const IdempotencyKeyLifetime = 24 * time.Hour

// ExpireIdempotencyKeys deletes keys first used before now-maxAge and answers how
// many. A key reused after that is a new request.
func (s *Store) ExpireIdempotencyKeys(ctx context.Context, maxAge time.Duration) (n int64, err error) {
	defer wrap(&err, "store.ExpireIdempotencyKeys")
	tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)`,
		maxAge.Seconds())
	return tag.RowsAffected(), err
}
