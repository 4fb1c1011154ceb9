package topics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/topics"
)

// The drainer stands aside while commented ratings arrive faster than
// BusyRate, reads still count the queued ratings, and it drains once intake is
// quiet or the queue has waited MaxLag.
func TestDrainerYieldsToBusyIntake(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	svc := &topics.Service{DB: st.Pool()}
	at := time.Now()
	n := 0
	burst := func(k int) {
		t.Helper()
		var rs []domain.Rating
		for i := 0; i < k; i++ {
			n++
			rs = append(rs, domain.Rating{ID: fmt.Sprintf("Y%d", n), Channel: domain.ChannelHall,
				Level: domain.Dissatisfied, Negative: true, RatedAt: at, DepartmentCode: "D-Y", Comment: "排队太久"})
		}
		testdb.Rate(t, st, rs...)
	}
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	f := topics.Filter{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 1), Sentiment: topics.Negative,
		Viewer: domain.User{Role: domain.RoleSupervisor}}
	count := func() int64 {
		t.Helper()
		ts, err := svc.Top(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.Term == "排队" {
				return x.Count
			}
		}
		return 0
	}
	tick := func(d *topics.Drainer, wantYield bool, wantQueue int64) {
		t.Helper()
		_, yielded, err := d.Tick(ctx, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		q, err := svc.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if yielded != wantYield || q != wantQueue {
			t.Fatalf("tick: stood aside %v with %d queued, want %v with %d", yielded, q, wantYield, wantQueue)
		}
	}
	d := &topics.Drainer{S: svc}
	burst(2 * topics.BusyRate)
	tick(d, true, 2*topics.BusyRate) // a burst: stand aside
	if c := count(); c != 2*topics.BusyRate {
		t.Errorf("while the drainer stands aside 排队 counts %d, want %d", c, 2*topics.BusyRate)
	}
	burst(topics.BusyRate)
	tick(d, true, 3*topics.BusyRate) // still busy
	tick(d, false, 0)                // quiet: catch up
	if c := count(); c != 3*topics.BusyRate {
		t.Errorf("after the drain 排队 counts %d, want %d", c, 3*topics.BusyRate)
	}
	burst(topics.BusyRate / 2)
	tick(d, false, 0) // below BusyRate: drained at once
	// Busy for longer than MaxLag: drained anyway.
	burst(2 * topics.BusyRate)
	tick(d, true, 2*topics.BusyRate)
	d.QueuedSince(time.Now().Add(-topics.MaxLag))
	burst(2 * topics.BusyRate)
	tick(d, false, 0)
	if c := count(); c != int64(n) {
		t.Errorf("after the lag-bound drain 排队 counts %d, want %d", c, n)
	}
}
