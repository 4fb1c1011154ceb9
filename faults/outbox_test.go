package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"rectify/activities"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/notify"
	"rectify/worker"
)

// gateway is a fake SMS gateway: down (503) until upAt, then it accepts, keeping
// one delivery per Idempotency-Key as a real gateway would. Every third message
// is accepted but answered 500 the first time (the answer is lost on the way), so
// the outbox must send it again and the key must make the second one harmless.
type gateway struct {
	mu        sync.Mutex
	upAt      time.Time
	requests  int
	refused   int
	delivered map[string]notify.SMS // what reached a phone, by key
	repeats   map[string]int        // requests per key beyond the first accepted
	lostOnce  map[string]bool
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var m notify.SMS
	_ = json.Unmarshal(b, &m)
	key := r.Header.Get("Idempotency-Key")
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests++
	switch {
	case time.Now().Before(g.upAt):
		g.refused++
		w.WriteHeader(http.StatusServiceUnavailable)
	case key == "" || key != m.ID:
		w.WriteHeader(http.StatusBadRequest)
	case g.delivered[key].ID != "":
		g.repeats[key]++
		w.WriteHeader(http.StatusOK) // already delivered: say yes, send nothing
	default:
		g.delivered[key] = m
		if len(g.delivered)%3 == 0 && !g.lostOnce[key] {
			g.lostOnce[key] = true
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// TestOutboxGatewayOutage: messages written with their transitions wait out a
// gateway outage and are all delivered afterwards, each exactly once to the
// phone, each carrying its idempotency key; none is dropped.
func TestOutboxGatewayOutage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := testdb.New(t)
	acts := storeActivities(st, nil)
	const tickets = 10
	for i := range tickets {
		number := newTicket(t, st, fmt.Sprintf("OUTBOX-%02d", i), fmt.Sprintf("139%08d", i))
		now := time.Now()
		tk := domain.Ticket{Number: number, RatingID: fmt.Sprintf("OUTBOX-%02d", i), DepartmentCode: dept, Round: 1, CreatedAt: now, UpdatedAt: now}
		for seq, step := range []struct {
			event  string
			status domain.Status
			notice string
		}{{"dispatched", domain.StatusAwaitingSign, activities.NoticeDispatched}, {"urged", domain.StatusAwaitingSign, activities.NoticeUrged}, {"resolved", domain.StatusFollowingUp, ""}} {
			tk.Version, tk.Status = seq+1, step.status
			ch := activities.Change{Ticket: tk, Event: domain.Event{Seq: seq + 1, Type: step.event, Actor: "system", At: now, Round: 1}}
			if step.notice != "" {
				ch.Notices = []activities.Notice{{Kind: step.notice}}
			} else {
				ch.SendSurvey = true
			}
			if err := acts.Apply(ctx, ch); err != nil {
				t.Fatal(err)
			}
		}
	}
	var keys []string
	if err := st.Pool().QueryRow(ctx, `SELECT array_agg(idempotency_key ORDER BY id) FROM notifications`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3*tickets {
		t.Fatalf("outbox holds %d messages, want %d", len(keys), 3*tickets)
	}

	const outage = 3 * time.Second
	gw := &gateway{upAt: time.Now().Add(outage), delivered: map[string]notify.SMS{}, repeats: map[string]int{}, lostOnce: map[string]bool{}}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() {
		worker.Deliver(dctx, st, notify.NewHTTPSender(srv.URL, "faults-secret", 2*time.Second), log)
		close(done)
	}()

	var sent int
	err := waitFor(ctx, func() (bool, string) {
		_ = st.Pool().QueryRow(ctx, `SELECT count(*) FROM notifications WHERE sent_at IS NOT NULL`).Scan(&sent)
		return sent == len(keys), fmt.Sprintf("%d of %d messages sent", sent, len(keys))
	})
	took := time.Since(start)
	stop()
	<-done
	if err != nil {
		t.Fatal(err)
	}

	gw.mu.Lock()
	defer gw.mu.Unlock()
	for _, k := range keys {
		if gw.delivered[k].ID != k {
			t.Errorf("message %s never reached the gateway with its key", k)
		}
	}
	if len(gw.delivered) != len(keys) {
		t.Errorf("gateway delivered %d distinct messages, want %d", len(gw.delivered), len(keys))
	}
	if gw.refused == 0 || took < outage {
		t.Errorf("the outage was not felt: %d refused requests, all sent after %s", gw.refused, took)
	}
	var repeats int
	for _, n := range gw.repeats {
		repeats += n
	}
	if repeats < len(gw.lostOnce) {
		t.Errorf("%d answers were lost but only %d messages were sent again", len(gw.lostOnce), repeats)
	}
	var maxAttempts int
	if err := st.Pool().QueryRow(ctx, `SELECT max(attempts) FROM notifications`).Scan(&maxAttempts); err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURES OutboxGatewayOutage: messages=%d gateway_requests=%d refused_during_outage=%d answers_lost=%d resent_deduplicated=%d delivered=%d dropped=%d max_attempts=%d all_sent_after=%s",
		len(keys), gw.requests, gw.refused, len(gw.lostOnce), repeats, len(gw.delivered), len(keys)-len(gw.delivered), maxAttempts, took.Round(100*time.Millisecond))
	logs.assertNoPhones(t)
}
