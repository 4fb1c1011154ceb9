package bench

import "os"

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
