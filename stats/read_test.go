package stats_test

import (
	"context"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/stats"
)

// Issue 16 item 7: a statistics read does not write. Folding is the worker's
// background job (RunFolder); a GET only reads the rollups and adds the pending
// deltas, so after any number of reads the deltas are still pending.
func TestReadsDoNotFold(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	svc := &stats.Service{DB: st.Pool()}
	at := time.Date(2026, 2, 10, 10, 0, 0, 0, stats.Zone)
	testdb.Rate(t, st, domain.Rating{ID: "R-1", Channel: domain.ChannelHall, Level: domain.Satisfied, RatedAt: at,
		DepartmentCode: "D-A", Aspects: []string{"attitude"}})
	before, err := svc.Pending(ctx)
	if err != nil || before == 0 {
		t.Fatalf("pending deltas after a rating: %d, %v", before, err)
	}
	f := stats.Filter{From: at, To: at}
	rows, err := svc.Table(ctx, stats.Department, f, stats.DefaultWeights)
	if err != nil || len(rows) != 1 || rows[0].Total != 1 {
		t.Fatalf("table: %+v, %v; want the one rating", rows, err)
	}
	if _, err := svc.Trend(ctx, stats.Daily, f, stats.DefaultWeights); err != nil {
		t.Fatal(err)
	}
	if after, err := svc.Pending(ctx); err != nil || after != before {
		t.Fatalf("pending deltas: %d before the reads, %d after (%v): a read folded", before, after, err)
	}
}
