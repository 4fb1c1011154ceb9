package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"rectify/domain"
)

// TestFailedAnswersAsTheAPI: a page says a refusal with the API's status and
// code (server.Answer): a Postgres data exception (class 22) is the caller's
// 422 invalid_value, as the API answers it, not a 500; a fault shows nothing of
// its cause.
func TestFailedAnswersAsTheAPI(t *testing.T) {
	for want, err := range map[string]error{ // status and code, as the API answers err
		"422 invalid_value":  fmt.Errorf("store.X: %w", &pgconn.PgError{Code: "22001"}),
		"422 invalid_rating": domain.Invalid("invalid_rating", []domain.FieldError{{Field: "id", Message: "required"}}),
		"404 not_found":      domain.ErrNotFound,
		"500 ":               errors.New("disk on fire"),
	} {
		got := failed(err)
		if g := fmt.Sprintf("%d %s", got.Status, got.Err.Code); g != want {
			t.Errorf("failed(%v) = %s, want %s", err, g, want)
		}
		if got.Status >= 500 && got.Err.Message != "" {
			t.Errorf("a fault's message reached the page: %q", got.Err.Message)
		}
	}
	if got := failed(&pgconn.PgError{Code: "23505"}); got.Status != http.StatusInternalServerError {
		t.Errorf("a database error other than a data exception = %d, want 500", got.Status)
	}
}
