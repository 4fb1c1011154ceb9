// Package testdb gives a test its own Postgres database: created and migrated
// for the test, dropped after it. It imports only store, so every package's tests
// can use it, store's own (package store_test), server's and web's in-package
// tests included; internal/testenv starts whole systems on it.
package testdb

import (
	"context"
	"os"
	"testing"

	"rectify/store"
)

// BaseURL is the server test databases are created on: RECTIFY_TEST_DATABASE_URL
// (set by `make test`) or the local default.
func BaseURL() string {
	if u := os.Getenv("RECTIFY_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// New creates an empty, migrated database that is dropped after the test.
func New(tb testing.TB) *store.Store {
	tb.Helper()
	st, _ := NewWithURL(tb)
	return st
}

// NewWithURL is New for a test that also opens the database itself (another
// process, a pool of its own): its store and its URL.
func NewWithURL(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	st, dbURL, drop, err := store.OpenScratch(context.Background(), BaseURL(), "rectify_test_")
	if err != nil {
		tb.Fatalf("open test database (is Postgres running? `make test` starts one): %v", err)
	}
	tb.Cleanup(drop)
	return st, dbURL
}
