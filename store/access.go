package store

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// TokenInfo is what may be shown of an API token: never the token or its hash.
type TokenInfo struct {
	ID         int64      `json:"id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// IssueToken stores the hash of a new token for username, expiring after ttl (0:
// never), and returns its metadata.
func (s *Store) IssueToken(ctx context.Context, username, token string, ttl time.Duration) (ti TokenInfo, err error) {
	defer wrap(&err, "store.IssueToken")
	var exp *time.Duration
	if ttl > 0 {
		exp = &ttl
	}
	err = s.pool.QueryRow(ctx, `
		INSERT INTO api_tokens (token_hash, username, expires_at) VALUES ($1, $2, now() + $3::interval)
		RETURNING id, created_at, expires_at, last_used_at`, HashToken(token), username, exp).
		Scan(&ti.ID, &ti.CreatedAt, &ti.ExpiresAt, &ti.LastUsedAt)
	return ti, err
}

// ListTokens lists a user's live tokens (not revoked, not expired), newest first.
func (s *Store) ListTokens(ctx context.Context, username string) (ts []TokenInfo, err error) {
	defer wrap(&err, "store.ListTokens")
	rows, err := s.pool.Query(ctx, `
		SELECT id, created_at, expires_at, last_used_at FROM api_tokens
		WHERE username = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
		ORDER BY id DESC`, username)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[TokenInfo])
}

// RevokeToken ends one of username's tokens; an unknown or already revoked one is
// domain.ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, username string, id int64) (err error) {
	defer wrap(&err, "store.RevokeToken")
	tag, err := s.pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = now()
		WHERE id = $1 AND username = $2 AND revoked_at IS NULL`, id, username)
	if err == nil && tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return err
}

// SetDisabled disables or enables a user. Disabling also ends their browser
// sessions: a session outlives nothing it should not.
func (s *Store) SetDisabled(ctx context.Context, username string, disabled bool) (err error) {
	defer wrap(&err, "store.SetDisabled")
	return s.Transact(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
			WHERE username = $1`, username, disabled)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		if disabled {
			_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE username = $1`, username)
		}
		return err
	})
}

// SetPassword replaces a user's password hash and ends their sessions, except the
// one whose cookie is keep (the user changing their own password stays signed in).
func (s *Store) SetPassword(ctx context.Context, username, passwordHash, keep string) (err error) {
	defer wrap(&err, "store.SetPassword")
	return s.Transact(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, password_changed_at = now(),
			failed_logins = 0, locked_until = NULL WHERE username = $1`, username, passwordHash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE username = $1 AND id_hash <> $2`, username, HashToken(keep))
		return err
	})
}

// AuditEntry is one line of the admin audit log.
type AuditEntry struct {
	ID     int64           `json:"-"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail"`
}

// DetailText is the detail as JSON text, for pages.
func (e AuditEntry) DetailText() string { return string(e.Detail) }

// Audit appends an entry. detail is encoded as JSON; it must never hold a
// password, a token or a phone number.
func (s *Store) Audit(ctx context.Context, actor, action, target string, detail any) (err error) {
	defer wrap(&err, "store.Audit")
	if detail == nil {
		detail = map[string]any{}
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO audit_log (actor, action, target, detail) VALUES ($1, $2, $3, $4)`,
		actor, action, target, b)
	return err
}

// ListAudit pages through the audit log, newest first; cursor is the last page's
// next cursor ("" for the first page).
func (s *Store) ListAudit(ctx context.Context, cursor string, limit int) (es []AuditEntry, next string, err error) {
	defer wrap(&err, "store.ListAudit")
	before := int64(1<<63 - 1)
	if cursor != "" {
		if before, err = strconv.ParseInt(cursor, 10, 64); err != nil || before <= 0 {
			return nil, "", domain.Invalid("invalid_cursor", []domain.FieldError{{Field: "cursor", Message: "not a cursor this endpoint gave"}})
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor, action, target, detail FROM audit_log
		WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit+1)
	if err != nil {
		return nil, "", err
	}
	es, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
	if err != nil {
		return nil, "", err
	}
	if len(es) > limit {
		es = es[:limit]
		next = strconv.FormatInt(es[len(es)-1].ID, 10)
	}
	return es, next, nil
}

// userNotFound maps no rows to domain.ErrNotFound.
func userNotFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ErrNotFound
	}
	return err
}
