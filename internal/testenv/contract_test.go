package testenv

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// recordingTB keeps what Contract reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Helper() {}

func TestContractFindsBreaches(t *testing.T) {
	errBody := `{"error":{"code":"unknown_field","message":"x: unknown field"}}`
	tests := []struct {
		name         string
		method, path string
		body         string
		status       int
		contentType  string
		answer       string
		wantBreach   string // "" none; else a part of the report
	}{
		{"valid answer", "GET", "/healthz", "", 200, "application/json", `{"status":"ok"}`, ""},
		{"wrong body shape", "GET", "/api/v1/tickets/T1", "", 200, "application/json", `{"number":1}`, "response"},
		{"undocumented status", "GET", "/healthz", "", 418, "application/json", `{"status":"ok"}`, "response"},
		{"refused bad request", "POST", "/api/v1/ratings", `{"id":"r","x":1}`, 400, "application/json", errBody, ""},
		{"accepted bad request", "POST", "/api/v1/ratings", `{"id":"r","x":1}`, 201, "application/json",
			`{"id":"r","negative":false}`, "accepted a request the document refuses"},
		{"error body not the contract's", "GET", "/api/v1/ratings/r", "", 404, "application/json", `{"message":"no"}`, "response"},
		{"undocumented API path", "GET", "/api/v1/nothing", "", 200, "application/json", `{}`, "no such operation"},
		{"unknown API path answered 404", "GET", "/api/v1/nothing", "", 404, "application/json", errBody, ""},
		{"browser page", "GET", "/login", "", 200, "text/html", "<p>hi</p>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			h := Contract(rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.answer))
			}))
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer x")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.status || w.Body.String() != tt.answer {
				t.Errorf("the wrapper changed the response: %d %q", w.Code, w.Body.String())
			}
			got := strings.Join(rec.errs, "\n")
			switch {
			case tt.wantBreach == "" && got != "":
				t.Errorf("reported a breach where there is none:\n%s", got)
			case tt.wantBreach != "" && !strings.Contains(got, tt.wantBreach):
				t.Errorf("report %q, want one naming %q", got, tt.wantBreach)
			}
		})
	}
}
