package store

import (
	"context"
	"crypto/sha256"
	"errors"
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

// CreateUser stores a user with an already hashed password.
func (s *Store) CreateUser(ctx context.Context, u domain.User, passwordHash string) (err error) {
	defer wrap(&err, "store.CreateUser")
	var dept *string
	if u.DepartmentCode != "" {
		dept = &u.DepartmentCode
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO users (username, password_hash, role, department_code, display_name)
		VALUES ($1, $2, $3, $4, $5)`, u.Username, passwordHash, u.Role, dept, u.DisplayName)
	if isUniqueViolation(err) {
		return domain.E(domain.KindConflict, "user_exists", "user %s already exists", u.Username)
	}
	return err
}

func (s *Store) GetUser(ctx context.Context, username string) (u domain.User, passwordHash string, err error) {
	var dept *string
	err = s.pool.QueryRow(ctx, `SELECT username, role, department_code, display_name, disabled_at IS NOT NULL, password_hash
		FROM users WHERE username = $1`,
		username).Scan(&u.Username, &u.Role, &dept, &u.DisplayName, &u.Disabled, &passwordHash)
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
	rows, err := s.pool.Query(ctx, `SELECT username, role, coalesce(department_code, ''), display_name, disabled_at IS NOT NULL
		FROM users ORDER BY username`)
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
		RETURNING u.username, u.role, u.department_code, u.display_name, t.expires_at`,
		HashToken(token)).Scan(&u.Username, &u.Role, &dept, &u.DisplayName, &exp)
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
