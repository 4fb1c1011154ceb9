package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// TicketNotice is one message the outbox holds for a ticket, as its timeline
// shows it: whom it went to and whether it has gone. A citizen's SMS carries no
// body or phone here: the ticket page shows that one was sent, never what or to
// which number.
type TicketNotice struct {
	EventSeq  int        // the transition that caused it; 0 when unknown (written before 0010)
	Kind      string     // dispatched | reminder | overdue | escalated | urged | returned | supervisor | extension | survey
	Channel   string     // sms | department | supervisors
	Recipient string     // a department code, "supervisors", or "" for an SMS
	Body      string     // "" for an SMS
	CreatedAt time.Time  //
	SentAt    *time.Time // nil: not yet delivered
}

// TicketNotices lists a ticket's notices in the order they were written, for
// the timeline on its page (issue 17 item 9: urges, reminders, overdue notices
// and escalations reach the ticket page).
func (s *Store) TicketNotices(ctx context.Context, number string) (ns []TicketNotice, err error) {
	defer wrap(&err, "store.TicketNotices")
	rows, err := s.pool.Query(ctx, `
		SELECT coalesce(event_seq, 0), kind, channel,
		       CASE WHEN channel = 'sms' THEN '' ELSE recipient END,
		       CASE WHEN channel = 'sms' THEN '' ELSE body END,
		       created_at, sent_at
		FROM notifications WHERE ticket_number = $1 ORDER BY id LIMIT 500`, number)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[TicketNotice])
}

// DisplayNames maps each of usernames that is a user to their display name
// (their username when they have none), for pages that name people.
func (s *Store) DisplayNames(ctx context.Context, usernames []string) (names map[string]string, err error) {
	defer wrap(&err, "store.DisplayNames")
	names = map[string]string{}
	if len(usernames) == 0 {
		return names, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT username, coalesce(nullif(display_name, ''), username)
		FROM users WHERE username = ANY($1)`, usernames)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u, d string
		if err := rows.Scan(&u, &d); err != nil {
			return nil, err
		}
		names[u] = d
	}
	return names, rows.Err()
}
