package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"rectify/internal/testdb"
	"rectify/store"
)

const testAdmin = "hostile-admin-token-0123456789"

// bare is an API with no database behind it (a zero Store: any query would
// panic): enough for every request that must be refused before anything is read
// or stored.
func bare(t *testing.T) *Server {
	t.Helper()
	return New(Deps{Store: &store.Store{}, Log: slog.New(slog.DiscardHandler), BootstrapAdminToken: testAdmin})
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
	Err    errorBody
}

// send serves one request in process; remote is the client's address.
func send(s *Server, method, path string, body io.Reader, remote string, hdr ...string) reply {
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.Echo.ServeHTTP(rec, req)
	r := reply{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	_ = json.Unmarshal(r.Body, &r.Err)
	return r
}

// wantError checks the status and that the body is the contract's error shape.
func wantError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status: got %d (%s), want %d", r.Status, r.Body, status)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var shape map[string]map[string]any
	if err := json.Unmarshal(r.Body, &shape); err != nil || shape["error"] == nil {
		t.Fatalf("body is not {\"error\": {...}}: %s", r.Body)
	}
	if r.Err.Error.Code != code || r.Err.Error.Message == "" {
		t.Errorf("error: got code %q message %q, want code %q and a message", r.Err.Error.Code, r.Err.Error.Message, code)
	}
}

func rating(fields map[string]any) []byte {
	m := map[string]any{"id": "H-1", "channel": "web", "level": "satisfied", "department_code": "320100-SCJG"}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func TestBodyLimits(t *testing.T) {
	s := bare(t)
	big := rating(map[string]any{"comment": strings.Repeat("评", 1<<20/3+1)}) // a 1 MB comment
	tests := []struct {
		name    string
		path    string
		body    io.Reader
		chunked bool
	}{
		{"1 MB comment", "/api/v1/ratings", bytes.NewReader(big), false},
		{"1 MB comment, no Content-Length", "/api/v1/ratings", bytes.NewReader(big), true},
		{"just over the rating limit", "/api/v1/ratings", strings.NewReader(strings.Repeat(" ", maxBody+1)), false},
		{"batch over 16 MB, no Content-Length", "/api/v1/ratings/batch", io.MultiReader(strings.NewReader(`{"ratings":[`), strings.NewReader(strings.Repeat(" ", maxBatchBody))), true},
		{"survey answer", "/api/v1/surveys/" + strings.Repeat("a", 43), bytes.NewReader(big), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tt.path, tt.body)
			if tt.chunked {
				req.ContentLength = -1
			}
			req.RemoteAddr = "192.0.2.1:1234"
			req.Header.Set("Authorization", "Bearer "+testAdmin)
			rec := httptest.NewRecorder()
			s.Echo.ServeHTTP(rec, req)
			r := reply{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			_ = json.Unmarshal(r.Body, &r.Err)
			wantError(t, r, http.StatusRequestEntityTooLarge, "body_too_large")
		})
	}
}

func TestStrictJSON(t *testing.T) {
	s := bare(t)
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
		field  string // the field the error must name, if any
	}{
		{"unknown field", rating(map[string]any{"levle": "satisfied"}), 400, "unknown_field", "levle"},
		{"unknown nested field", rating(map[string]any{"citizen": map[string]any{"phone": "13800000000", "idcard": "x"}}), 400, "unknown_field", "idcard"},
		{"level is a number", rating(map[string]any{"level": 5}), 400, "malformed_json", "level"},
		{"aspects is a string", rating(map[string]any{"aspects": "attitude"}), 400, "malformed_json", "aspects"},
		{"citizen is an array", rating(map[string]any{"citizen": []int{1}}), 400, "malformed_json", "citizen"},
		{"rated_at is not RFC 3339", rating(map[string]any{"rated_at": "2026-11-25 09:30"}), 400, "malformed_json", ""},
		{"invalid UTF-8", append(rating(nil)[:10:10], "\xff\xfe\"}"...), 400, "invalid_utf8", ""},
		{"invalid UTF-8 inside a string", []byte("{\"id\":\"H-\xc3\x28\",\"channel\":\"web\",\"level\":\"satisfied\",\"department_code\":\"D\"}"), 400, "invalid_utf8", ""},
		{"raw NUL byte", []byte("{\"id\":\"H-1\x00\",\"channel\":\"web\",\"level\":\"satisfied\",\"department_code\":\"D\"}"), 400, "nul_character", ""},
		{"escaped NUL", rating(map[string]any{"comment": "a\x00b"}), 400, "nul_character", ""},
		{"trailing data", append(rating(nil), `{"id":"H-2"}`...), 400, "malformed_json", ""},
		{"empty body", nil, 400, "malformed_json", ""},
		{"array, not object", []byte(`[{"id":"H-1"}]`), 400, "malformed_json", ""},
		{"deep nesting", []byte(strings.Repeat("[", 100000)), 400, "malformed_json", ""},
		{"duplicate key with a wrong type", []byte(`{"id":"H-1","id":7,"channel":"web","level":"satisfied","department_code":"D"}`), 400, "malformed_json", "id"},
		{"comment over 2000 characters", rating(map[string]any{"comment": strings.Repeat("长", 2001)}), 422, "invalid_rating", "comment"},
		{"rated_at in the future", rating(map[string]any{"rated_at": future}), 422, "invalid_rating", "rated_at"},
		{"rated_at in 1970", rating(map[string]any{"rated_at": "1970-01-01T00:00:00Z"}), 422, "invalid_rating", "rated_at"},
		{"control character in id", rating(map[string]any{"id": "H-1\u0007"}), 422, "invalid_rating", "id"},
		{"id too long", rating(map[string]any{"id": strings.Repeat("x", 129)}), 422, "invalid_rating", "id"},
		{"no id", rating(map[string]any{"id": nil}), 422, "invalid_rating", "id"},
		{"unknown level", rating(map[string]any{"level": "SATISFIED"}), 422, "invalid_rating", "level"},
		{"phone with letters", rating(map[string]any{"citizen": map[string]any{"phone": "1380000abcd"}}), 422, "invalid_rating", "citizen.phone"},
		{"region not 6 digits", rating(map[string]any{"region_code": "32010'"}), 422, "invalid_rating", "region_code"},
		{"unknown aspect", rating(map[string]any{"aspects": []string{"attitude", "<script>"}}), 422, "invalid_rating", "aspects[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(s, http.MethodPost, "/api/v1/ratings", bytes.NewReader(tt.body), "192.0.2.1:1234")
			wantError(t, r, tt.status, tt.code)
			if tt.field != "" {
				var names []string
				for _, f := range r.Err.Error.Fields {
					names = append(names, f.Field)
				}
				if !strings.Contains(strings.Join(names, " "), tt.field) {
					t.Errorf("fields: got %v, want one naming %q", names, tt.field)
				}
			}
		})
	}
}

