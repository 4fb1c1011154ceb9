package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"

	"github.com/jackc/pgx/v5"

	"rectify/store"
)

// BaseDatabaseURL is the server the benchmark creates its databases on:
// RECTIFY_DATABASE_URL (set by `make bench`), else the local default.
func BaseDatabaseURL() string {
	for _, k := range []string{"RECTIFY_DATABASE_URL", "RECTIFY_TEST_DATABASE_URL"} {
		if u := os.Getenv(k); u != "" {
			return u
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDatabase creates a fresh, migrated database named prefix + random suffix on
// the server of baseURL. drop removes it (closing st first).
func NewDatabase(ctx context.Context, baseURL, prefix string) (st *store.Store, dbURL string, drop func(), err error) {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, "", nil, fmt.Errorf("database url: %w", err)
	}
	u.Path = "/" + name
	st, err = store.Open(ctx, u.String()) // creates the database
	if err != nil {
		return nil, "", nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, "", nil, err
	}
	drop = func() {
		st.Close()
		admin := *u
		admin.Path = "/postgres"
		conn, err := pgx.Connect(context.Background(), admin.String())
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	return st, u.String(), drop, nil
}
