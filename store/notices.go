package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// Notice is a staff notice (a department's or the supervisors' message in the
// outbox) as its readers see it: no recipient phone, no delivery bookkeeping.
type Notice struct {
	ID           int64      `json:"id"`
	TicketNumber string     `json:"ticket_number,omitempty"`
	Kind         string     `json:"kind"`
	Channel      string     `json:"channel"` // department | supervisors
	Body         string     `json:"body"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"` // when this reader marked it read; null: unread
}

// NoticeFilter selects one reader's notices.
type NoticeFilter struct {
	Username     string // whose read marks
	Channel      string // from domain.User.NoticeScope
	Recipient    string
	TicketNumber string // "" for every ticket
	UnreadOnly   bool
	Limit        int
	Cursor       int64 // the last id of the previous page; 0 for the first
}

// noticeVisible is the notice half of domain/visibility.go for lists, in SQL: a
// department reads its notices only about tickets assigned to it now (a ticket
// returned and dispatched elsewhere takes its notices along, out of sight).
// $2 is the channel, $3 the recipient.
const noticeVisible = `n.channel = $2 AND n.recipient = $3
	AND ($2 <> 'department' OR n.ticket_number = ''
	     OR EXISTS (SELECT 1 FROM tickets t WHERE t.number = n.ticket_number AND t.department_code = $3))`

// ListNotices returns a reader's notices, newest first, with their read marks;
// next is the cursor of the following page, 0 on the last.
func (s *Store) ListNotices(ctx context.Context, f NoticeFilter) (ns []Notice, next int64, err error) {
	defer wrap(&err, "store.ListNotices")
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.pool.Query(ctx, `
		SELECT n.id, n.ticket_number, n.kind, n.channel, n.body, n.created_at, r.read_at
		FROM notifications n
		LEFT JOIN notice_reads r ON r.notification_id = n.id AND r.username = $1
		WHERE `+noticeVisible+`
		  AND ($4 = '' OR n.ticket_number = $4)
		  AND (NOT $5 OR r.read_at IS NULL)
		  AND ($6 = 0 OR n.id < $6)
		ORDER BY n.id DESC LIMIT $7`,
		f.Username, f.Channel, f.Recipient, f.TicketNumber, f.UnreadOnly, f.Cursor, f.Limit+1)
	if err != nil {
		return nil, 0, err
	}
	ns, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Notice])
	if err != nil {
		return nil, 0, err
	}
	if len(ns) > f.Limit {
		ns = ns[:f.Limit]
		next = ns[len(ns)-1].ID
	}
	for i := range ns {
		ns[i].Body = RedactSurveyLinks(ns[i].Body)
	}
	return ns, next, nil
}

// CountUnreadNotices is how many of a reader's notices they have not marked read.
func (s *Store) CountUnreadNotices(ctx context.Context, username, channel, recipient string) (n int, err error) {
	defer wrap(&err, "store.CountUnreadNotices")
	err = s.pool.QueryRow(ctx, `
		SELECT count(*) FROM notifications n
		WHERE `+noticeVisible+`
		  AND NOT EXISTS (SELECT 1 FROM notice_reads r WHERE r.notification_id = n.id AND r.username = $1)`,
		username, channel, recipient).Scan(&n)
	return n, err
}

// MarkNoticeRead marks one notice read for username. A notice the reader may
// not see does not exist for them: domain.ErrNotFound. Marking twice keeps the
// first time.
func (s *Store) MarkNoticeRead(ctx context.Context, username, channel, recipient string, id int64) (err error) {
	defer wrap(&err, "store.MarkNoticeRead")
	var found bool
	err = s.pool.QueryRow(ctx, `
		WITH v AS (SELECT n.id FROM notifications n WHERE `+noticeVisible+` AND n.id = $4),
		     ins AS (INSERT INTO notice_reads (username, notification_id) SELECT $1, id FROM v
		             ON CONFLICT DO NOTHING)
		SELECT EXISTS (SELECT 1 FROM v)`, username, channel, recipient, id).Scan(&found)
	if err != nil {
		return err
	}
	if !found {
		return domain.ErrNotFound
	}
	return nil
}

// MarkAllNoticesRead marks every notice the reader sees read; it returns how
// many were unread.
func (s *Store) MarkAllNoticesRead(ctx context.Context, username, channel, recipient string) (n int, err error) {
	defer wrap(&err, "store.MarkAllNoticesRead")
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO notice_reads (username, notification_id)
		SELECT $1, n.id FROM notifications n WHERE `+noticeVisible+`
		ON CONFLICT DO NOTHING`, username, channel, recipient)
	return int(tag.RowsAffected()), err
}

// UrgeCounts returns, for each of the given tickets that has any, how many
// times supervisors urged it (催办) in its current round.
func (s *Store) UrgeCounts(ctx context.Context, numbers []string) (m map[string]int, err error) {
	defer wrap(&err, "store.UrgeCounts")
	m = map[string]int{}
	if len(numbers) == 0 {
		return m, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT e.ticket_number, count(*) FROM ticket_events e JOIN tickets t ON t.number = e.ticket_number
		WHERE e.ticket_number = ANY($1) AND e.type = 'urged' AND e.round = t.round
		GROUP BY e.ticket_number`, numbers)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			num string
			n   int
		)
		if err := rows.Scan(&num, &n); err != nil {
			return nil, err
		}
		m[num] = n
	}
	return m, rows.Err()
}
