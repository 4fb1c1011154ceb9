package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"rectify/domain"
)

// CreateDepartment registers a department; an existing code is a conflict.
func (s *Store) CreateDepartment(ctx context.Context, d domain.Department) (err error) {
	defer wrap(&err, "store.CreateDepartment")
	_, err = s.pool.Exec(ctx, `INSERT INTO departments (code, name) VALUES ($1, $2)`, d.Code, d.Name)
	if isUniqueViolation(err) {
		return domain.E(domain.KindConflict, "department_exists", "department %s already exists", d.Code)
	}
	return err
}

// UpsertDepartment creates or renames a department (demo data, seeding).
func (s *Store) UpsertDepartment(ctx context.Context, d domain.Department) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO departments (code, name) VALUES ($1, $2)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name`, d.Code, d.Name)
	return err
}

func (s *Store) ListDepartments(ctx context.Context) (ds []domain.Department, err error) {
	defer wrap(&err, "store.ListDepartments")
	rows, err := s.pool.Query(ctx, `SELECT code, name FROM departments ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Department])
}

func (s *Store) DepartmentExists(ctx context.Context, code string) (ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM departments WHERE code = $1)`, code).Scan(&ok)
	return ok, err
}

// ResolveDepartment turns what a person typed into a department field into its
// code: a code as it stands, else the name of exactly one department (trimmed).
// ok is false when neither matches (or the name is ambiguous).
func (s *Store) ResolveDepartment(ctx context.Context, v string) (code string, ok bool, err error) {
	defer wrap(&err, "store.ResolveDepartment")
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT code FROM departments WHERE code = $1
		UNION ALL (SELECT code FROM departments WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM departments WHERE code = $1) LIMIT 2)`, v)
	if err != nil {
		return "", false, err
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(codes) != 1 {
		return "", false, err
	}
	return codes[0], true, nil
}

// CreateUser stores a user with an already hashed password.
func (s *Store) CreateUser(ctx context.Context, u domain.User, passwordHash string) (err error) {
	defer wrap(&err, "store.CreateUser")
	var dept *string
	if u.DepartmentCode != "" {
		dept = &u.DepartmentCode
	}
	return s.Transact(ctx, func(tx pgx.Tx) error {
		if u.RatingIDPrefix != "" {
			// Prefixes must not overlap, or one source could take ids of another: checked
			// under a lock so that two creations cannot both pass.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7332202)`); err != nil {
				return err
			}
			var other string
			err := tx.QueryRow(ctx, `SELECT username FROM users WHERE rating_id_prefix <> ''
				AND (starts_with(rating_id_prefix, $1) OR starts_with($1, rating_id_prefix)) LIMIT 1`, u.RatingIDPrefix).Scan(&other)
			if err == nil {
				return domain.E(domain.KindConflict, "prefix_taken", "rating_id_prefix overlaps another source's prefix")
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (username, password_hash, role, department_code, display_name, channel, rating_id_prefix)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.Username, passwordHash, u.Role, dept, u.DisplayName, u.Channel, u.RatingIDPrefix)
		if isUniqueViolation(err) {
			return domain.E(domain.KindConflict, "user_exists", "user %s already exists", u.Username)
		}
		return err
	})
}

func (s *Store) GetUser(ctx context.Context, username string) (u domain.User, passwordHash string, err error) {
	var dept *string
	err = s.pool.QueryRow(ctx, `SELECT username, role, department_code, display_name, disabled_at IS NOT NULL,
		channel, rating_id_prefix, password_hash FROM users WHERE username = $1`,
		username).Scan(&u.Username, &u.Role, &dept, &u.DisplayName, &u.Disabled, &u.Channel, &u.RatingIDPrefix, &passwordHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, "", domain.ErrNotFound
	}
	if dept != nil {
		u.DepartmentCode = *dept
	}
	return u, passwordHash, err
}

func (s *Store) ListUsers(ctx context.Context) (us []domain.User, err error) {
	defer wrap(&err, "store.ListUsers")
	rows, err := s.pool.Query(ctx, `SELECT username, role, coalesce(department_code, ''), display_name, disabled_at IS NOT NULL,
		channel, rating_id_prefix FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[domain.User])
}

// HashToken is how API tokens are kept at rest. Tokens carry 256 random bits, so a
// fast hash is enough: there is nothing to brute-force.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateToken stores the hash of a new token for username.
func (s *Store) CreateToken(ctx context.Context, username, token string) (err error) {
	defer wrap(&err, "store.CreateToken")
	_, err = s.pool.Exec(ctx, `INSERT INTO api_tokens (token_hash, username) VALUES ($1, $2)`, HashToken(token), username)
	return err
}

// UserByToken finds the live user a token belongs to, and when the token expires
// (zero: never). A revoked or expired token, or a disabled user's, is
// domain.ErrUnauthorized. It marks the token used.
func (s *Store) UserByToken(ctx context.Context, token string) (u domain.User, expires time.Time, err error) {
	var (
		dept *string
		exp  *time.Time
	)
	err = s.pool.QueryRow(ctx, `
		UPDATE api_tokens t SET last_used_at = now()
		FROM users u
		WHERE t.token_hash = $1 AND u.username = t.username AND t.revoked_at IS NULL
		  AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.disabled_at IS NULL
		RETURNING u.username, u.role, u.department_code, u.display_name, u.channel, u.rating_id_prefix, t.expires_at`,
		HashToken(token)).Scan(&u.Username, &u.Role, &dept, &u.DisplayName, &u.Channel, &u.RatingIDPrefix, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, expires, domain.ErrUnauthorized
	}
	if dept != nil {
		u.DepartmentCode = *dept
	}
	if exp != nil {
		expires = *exp
	}
	return u, expires, err
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// RatingIDPrefixes maps each bound source's rating id prefix to its username.
func (s *Store) RatingIDPrefixes(ctx context.Context) (m map[string]string, err error) {
	defer wrap(&err, "store.RatingIDPrefixes")
	rows, err := s.pool.Query(ctx, `SELECT rating_id_prefix, username FROM users WHERE rating_id_prefix <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m = map[string]string{}
	for rows.Next() {
		var p, u string
		if err := rows.Scan(&p, &u); err != nil {
			return nil, err
		}
		m[p] = u
	}
	return m, rows.Err()
}
