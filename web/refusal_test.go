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
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"data exception", fmt.Errorf("store.X: %w", &pgconn.PgError{Code: "22001"}), http.StatusUnprocessableEntity, "invalid_value"},
		{"domain error", domain.Invalid("invalid_rating", []domain.FieldError{{Field: "id", Message: "required"}}), http.StatusUnprocessableEntity, "invalid_rating"},
		{"not found", domain.ErrNotFound, http.StatusNotFound, "not_found"},
		{"other database error", &pgconn.PgError{Code: "23505"}, http.StatusInternalServerError, ""},
		{"fault", errors.New("disk on fire"), http.StatusInternalServerError, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := failed(tt.err)
			if got.Status != tt.status || got.Err.Code != tt.code {
				t.Errorf("failed(%v) = %d %q, want %d %q", tt.err, got.Status, got.Err.Code, tt.status, tt.code)
			}
			if got.Status >= 500 && got.Err.Message != "" {
				t.Errorf("a fault's message reached the page: %q", got.Err.Message)
			}
		})
	}
}
