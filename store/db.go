// Package store is rectify's Postgres adapter (pgx v5): ratings, tickets and their
// events, users and tokens, the notification outbox, survey tokens and calendar
// overrides. Exported methods own their transaction; SQL is plain, with $n parameters.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the Postgres-backed store.
type Store struct {
	pool  *pgxpool.Pool
	group ratingGroup // merges concurrent CreateRating calls (ratings.go)
}

// Open connects to url, creating the database first when it does not exist yet
// (a fresh dev machine has a server but not our database).
func Open(ctx context.Context, dbURL string) (s *Store, err error) {
	defer wrap(&err, "store.Open")
	if err := ensureDatabase(ctx, dbURL); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	// pgx's default (4, or the CPUs) is too few for the API and worker together;
	// a pool_max_conns in the URL is the operator's choice and is kept as given.
	if !strings.Contains(cfg.ConnString(), "pool_max_conns") {
		cfg.MaxConns = max(cfg.MaxConns, 16)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Pool exposes the pool to code that needs raw access (benchmarks, seeding).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func (s *Store) Close() { s.pool.Close() }

// Ping checks the database answers, for /readyz.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// ensureDatabase connects with the URL's connection settings only: pool settings
// (pool_max_conns and the like) are not server parameters.
func ensureDatabase(ctx context.Context, dbURL string) error {
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("database.url: %w", err)
	}
	name := pcfg.ConnConfig.Database
	if name == "" || name == "postgres" {
		return nil
	}
	conn, err := pgx.ConnectConfig(ctx, pcfg.ConnConfig.Copy())
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return err
	}
	admin := pcfg.ConnConfig.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	return err
}

// Transact runs fn in a transaction, committing when fn returns nil.
func (s *Store) Transact(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(migrations, "migrations/*.up.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, f := range files {
		base := strings.TrimPrefix(f, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: bad number", f)
		}
		b, err := migrations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Migrate applies the embedded migrations that are not applied yet, each in its own
// transaction, under an advisory lock so that concurrent starts do not race.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	defer wrap(&err, "store.Migrate")
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	const lockID = 7_332_201 // any constant shared by every rectify process
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return nil, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID) //nolint:errcheck
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, err
	}
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		var err error
		if strings.HasPrefix(m.sql, noTransaction) {
			err = migrateStatements(ctx, conn.Conn(), m)
		} else {
			err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, m.sql); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
				return err
			})
		}
		if err != nil {
			return applied, fmt.Errorf("%s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	return applied, nil
}

// noTransaction starts a migration that must run outside a transaction (CREATE
// INDEX CONCURRENTLY): its statements, one per ';'-terminated line group, run one
// by one and must each be safe to repeat, since a crash can stop it half way.
const noTransaction = "-- rectify:no-transaction"

func migrateStatements(ctx context.Context, conn *pgx.Conn, m migration) error {
	var stmt strings.Builder
	for _, line := range strings.Split(m.sql, "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		stmt.WriteString(line + "\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if _, err := conn.Exec(ctx, stmt.String()); err != nil {
				return err
			}
			stmt.Reset()
		}
	}
	if strings.TrimSpace(stmt.String()) != "" {
		return fmt.Errorf("statement without a final ';'")
	}
	_, err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
	return err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // no table: nothing applied
		return 0, nil
	}
	return v, err
}

// CheckSchema refuses to run on a database whose schema is behind this binary.
func (s *Store) CheckSchema(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	v, err := schemaVersion(ctx, s.pool)
	if err != nil {
		return fmt.Errorf("store.CheckSchema: %w", err)
	}
	if want := ms[len(ms)-1].version; v < want {
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `rectify migrate`", v, want)
	}
	return nil
}

// wrap prefixes a non-nil error with where it happened.
func wrap(errp *error, where string) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", where, *errp)
	}
}

// conds collects the conditions of a WHERE clause and their arguments. add
// numbers the placeholders of cond ($%d, one per value, in order) after the
// arguments already collected; a cond without values is taken as it stands.
type conds struct {
	where []string
	args  []any
}

func (c *conds) add(cond string, vs ...any) {
	if len(vs) == 0 {
		c.where = append(c.where, cond)
		return
	}
	idx := make([]any, len(vs))
	for i, v := range vs {
		c.args = append(c.args, v)
		idx[i] = len(c.args)
	}
	c.where = append(c.where, fmt.Sprintf(cond, idx...))
}

// sql is the WHERE clause, or "" without conditions.
func (c *conds) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}
