package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// Session is a signed-in browser: its user and the token its forms must carry.
type Session struct {
	User      domain.User
	CSRFToken string
	ExpiresAt time.Time
}

// NewSession is what CreateSession stores; Token is the cookie value, kept only hashed.
type NewSession struct {
	Token       string
	Username    string
	CSRFToken   string
	TTL         time.Duration // absolute lifetime
	IdleTimeout time.Duration // ends earlier after this long without a request
}

// CreateSession stores a new session and sweeps sessions that ended long ago.
func (s *Store) CreateSession(ctx context.Context, ns NewSession) (err error) {
	defer wrap(&err, "store.CreateSession")
	return s.Transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < now() - interval '1 day'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, username, csrf_token, expires_at, idle_timeout)
			VALUES ($1, $2, $3, now() + $4::interval, $5::interval)`,
			HashToken(ns.Token), ns.Username, ns.CSRFToken, ns.TTL, ns.IdleTimeout)
		return err
	})
}

// SessionByToken finds a live session by its cookie value and marks it used; an
// unknown, expired or idle session is domain.ErrUnauthorized.
func (s *Store) SessionByToken(ctx context.Context, token string) (ss Session, err error) {
	var dept *string
	err = s.pool.QueryRow(ctx, `
		UPDATE sessions s SET last_seen_at = now()
		FROM users u
		WHERE s.id_hash = $1 AND u.username = s.username AND u.disabled_at IS NULL
		  AND s.expires_at > now() AND s.last_seen_at + s.idle_timeout > now()
		RETURNING u.username, u.role, u.department_code, u.display_name, s.csrf_token, s.expires_at`,
		HashToken(token)).Scan(&ss.User.Username, &ss.User.Role, &dept, &ss.User.DisplayName, &ss.CSRFToken, &ss.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ss, domain.ErrUnauthorized
	}
	if err != nil {
		return ss, wrapped(err, "store.SessionByToken")
	}
	if dept != nil {
		ss.User.DepartmentCode = *dept
	}
	return ss, nil
}

// DeleteSession signs a browser out.
func (s *Store) DeleteSession(ctx context.Context, token string) (err error) {
	defer wrap(&err, "store.DeleteSession")
	_, err = s.pool.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, HashToken(token))
	return err
}

// LoginUser is a user as sign-in sees it.
type LoginUser struct {
	domain.User
	PasswordHash string
	LockedUntil  *time.Time // set while sign-in is refused after too many failures
}

// UserForLogin returns the user with the fields sign-in needs; the lock is
// reported only while it lasts.
func (s *Store) UserForLogin(ctx context.Context, username string) (lu LoginUser, err error) {
	var dept *string
	err = s.pool.QueryRow(ctx, `
		SELECT username, role, department_code, display_name, password_hash,
		       CASE WHEN locked_until > now() THEN locked_until END
		FROM users WHERE username = $1 AND disabled_at IS NULL -- a disabled user signs in as an unknown one
		`, username).
		Scan(&lu.Username, &lu.Role, &dept, &lu.DisplayName, &lu.PasswordHash, &lu.LockedUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return lu, domain.ErrNotFound
	}
	if err != nil {
		return lu, wrapped(err, "store.UserForLogin")
	}
	if dept != nil {
		lu.DepartmentCode = *dept
	}
	return lu, nil
}

// RecordFailedLogin counts a wrong password; the max-th failure in a row locks the
// user for lockFor and starts the count again. It returns the lock's end, if any.
func (s *Store) RecordFailedLogin(ctx context.Context, username string, max int, lockFor time.Duration) (lockedUntil *time.Time, err error) {
	defer wrap(&err, "store.RecordFailedLogin")
	err = s.pool.QueryRow(ctx, `
		UPDATE users SET
			locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN now() + $3::interval ELSE locked_until END,
			failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END
		WHERE username = $1
		RETURNING CASE WHEN locked_until > now() THEN locked_until END`, username, max, lockFor).Scan(&lockedUntil)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return lockedUntil, err
}

// ResetFailedLogins clears the count after a successful sign-in.
func (s *Store) ResetFailedLogins(ctx context.Context, username string) (err error) {
	defer wrap(&err, "store.ResetFailedLogins")
	_, err = s.pool.Exec(ctx, `UPDATE users SET failed_logins = 0 WHERE username = $1 AND failed_logins <> 0`, username)
	return err
}

// UnlockUser lifts a lockout before it ends (an admin's action).
func (s *Store) UnlockUser(ctx context.Context, username string) (err error) {
	defer wrap(&err, "store.UnlockUser")
	tag, err := s.pool.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = $1`, username)
	if err == nil && tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return err
}

func wrapped(err error, where string) error {
	wrap(&err, where)
	return err
}
