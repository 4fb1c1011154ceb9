package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// OpenScratch creates a fresh, migrated database named prefix plus a random
// suffix on the server of baseURL, for a benchmark or a test that must not share
// one. drop closes the store and removes the database. The benchmark harness
// (bench.Env.StartSystem) and the tests' one database helper (internal/testdb) both
// start here.
func OpenScratch(ctx context.Context, baseURL, prefix string) (st *Store, dbURL string, drop func(), err error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, "", nil, fmt.Errorf("database url: %w", err)
	}
	u.Path = "/" + name
	st, err = Open(ctx, u.String()) // creates the database
	if err != nil {
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
	if _, err := st.Migrate(ctx); err != nil {
		drop()
		return nil, "", nil, fmt.Errorf("migrate: %w", err)
	}
	return st, u.String(), drop, nil
}
