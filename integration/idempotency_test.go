package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// actKey takes an action with an Idempotency-Key header.
func (a *api) actKey(token, number, action, key string, body any) reply {
	a.t.Helper()
	j, err := json.Marshal(body)
	if err != nil {
		a.t.Fatal(err)
	}
	path := "/api/v1/tickets/" + url.PathEscape(number) + "/" + action
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", a.sys.URL+path, bytes.NewReader(j))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return reply{Method: "POST", Path: path, Status: resp.StatusCode, Header: resp.Header, Raw: raw}
}

func countEvents(tk ticketView, typ string) int {
	n := 0
	for _, e := range tk.Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// Issue 16 item 2: a retried action with the same Idempotency-Key acts once and
// answers what the first answered; the same key with another body is 409; and
// when the first request left no answer (it died after sending the Update), the
// retry's Update ID is the same, so Temporal applies it once too.
func TestActionIdempotencyKey(t *testing.T) {
	t.Parallel()
	a, tm := setup(t)
	number := a.negative(tm.channel, a.rating(a.id("idem"), "very_dissatisfied", deptA))
	a.dispatched(tm.deptA, number)

	first := a.actKey(tm.supervisor, number, "urge", "k-1", map[string]any{"note": "请尽快"}).want(t, http.StatusOK)
	again := a.actKey(tm.supervisor, number, "urge", "k-1", map[string]any{"note": "请尽快"}).want(t, http.StatusOK)
	if !bytes.Equal(bytes.TrimSpace(first.Raw), bytes.TrimSpace(again.Raw)) {
		t.Errorf("the retry answered\n%s\nthe first\n%s", again.Raw, first.Raw)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retry was not marked as a replay: %v", again.Header)
	}
	wantError(t, a.actKey(tm.supervisor, number, "urge", "k-1", map[string]any{"note": "另一条"}),
		http.StatusConflict, "idempotency_conflict")
	if n := countEvents(a.ticket(tm.supervisor, number), "urged"); n != 1 {
		t.Fatalf("%d urged events after a retried urge, want 1", n)
	}

	// The first request of k-2 is sent, and its answer is lost before it is stored.
	a.actKey(tm.supervisor, number, "urge", "k-2", map[string]any{"note": "再催"}).want(t, http.StatusOK)
	if _, err := a.sys.Store.Pool().Exec(context.Background(),
		`UPDATE idempotency_keys SET status = NULL, body = NULL WHERE key = 'k-2'`); err != nil {
		t.Fatal(err)
	}
	a.actKey(tm.supervisor, number, "urge", "k-2", map[string]any{"note": "再催"}).want(t, http.StatusOK)
	if n := countEvents(a.ticket(tm.supervisor, number), "urged"); n != 2 {
		t.Fatalf("%d urged events after k-1 and k-2 (k-2 retried without a stored answer), want 2", n)
	}

	// Another user's key of the same name is theirs alone.
	sup2 := a.user("sup-li", "supervisor", "")
	a.actKey(sup2, number, "urge", "k-1", map[string]any{"note": "请尽快"}).want(t, http.StatusOK)
	if n := countEvents(a.ticket(tm.supervisor, number), "urged"); n != 3 {
		t.Fatalf("%d urged events, want 3: another user's k-1 is another request", n)
	}
	wantError(t, a.actKey(tm.supervisor, number, "urge", "bad key", map[string]any{"note": "x"}),
		http.StatusBadRequest, "bad_idempotency_key")
}
