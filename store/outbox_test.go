package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rectify/internal/testdb"
	"rectify/store"
)

// queue puts n due messages in the outbox.
func queue(tb testing.TB, st *store.Store, n int) {
	tb.Helper()
	if _, err := st.Pool().Exec(context.Background(), `
		INSERT INTO notifications (idempotency_key, ticket_number, kind, channel, recipient, body)
		SELECT 'burst:' || i, '', 'reminder', 'department', 'D-A', '请于今日18:00前办结' FROM generate_series(1, $1) i`, n); err != nil {
		tb.Fatal(err)
	}
}

// drain runs dispatchers (as two worker processes would) until nothing is due.
func drain(ctx context.Context, st *store.Store, dispatchers int, send func(context.Context, store.Notification) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, dispatchers)
	for range dispatchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := st.DeliverDue(ctx, 256, send)
				if err != nil {
					errs <- err
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Issue 16 item 4: two dispatchers at once send every message exactly once, and
// no transaction stays open while the gateway is called.
func TestOutboxDispatchersSendOnceWithoutHoldingATransaction(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	queue(t, st, 2000)
	var (
		counts  sync.Map
		idleTx  atomic.Int64
		checked atomic.Int64
	)
	send := func(ctx context.Context, n store.Notification) error {
		c, _ := counts.LoadOrStore(n.IdempotencyKey, new(atomic.Int64))
		c.(*atomic.Int64).Add(1)
		if checked.Add(1)%100 == 1 {
			var idle int64
			if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&idle); err != nil {
				return err
			}
			idleTx.Add(idle)
		}
		time.Sleep(time.Millisecond)
		return nil
	}
	if err := drain(ctx, st, 2, send); err != nil {
		t.Fatal(err)
	}
	var total, twice int
	counts.Range(func(_, v any) bool {
		total++
		if v.(*atomic.Int64).Load() != 1 {
			twice++
		}
		return true
	})
	if total != 2000 || twice != 0 {
		t.Errorf("%d messages sent, %d more than once; want 2000, each once", total, twice)
	}
	var unsent int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM notifications WHERE sent_at IS NULL`).Scan(&unsent); err != nil {
		t.Fatal(err)
	}
	if unsent != 0 {
		t.Errorf("%d messages not marked sent", unsent)
	}
	if n := idleTx.Load(); n != 0 {
		t.Errorf("sends saw %d transactions left open across the gateway call, want 0", n)
	}
}

// A failed send is retried later, and a claimed message is not due for the other
// dispatcher while its lease runs.
func TestOutboxFailedSendRetriesLater(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	queue(t, st, 3)
	fail := func(context.Context, store.Notification) error { return fmt.Errorf("gateway down") }
	if n, err := st.DeliverDue(ctx, 10, fail); err != nil || n != 0 {
		t.Fatalf("DeliverDue with the gateway down: %d, %v", n, err)
	}
	var due int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM notifications WHERE sent_at IS NULL AND next_attempt_at <= now()
		AND attempts = 1 AND last_error = 'gateway down'`).Scan(&due); err != nil || due != 0 {
		t.Fatalf("%d failed messages due at once (%v), want 0: they back off", due, err)
	}
}

// BenchmarkOutboxBurst: 10,000 notices at once (deadlines fall at 18:00), two
// dispatchers, a gateway that takes 50 ms per message. Reports messages/s.
func BenchmarkOutboxBurst(b *testing.B) {
	st := testdb.New(b)
	ctx := context.Background()
	gateway := func(ctx context.Context, _ store.Notification) error {
		select {
		case <-time.After(50 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for b.Loop() {
		b.StopTimer()
		if _, err := st.Pool().Exec(ctx, `TRUNCATE notifications`); err != nil {
			b.Fatal(err)
		}
		queue(b, st, 10_000)
		b.StartTimer()
		start := time.Now()
		if err := drain(ctx, st, 2, gateway); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(10_000/time.Since(start).Seconds(), "msgs/s")
	}
}
