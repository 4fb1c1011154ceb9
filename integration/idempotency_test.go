package integration

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"rectify/internal/apitest"
	"testing"
)

// actKey takes an action with an Idempotency-Key header.
func (a *api) actKey(token, number, action, key string, body any) apitest.Reply {
	a.t.Helper()
	return a.client().Do("POST", "/api/v1/tickets/"+url.PathEscape(number)+"/"+action, token, body, http.Header{"Idempotency-Key": {key}})
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

	first := a.actKey(tm.supervisor, number, "urge", "k-1", map[string]any{"note": "请尽快"}).Want(t, http.StatusOK)
	again := a.actKey(tm.supervisor, number, "urge", "k-1", map[string]any{"note": "请尽快"}).Want(t, http.StatusOK)
	if !bytes.Equal(bytes.TrimSpace(first.Raw), bytes.TrimSpace(again.Raw)) {
		t.Errorf("the retry answered\n%s\nthe first\n%s", again.Raw, first.Raw)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retry was not marked as a replay: %v", again.Header)
	}
	a.actKey(tm.supervisor, number, "urge", "k-1", map[string]any{"note": "另一条"}).WantError(t, http.StatusConflict, "idempotency_conflict")
	if n := countEvents(a.ticket(tm.supervisor, number), "urged"); n != 1 {
		t.Fatalf("%d urged events after a retried urge, want 1", n)
	}

	// The first request of k-2 is sent, and its answer is lost before it is stored.
	a.actKey(tm.supervisor, number, "urge", "k-2", map[string]any{"note": "再催"}).Want(t, http.StatusOK)
	if _, err := a.sys.Store.Pool().Exec(context.Background(),
		`UPDATE idempotency_keys SET status = NULL, body = NULL WHERE key = 'k-2'`); err != nil {
		t.Fatal(err)
	}
	a.actKey(tm.supervisor, number, "urge", "k-2", map[string]any{"note": "再催"}).Want(t, http.StatusOK)
	if n := countEvents(a.ticket(tm.supervisor, number), "urged"); n != 2 {
		t.Fatalf("%d urged events after k-1 and k-2 (k-2 retried without a stored answer), want 2", n)
	}

	// Another user's key of the same name is theirs alone.
	sup2 := a.user("sup-li", "supervisor", "")
	a.actKey(sup2, number, "urge", "k-1", map[string]any{"note": "请尽快"}).Want(t, http.StatusOK)
	if n := countEvents(a.ticket(tm.supervisor, number), "urged"); n != 3 {
		t.Fatalf("%d urged events, want 3: another user's k-1 is another request", n)
	}
	a.actKey(tm.supervisor, number, "urge", "bad key", map[string]any{"note": "x"}).WantError(t, http.StatusBadRequest, "bad_idempotency_key")
}
