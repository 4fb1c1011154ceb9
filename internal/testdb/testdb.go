// Package testdb gives a test its own Postgres database: created and migrated
// for the test, dropped after it. It imports only store, so every package's tests
// can use it, store's own (package store_test), server's and web's in-package
// tests included; internal/testenv starts whole systems on it.
package testdb

import (
	"context"
	"crypto/sha256"
	"os"
	"testing"
	"time"

	"rectify/domain"
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

// TwoDepartments registers D-A (甲局) and D-B (乙局), the departments of the
// hand-made data sets of the statistics, server and page tests.
func TwoDepartments(tb testing.TB, st *store.Store) {
	tb.Helper()
	for _, d := range []domain.Department{{Code: "D-A", Name: "甲局"}, {Code: "D-B", Name: "乙局"}} {
		if err := st.CreateDepartment(context.Background(), d); err != nil {
			tb.Fatal(err)
		}
	}
}

// ThreeRatings stores the ratings of the server and page tests' hand-made data
// set, all rated at at in a hall on attitude: "a" very satisfied and "b"
// dissatisfied of D-A, "c" satisfied of D-B (TwoDepartments registers them).
func ThreeRatings(tb testing.TB, st *store.Store, at time.Time) {
	tb.Helper()
	var rs []domain.Rating
	for i, l := range []domain.Level{domain.VerySatisfied, domain.Dissatisfied, domain.Satisfied} {
		dept := "D-A"
		if i == 2 {
			dept = "D-B"
		}
		rs = append(rs, domain.Rating{ID: string(rune('a' + i)), Channel: domain.ChannelHall, Level: l,
			Negative: l.Negative(), RatedAt: at, DepartmentCode: dept, Aspects: []string{"attitude"}})
	}
	Rate(tb, st, rs...)
}

// UserWithToken creates u (password "x") with the API token token.
func UserWithToken(tb testing.TB, st *store.Store, u domain.User, token string) {
	tb.Helper()
	if err := st.CreateUser(context.Background(), u, "x"); err != nil {
		tb.Fatal(err)
	}
	if err := st.CreateToken(context.Background(), u.Username, token); err != nil {
		tb.Fatal(err)
	}
}

// Rating is r as the store takes it, with the SHA-256 of its ID as its body hash.
func Rating(r domain.Rating) store.NewRating {
	h := sha256.Sum256([]byte(r.ID))
	return store.NewRating{BodyHash: h[:], Rating: r}
}

// Rate stores the ratings in one call (one statement for the triggers), each
// as Rating, and returns what the store answered.
func Rate(tb testing.TB, st *store.Store, rs ...domain.Rating) []store.RatingResult {
	tb.Helper()
	nrs := make([]store.NewRating, len(rs))
	for i, r := range rs {
		nrs[i] = Rating(r)
	}
	res, err := st.CreateRatings(context.Background(), nrs)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}
