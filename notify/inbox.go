package notify

import (
	"context"
	"sync"

	"rectify/store"
)

// Inbox is a Sender that keeps what it is handed in memory, as a phone would:
// since the outbox keeps no survey link once a message is sent (store.
// RedactSurveyLinks), tests read the citizen's link here.
type Inbox struct {
	mu   sync.Mutex
	msgs []store.Notification
}

// Send keeps n.
func (b *Inbox) Send(_ context.Context, n store.Notification) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, n)
	return nil
}

// Messages returns the messages of a ticket in the order they were handed over,
// each once even if delivered twice (delivery is at least once).
func (b *Inbox) Messages(ticket string) []store.Notification {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []store.Notification
	seen := map[string]bool{}
	for _, n := range b.msgs {
		if n.TicketNumber == ticket && !seen[n.IdempotencyKey] {
			seen[n.IdempotencyKey] = true
			out = append(out, n)
		}
	}
	return out
}
