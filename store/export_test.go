package store

import "context"

// QueueRatingForTest puts r in the group-commit queue as if its caller had just
// enqueued it and not yet competed for a writer slot, and returns a wait for its
// outcome; it lets a test force an interleaving of callers.
func (s *Store) QueueRatingForTest(r NewRating) (wait func(context.Context) (RatingResult, error)) {
	s.group.once.Do(func() { s.group.slots = make(chan struct{}, groupWriters) })
	it := &groupedRating{r: r, done: make(chan struct{})}
	s.group.mu.Lock()
	s.group.pending = append(s.group.pending, it)
	s.group.mu.Unlock()
	return func(ctx context.Context) (RatingResult, error) {
		select {
		case <-it.done:
			return it.res, it.err
		case <-ctx.Done():
			return RatingResult{}, ctx.Err()
		}
	}
}

// ListTicketsQueryForTest and ListWorkQueryForTest expose the lists' SQL, for
// EXPLAIN in tests.
func ListTicketsQueryForTest(f TicketFilter) (string, []any) { return listTicketsQuery(f) }

func ListWorkQueryForTest(f WorkFilter) (string, []any, error) { return listWorkQuery(f) }
