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

// The rollups against what the comments say, through the drainer: counts per
// term and slice, the previous period, an upheld appeal taking a segmented
// rating out (and a queued one never counted), and a read before any drain
// answering the same as after it.
func TestRollupsFollowRatings(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	svc := &topics.Service{DB: st.Pool()}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(2026, 3, 10, 10, 0, 0, 0, shanghai)
	n := 0
	item := ""
	add := func(dept, hall string, level domain.Level, at time.Time, comment string) string {
		n++
		id := fmt.Sprintf("R%d", n)
		testdb.Rate(t, st, domain.Rating{ID: id, Channel: domain.ChannelHall, Level: level, Negative: level.Negative(),
			RatedAt: at, DepartmentCode: dept, Service: domain.Service{HallCode: hall, ServiceItemCode: item}, Comment: comment})
		return id
	}
	a1 := add("D-A", "H1", domain.Dissatisfied, day, "排队太久")
	add("D-A", "H1", domain.VeryDissatisfied, day, "排队排队，材料退回")
	add("D-A", "H2", domain.Dissatisfied, day.AddDate(0, 0, 1), "材料不全")
	add("D-A", "H2", domain.Satisfied, day, "不用排队，很耐心")
	add("D-B", "H9", domain.Dissatisfied, day, "排队")
	add("D-A", "H1", domain.Dissatisfied, day.AddDate(0, 0, -5), "排队") // the previous period
	f := topics.Filter{From: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC),
		Department: "D-A", Sentiment: topics.Negative, Viewer: domain.User{Role: domain.RoleSupervisor}}
	counts := func(f topics.Filter) map[string][2]int64 {
		t.Helper()
		ts, err := svc.Top(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][2]int64{}
		for _, x := range ts {
			m[x.Term] = [2]int64{x.Count, x.PreviousCount}
		}
		return m
	}
	want := func(label string, got map[string][2]int64, w map[string][2]int64) {
		t.Helper()
		for term, c := range w {
			if got[term] != c {
				t.Errorf("%s: %s = %v, want %v (all: %v)", label, term, got[term], c, got)
			}
		}
	}
	// Before any drain: the read segments the queue itself.
	want("queued", counts(f), map[string][2]int64{"排队": {2, 1}, "材料": {2, 0}})
	if _, err := svc.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if q, _ := svc.Pending(ctx); q != 0 {
		t.Fatalf("%d still queued after Drain", q)
	}
	want("drained", counts(f), map[string][2]int64{"排队": {2, 1}, "材料": {2, 0}})
	hall := f
	hall.Hall = "H2"
	want("hall H2", counts(hall), map[string][2]int64{"材料": {1, 0}})
	if _, ok := counts(hall)["排队"]; ok {
		t.Errorf("hall H2 counts 排队: only a positive rating there mentions it")
	}
	all := f
	all.Department = ""
	want("every department", counts(all), map[string][2]int64{"排队": {3, 1}})

	// An upheld appeal takes a segmented rating out, and puts it back.
	if _, err := st.Pool().Exec(ctx, `UPDATE ratings SET excluded = true WHERE id = $1`, a1); err != nil {
		t.Fatal(err)
	}
	want("excluded", counts(f), map[string][2]int64{"排队": {1, 1}})
	if _, err := st.Pool().Exec(ctx, `UPDATE ratings SET excluded = false WHERE id = $1`, a1); err != nil {
		t.Fatal(err)
	}
	want("back", counts(f), map[string][2]int64{"排队": {2, 1}})
	// Excluded while still queued: never counted, before or after the drain.
	q := add("D-A", "H1", domain.Dissatisfied, day, "排队")
	if _, err := st.Pool().Exec(ctx, `UPDATE ratings SET excluded = true WHERE id = $1`, q); err != nil {
		t.Fatal(err)
	}
	want("queued and excluded", counts(f), map[string][2]int64{"排队": {2, 1}})
	if _, err := svc.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	want("drained, excluded", counts(f), map[string][2]int64{"排队": {2, 1}})

	// A service item and a hall together (no rollup holds the pair: counted from
	// rating_terms), before and after the drain.
	item = "SX1"
	add("D-A", "H1", domain.Dissatisfied, day, "材料退回，排队")
	add("D-A", "H2", domain.Dissatisfied, day, "材料退回")
	add("D-A", "H1", domain.Dissatisfied, day.AddDate(0, 0, -4), "材料")
	both := f
	both.ServiceItem, both.Hall = "SX1", "H1"
	want("item and hall, queued", counts(both), map[string][2]int64{"材料": {1, 1}, "排队": {1, 0}})
	if _, err := svc.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	want("item and hall", counts(both), map[string][2]int64{"材料": {1, 1}, "排队": {1, 0}})
}

// A read while the drainer works counts each rating once: the queued ratings it
// segments itself and the rollups are one snapshot (CI once saw every count
// doubled when a drain committed between the two reads).
func TestTopWhileDraining(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	svc := &topics.Service{DB: st.Pool()}
	at := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	f := topics.Filter{From: at.AddDate(0, 0, -1), To: at.AddDate(0, 0, 1), Sentiment: topics.Negative,
		Viewer: domain.User{Role: domain.RoleSupervisor}}
	for round := 0; round < 20; round++ {
		var rs []domain.Rating
		for i := 0; i < 200; i++ {
			rs = append(rs, domain.Rating{ID: fmt.Sprintf("W%d-%d", round, i), Channel: domain.ChannelHall,
				Level: domain.Dissatisfied, Negative: true, RatedAt: at, DepartmentCode: "D-W", Comment: "排队太久"})
		}
		testdb.Rate(t, st, rs...)
		drained := make(chan error, 1)
		go func() { _, err := svc.Drain(ctx); drained <- err }()
		for {
			ts, err := svc.Top(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, x := range ts {
				got[x.Term] = x.Count
			}
			if want := int64(200 * (round + 1)); got["排队"] != want || got["太久"] != want {
				t.Fatalf("round %d: top %+v, want 排队 counted %d times", round, ts, want)
			}
			select {
			case err := <-drained:
				if err != nil {
					t.Fatal(err)
				}
			default:
				continue
			}
			break
		}
	}
}
