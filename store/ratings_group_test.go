package store_test

import (
	"context"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

func rating(id string) store.NewRating {
	return testdb.Rating(domain.Rating{ID: id, Channel: domain.ChannelHall, Level: domain.Satisfied,
		RatedAt: time.Date(2026, 2, 10, 10, 0, 0, 0, time.UTC), DepartmentCode: "D-A", Aspects: []string{"attitude"}})
}

// Issue 16 item 3: two callers send the same rating id at once. The first is
// queued but has not reached a writer slot; the second takes the slot. Its own
// item is a repeat of the queued one, so a batch holds only one of them; the
// second caller must still get its answer without a third rating arriving.
func TestGroupCommitDoesNotStrandARepeatedID(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()

	first := st.QueueRatingForTest(rating("GC-1"))
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := st.CreateRating(wctx, rating("GC-1"))
	if err != nil {
		t.Fatalf("the second caller of GC-1: %v (stranded: its item was deferred and no writer came)", err)
	}
	// The first caller has no goroutine of its own here; in life it competes for a
	// slot and writes its item. A next caller does the same for it.
	if _, err := st.CreateRating(wctx, rating("GC-2")); err != nil {
		t.Fatal(err)
	}
	fres, err := first(wctx)
	if err != nil {
		t.Fatalf("the first caller of GC-1: %v", err)
	}
	outcomes := map[store.Outcome]int{res.Outcome: 1}
	outcomes[fres.Outcome]++
	if outcomes[store.Created] != 1 || outcomes[store.Duplicate] != 1 {
		t.Fatalf("outcomes %v and %v, want one created and one duplicate", res.Outcome, fres.Outcome)
	}
}

// The same with a full group: the caller's own item is the 257th pending one.
func TestGroupCommitDoesNotStrandTheOverflow(t *testing.T) {
	st := testdb.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var waits []func(context.Context) (store.RatingResult, error)
	for i := range 256 {
		waits = append(waits, st.QueueRatingForTest(rating("GC-Q-"+string(rune('a'+i/26))+string(rune('a'+i%26)))))
	}
	if _, err := st.CreateRating(ctx, rating("GC-LAST")); err != nil {
		t.Fatalf("the caller behind a full group: %v", err)
	}
	// The queued callers have no goroutines of their own here: a next caller writes them.
	if _, err := st.CreateRating(ctx, rating("GC-NEXT")); err != nil {
		t.Fatal(err)
	}
	for i, w := range waits {
		if _, err := w(ctx); err != nil {
			t.Fatalf("queued rating %d: %v", i, err)
		}
	}
}
