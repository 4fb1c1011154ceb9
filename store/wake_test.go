package store_test

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

// The deadline sweeper's claim (issue 18): exactly the open tickets whose stored
// wake_at has passed, each once until redeliver has gone by; a write that stores
// the next deadline (the workflow handled the one that passed) is not claimed.
func TestClaimDueWakes(t *testing.T) {
	ctx, now := context.Background(), time.Now()
	past, future := now.Add(-time.Minute), now.Add(time.Hour)
	seq := map[string]int{}
	st := testdb.New(t)
	if err := st.UpsertDepartment(ctx, domain.Department{Code: "D-A", Name: "甲局"}); err != nil {
		t.Fatal(err)
	}
	numbers := map[string]string{}
	for _, id := range []string{"DUE", "LATER", "CLOSED", "V2", "NONE"} {
		h := sha256.Sum256([]byte(id))
		res, err := st.CreateRatings(ctx, []store.NewRating{{BodyHash: h[:], Rating: domain.Rating{ID: id,
			Channel: domain.ChannelHall, Level: domain.VeryDissatisfied, Negative: true, RatedAt: now,
			DepartmentCode: "D-A", Aspects: []string{"attitude"}}}})
		if err != nil {
			t.Fatal(err)
		}
		numbers[id] = res[0].Ticket.Number
	}
	apply := func(id string, status domain.Status, wakes bool, wake *time.Time) {
		t.Helper()
		seq[id]++
		tk := domain.Ticket{Number: numbers[id], RatingID: id, Status: status, DepartmentCode: "D-A",
			Round: 1, CreatedAt: now, UpdatedAt: now, Version: seq[id]}
		if err := st.ApplyChange(ctx, store.Change{Ticket: tk, Event: domain.Event{Seq: seq[id], Type: "urged", Actor: "sup",
			At: now, Round: 1, DepartmentCode: "D-A"}, Wakes: wakes, WakeAt: wake}); err != nil {
			t.Fatal(err)
		}
	}
	apply("DUE", domain.StatusAwaitingSign, true, &past)
	apply("LATER", domain.StatusAwaitingSign, true, &future)
	apply("CLOSED", domain.StatusAwaitingSign, true, &past)
	apply("CLOSED", domain.StatusClosed, false, nil) // a V2-style write keeps it: the status rules
	apply("V2", domain.StatusAwaitingSign, false, nil)
	apply("NONE", domain.StatusPendingDispatch, true, nil)
	if at, err := st.WakeAt(ctx, numbers["CLOSED"]); err != nil || at == nil {
		t.Fatalf("wake_at of CLOSED %v %v: a write without Wakes must leave it", at, err)
	}

	// claim runs one pass and names the tickets it claimed.
	claim := func(redeliver time.Duration) string {
		t.Helper()
		due, err := st.ClaimDueWakes(ctx, 100, redeliver)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(due))
		for i, d := range due {
			ids[i] = d.RatingID
		}
		slices.Sort(ids)
		return strings.Join(ids, ",")
	}
	if got := claim(time.Hour); got != "DUE" {
		t.Fatalf("first pass claimed %v, want [DUE]", got)
	}
	if got := claim(time.Hour); got != "" {
		t.Fatalf("second pass claimed %v: a claimed ticket waits for redeliver", got)
	}
	// The workflow handled the deadline: its write stores the next one, ahead.
	apply("DUE", domain.StatusAwaitingSign, true, &future)
	if got := claim(time.Hour); got != "" {
		t.Fatalf("after the handling write: claimed %v", got)
	}
	// A claim whose signal led to no write comes back after redeliver, not before.
	apply("LATER", domain.StatusAwaitingSign, true, &past)
	if got := claim(200 * time.Millisecond); got != "LATER" {
		t.Fatalf("claimed %v, want [LATER]", got)
	}
	if got := claim(time.Hour); got != "" {
		t.Fatalf("claimed %v before redeliver", got)
	}
	time.Sleep(300 * time.Millisecond)
	if got := claim(time.Hour); got != "LATER" {
		t.Fatalf("after redeliver: claimed %v, want [LATER]", got)
	}

	// Passes in several processes at once: each due ticket is claimed once.
	apply("DUE", domain.StatusRectifying, true, &past)
	apply("LATER", domain.StatusRectifying, true, &past)
	var (
		mu  sync.Mutex
		all []string
		wg  sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			due, err := st.ClaimDueWakes(ctx, 100, time.Hour)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range due {
				all = append(all, d.RatingID)
			}
		}()
	}
	wg.Wait()
	slices.Sort(all)
	if !slices.Equal(all, []string{"DUE", "LATER"}) {
		t.Errorf("concurrent passes claimed %v, want each due ticket once", all)
	}
}