// TestSQLFragmentsStoredVerbatim stores ratings whose every free-text field is an
// injection attempt and reads them back byte for byte.
func TestSQLFragmentsStoredVerbatim(t *testing.T) {
	st := testdb.New(t)
	s := New(Deps{Store: st, Log: slog.New(slog.DiscardHandler), BootstrapAdminToken: testAdmin})
	fragments := []string{
		`x'; DROP TABLE ratings; --`,
		`1' OR '1'='1`,
		`"); DELETE FROM tickets WHERE ('1'='1`,
		`$1 $$ $tag$ \x00 \\ \' %s %d {}`,
		`Robert'); UPDATE users SET role='admin' WHERE ('a'='a`,
		"emoji 😀 and 中文 and zero\u200bwidth and RTL \u202e",
		`{"a": [1, 2, {"b": null}]}`,
		`<script>alert(1)</script>`,
	}
	for i, frag := range fragments {
		id := "SQL-" + frag + " /?#%2F"
		if len([]rune(id)) > 128 {
			id = string([]rune(id)[:128])
		}
		body := rating(map[string]any{"id": id, "comment": frag, "case_no": frag, "staff_id": frag,
			"service_item_code": frag, "hall_code": frag, "department_code": frag,
			"citizen": map[string]any{"name": frag}})
		r := send(s, http.MethodPost, "/api/v1/ratings", bytes.NewReader(body), "192.0.2.1:1234")
		if r.Status != http.StatusCreated {
			t.Fatalf("fragment %d: got %d %s, want 201", i, r.Status, r.Body)
		}
		if again := send(s, http.MethodPost, "/api/v1/ratings", bytes.NewReader(body), "192.0.2.1:1234"); again.Status != http.StatusOK {
			t.Errorf("fragment %d again: got %d %s, want 200 (the same rating)", i, again.Status, again.Body)
		}
		got := send(s, http.MethodGet, "/api/v1/ratings/"+url.PathEscape(id), nil, "192.0.2.1:1234")
		if got.Status != http.StatusOK {
			t.Fatalf("fragment %d: reading %q back: got %d %s", i, id, got.Status, got.Body)
		}
		var back map[string]any
		if err := json.Unmarshal(got.Body, &back); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"comment", "case_no", "staff_id", "service_item_code", "hall_code", "department_code"} {
			if back[k] != frag {
				t.Errorf("fragment %d: %s came back as %q, want %q", i, k, back[k], frag)
			}
		}
		if back["id"] != id {
			t.Errorf("fragment %d: id came back as %q, want %q", i, back["id"], id)
		}
		if c, _ := back["citizen"].(map[string]any); c["name"] != frag {
			t.Errorf("fragment %d: citizen.name came back as %v, want %q", i, back["citizen"], frag)
		}
	}
	var n int
	if err := st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM ratings`).Scan(&n); err != nil || n != len(fragments) {
		t.Errorf("ratings table: %d rows (err %v), want %d: the tables survived and hold exactly what was sent", n, err, len(fragments))
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := bare(t)
	// Spend the survey budget of one address so the 429 below is real.
	for range surveyBurst {
		send(s, http.MethodPost, "/api/v1/surveys/x", nil, "198.51.100.9:1")
	}
	tests := []struct {
		name, method, path string
		body               io.Reader
		hdr                []string
		status             int
	}{
		{"health", http.MethodGet, "/healthz", nil, nil, 200},
		{"no such route", http.MethodGet, "/nope", nil, nil, 404},
		{"no bearer token", http.MethodGet, "/api/v1/tickets", nil, []string{"Authorization", "Basic d3Jvbmc="}, 401},
		{"too large", http.MethodPost, "/api/v1/ratings", strings.NewReader(strings.Repeat(" ", maxBody+1)), nil, 413},
		{"rate limited", http.MethodPost, "/api/v1/surveys/x", nil, nil, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remote := "198.51.100.9:1"
			r := send(s, tt.method, tt.path, tt.body, remote, tt.hdr...)
			if r.Status != tt.status {
				t.Fatalf("status: got %d, want %d", r.Status, tt.status)
			}
			want := map[string]string{
				"X-Content-Type-Options":     "nosniff",
				"X-Frame-Options":            "DENY",
				"Referrer-Policy":            "no-referrer",
				"Content-Security-Policy":    DefaultCSP,
				"Cross-Origin-Opener-Policy": "same-origin",
			}
			for k, v := range want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			if got := r.Header.Get("Strict-Transport-Security"); got != "" {
				t.Errorf("HSTS over plain HTTP: got %q, want none", got)
			}
		})
	}
	t.Run("HSTS behind a TLS proxy", func(t *testing.T) {
		r := send(s, http.MethodGet, "/healthz", nil, "10.0.0.2:1", "X-Forwarded-Proto", "https")
		if got := r.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=63072000") {
			t.Errorf("Strict-Transport-Security: got %q, want max-age=63072000", got)
		}
		// A client on the internet cannot claim TLS for itself.
		r = send(s, http.MethodGet, "/healthz", nil, "203.0.113.5:1", "X-Forwarded-Proto", "https")
		if got := r.Header.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("Strict-Transport-Security for a forged header: got %q, want none", got)
		}
	})
}

// TestSurveyRateLimit: the public survey endpoints allow a burst per client IP,
// then answer 429 in the contract's shape; other clients are unaffected, and a
// forged X-Forwarded-For does not buy a fresh budget.
func TestSurveyRateLimit(t *testing.T) {
	s := bare(t)
	const me, other = "203.0.113.7:5555", "203.0.113.8:5555"
	for i := range surveyBurst {
		r := send(s, http.MethodPost, "/api/v1/surveys/not-a-token", strings.NewReader(`{"level":"satisfied"}`), me,
			"X-Forwarded-For", "10.0.0."+string(rune('0'+i%10)))
		if r.Status != http.StatusGone {
			t.Fatalf("request %d: got %d %s, want 410 (a bad token, within the budget)", i+1, r.Status, r.Body)
		}
	}
	for _, path := range []string{"/api/v1/surveys/not-a-token", "/s/not-a-token"} {
		r := send(s, http.MethodPost, path, strings.NewReader(`{"level":"satisfied"}`), me, "X-Forwarded-For", "10.9.9.9", "X-Real-IP", "10.9.9.8")
		if path == "/s/not-a-token" {
			// The page answers HTML, its 429 too (issue 16 item 11).
			if r.Status != http.StatusTooManyRequests || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(r.Body), "请求过于频繁") {
				t.Errorf("%s: got %d %s %s, want a 429 HTML page", path, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		} else {
			wantError(t, r, http.StatusTooManyRequests, "rate_limited")
		}
		if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("%s: Retry-After: got %q, want a positive number of seconds", path, ra)
		}
	}
	if r := send(s, http.MethodPost, "/api/v1/surveys/not-a-token", nil, other); r.Status != http.StatusGone {
		t.Errorf("another client: got %d, want 410", r.Status)
	}
	// Authenticated API routes are not limited by it.
	for range 3 {
		if r := send(s, http.MethodGet, "/healthz", nil, me); r.Status != http.StatusOK {
			t.Errorf("/healthz from a limited client: got %d, want 200", r.Status)
		}
	}
}

func TestRateLimiterRefills(t *testing.T) {
	l := NewRateLimiter(2, 3)
	now := time.Unix(1_800_000_000, 0)
	l.now = func() time.Time { return now }
	var got []bool
	for range 4 {
		ok, _ := l.Allow("a")
		got = append(got, ok)
	}
	if want := []bool{true, true, true, false}; !equal(got, want) {
		t.Fatalf("burst: got %v, want %v", got, want)
	}
	if ok, wait := l.Allow("a"); ok || wait != 500*time.Millisecond {
		t.Errorf("empty bucket: got %v, wait %s; want refused, 500ms", ok, wait)
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("after 500ms: refused, want one more token")
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key: refused, want its own bucket")
	}
}

func TestRateLimiterMemoryBounded(t *testing.T) {
	l := NewRateLimiter(1, 1)
	now := time.Unix(1_800_000_000, 0)
	l.now = func() time.Time { return now }
	for i := range maxBuckets + 10 {
		l.Allow("k" + string(rune(i)))
		now = now.Add(time.Millisecond)
	}
	if n := len(l.buckets); n > maxBuckets {
		t.Errorf("buckets: %d, want at most %d", n, maxBuckets)
	}
}

func equal(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
