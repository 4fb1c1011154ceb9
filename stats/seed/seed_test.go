package seed_test

import (
	"context"
	"testing"
	"time"

	"rectify/calendar"
	"rectify/internal/testdb"
	"rectify/stats"
	"rectify/stats/seed"
)

func TestSeedLoadsConsistentData(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, loc)
	res, err := seed.Run(ctx, st.Pool(), calendar.New(loc, 18*time.Hour),
		seed.Options{Ratings: 20_000, Departments: 40, Days: 120, Now: now, Chunk: 3_000, Negative: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	one := func(q string) int64 {
		t.Helper()
		var n int64
		if err := st.Pool().QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	checks := []struct {
		what string
		got  int64
		want int64
	}{
		{"ratings", one(`SELECT count(*) FROM ratings`), 20_000},
		{"departments", one(`SELECT count(*) FROM departments`), 40},
		{"a ticket per negative rating", one(`SELECT count(*) FROM ratings r JOIN tickets t ON t.rating_id = r.id`), one(`SELECT count(*) FROM ratings WHERE negative`)},
		{"tickets reported", int64(res.Tickets), one(`SELECT count(*) FROM tickets`)},
		{"tickets without events", one(`SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_number = t.number)`), 0},
		{"tickets waiting for the reconciler", one(`SELECT count(*) FROM tickets WHERE NOT workflow_started`), 0},
		{"versions = events", one(`SELECT count(*) FROM tickets t WHERE version <> (SELECT count(*) FROM ticket_events e WHERE e.ticket_number = t.number)`), 0},
		{"ratings in the future", one(`SELECT count(*) FROM ratings WHERE rated_at > '2026-11-25 15:00:00+08'`), 0},
		{"upheld appeals not excluded", one(`SELECT count(*) FROM tickets t JOIN ratings r ON r.id = t.rating_id WHERE (t.resolution = 'appeal_upheld') <> r.excluded`), 0},
		{"statuses", one(`SELECT count(DISTINCT status) FROM tickets`), 6},
		{"ticket facts", one(`SELECT count(*) FROM stats_tickets`), one(`SELECT count(*) FROM tickets`)},
		{"pending deltas after the rebuild", one(`SELECT count(*) FROM stats_delta`), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	var dist string
	_ = st.Pool().QueryRow(ctx, `SELECT string_agg(status || '=' || n, ' ' ORDER BY status) FROM
		(SELECT status, count(*) n FROM tickets GROUP BY 1) s`).Scan(&dist)
	t.Logf("tickets by status: %s", dist)
	if neg := float64(one(`SELECT count(*) FROM ratings WHERE negative`)) / 20_000; neg < 0.2 || neg > 0.3 {
		t.Errorf("negative share %.3f, want about 0.25", neg)
	}
	if n := one(`SELECT count(*) FROM tickets WHERE overdue AND status <> 'closed'`); n == 0 {
		t.Error("no open overdue tickets")
	}
	// The rebuilt rollups hold every rating that is not excluded.
	rows, err := (&stats.Service{DB: st.Pool()}).Table(ctx, stats.Department,
		stats.Filter{From: now.AddDate(0, 0, -200), To: now}, stats.DefaultWeights)
	if err != nil {
		t.Fatal(err)
	}
	var total, tickets int64
	for _, r := range rows {
		total += r.Total
		tickets += r.Tickets
	}
	if want := one(`SELECT count(*) FROM ratings WHERE NOT excluded`); total != want {
		t.Errorf("rollup total %d, want %d", total, want)
	}
	if want := one(`SELECT count(*) FROM ratings WHERE negative AND NOT excluded`); tickets != want {
		t.Errorf("rollup tickets %d, want %d", tickets, want)
	}
}
