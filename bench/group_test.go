package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"rectify/domain"
	"rectify/store"
)

// newStoreRating turns a benchmark rating into what the store takes.
func newStoreRating(r Rating, hash string) store.NewRating {
	return store.NewRating{Rating: domain.Rating{ID: r.ID, Channel: domain.Channel(r.Channel), Level: domain.Level(r.Level),
		RatedAt: *r.RatedAt, ReceivedAt: *r.RatedAt, DepartmentCode: r.DepartmentCode, Aspects: []string{},
		Citizen: &domain.Citizen{Name: r.Citizen.Name, Phone: r.Citizen.Phone}, Negative: r.Negative()},
		BodyHash: []byte(hash), SubmittedBy: "test"}
}

// The benchmark's ingestion figures rely on Store.CreateRating's group commit;
// grouping must not change what each caller is told.
func TestCreateRatingGroupsKeepEachOutcome(t *testing.T) {
	ctx := context.Background()
	st, _, drop, err := store.OpenScratch(ctx, BaseDatabaseURL(), "rectify_test_group_")
	if err != nil {
		t.Skipf("no Postgres: %v", err)
	}
	defer drop()
	now := time.Now()
	type call struct {
		r    store.NewRating
		kind string // which id group it belongs to
	}
	var calls []call
	for i := 0; i < 40; i++ { // every id twice with the same body: one created, one duplicate
		r := newStoreRating(NewRating("G", i, 4, now), "same")
		calls = append(calls, call{r, "same"}, call{r, "same"})
	}
	for i := 0; i < 10; i++ { // every id twice with different bodies: one created, one conflict
		calls = append(calls, call{newStoreRating(NewRating("C", i, 0, now), "a"), "diff"},
			call{newStoreRating(NewRating("C", i, 0, now), "b"), "diff"})
	}
	got := map[string]map[store.Outcome]int{"same": {}, "diff": {}}
	tickets := map[string]string{}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := st.CreateRating(ctx, c.r)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("%s: %v", c.r.ID, err)
				return
			}
			got[c.kind][res.Outcome]++
			if res.Ticket != nil {
				if n, ok := tickets[c.r.ID]; ok && n != res.Ticket.Number {
					t.Errorf("%s: tickets %s and %s", c.r.ID, n, res.Ticket.Number)
				}
				tickets[c.r.ID] = res.Ticket.Number
			}
		}()
	}
	wg.Wait()
	want := map[string]map[store.Outcome]int{
		"same": {store.Created: 40, store.Duplicate: 40},
		"diff": {store.Created: 10, store.Conflict: 10},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes: got %v, want %v", got, want)
	}
	var ratings, ticketRows int
	if err := st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM ratings), (SELECT count(*) FROM tickets)`).Scan(&ratings, &ticketRows); err != nil {
		t.Fatal(err)
	}
	if ratings != 50 || ticketRows != 10 || len(tickets) != 10 {
		t.Errorf("stored %d ratings and %d tickets (%d seen by callers), want 50 and 10", ratings, ticketRows, len(tickets))
	}
}
