package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// WorkItem is a ticket as the workbench lists show it: the ticket and the few
// facts of its rating a row needs. It carries no citizen data.
type WorkItem struct {
	domain.Ticket
	DepartmentName string
	Level          domain.Level
	Channel        domain.Channel
	Comment        string
	RatedAt        time.Time
}

// WorkOrder is how a work list is sorted; each order has its own keyset cursor.
type WorkOrder int

const (
	NewestFirst WorkOrder = iota // ticket number descending
	OldestFirst                  // ticket number ascending: queues, first come first served
	DueFirst                     // deadline ascending, tickets without one last
)

// WorkFilter selects tickets for a workbench list. Zero fields select everything.
type WorkFilter struct {
	Statuses       []domain.Status
	OpenOnly       bool
	DepartmentCode string
	Overdue        *bool
	DueBefore      time.Time // only open tickets due before this
	// Light selects tickets by domain.DeadlineOf's colour (red or yellow) at
	// Now: the SQL form of the same rule, for the inbox's tabs and counts.
	Light          domain.Light
	Now            time.Time
	Soon           time.Time // domain.DueSoonBy(cal, Now)
	PendingRequest bool      // a department's request waits for a supervisor
	CallTask       *bool
	Query          string // a ticket number or rating id, or its beginning
	Order          WorkOrder
	Limit          int
	Cursor         string
}

func (f WorkFilter) where() ([]string, []any) {
	var c conds
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		c.add("t.status = ANY($%d)", ss)
	}
	if f.OpenOnly || !f.DueBefore.IsZero() || f.PendingRequest {
		c.add("t.status <> 'closed'")
	}
	if f.DepartmentCode != "" {
		c.add("t.department_code = $%d", f.DepartmentCode)
	}
	if f.Overdue != nil {
		c.add("t.overdue = $%d", *f.Overdue)
	}
	if !f.DueBefore.IsZero() {
		c.add("t.due_at < $%d", f.DueBefore)
	}
	switch f.Light {
	case domain.LightRed, domain.LightYellow:
		ss := make([]string, len(domain.DepartmentClockStatuses))
		for i, s := range domain.DepartmentClockStatuses {
			ss[i] = string(s)
		}
		c.add("t.status = ANY($%d) AND t.due_at IS NOT NULL", ss)
		if f.Light == domain.LightRed {
			c.add("(t.overdue OR t.due_at <= $%d)", f.Now)
		} else {
			c.add("NOT t.overdue AND t.due_at > $%d", f.Now)
			c.add("t.due_at <= $%d", f.Soon)
		}
	}
	if f.PendingRequest {
		c.add("t.pending_request IS NOT NULL")
	}
	if f.CallTask != nil {
		c.add("t.call_task = $%d", *f.CallTask)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		c.add("(t.number LIKE $%d OR t.rating_id LIKE $%[1]d)", escapeLike(q)+"%")
	}
	return c.where, c.args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListWork pages through the tickets f selects, in f.Order; next is the cursor of
// the following page, empty on the last.
func (s *Store) ListWork(ctx context.Context, f WorkFilter) (items []WorkItem, next string, err error) {
	defer wrap(&err, "store.ListWork")
	q, args, err := listWorkQuery(f)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (WorkItem, error) {
		var w WorkItem
		t, err := scanTicket(&appendScan{row: row, extra: []any{&w.DepartmentName, &w.Level, &w.Channel, &w.Comment, &w.RatedAt}})
		w.Ticket = t
		return w, err
	})
	if err != nil {
		return nil, "", err
	}
	if len(items) > f.Limit {
		items = items[:f.Limit]
		next = cursorOf(f.Order, items[len(items)-1].Ticket)
	}
	return items, next, nil
}

// listWorkQuery is ListWork's SQL.
func listWorkQuery(f WorkFilter) (string, []any, error) {
	where, args := f.where()
	if f.Cursor != "" {
		cond, cargs, err := cursorCond(f.Order, f.Cursor, len(args))
		if err != nil {
			return "", nil, err
		}
		where, args = append(where, cond), append(args, cargs...)
	}
	q := `SELECT ` + ticketColumns + `, coalesce(d.name, ''), r.level, r.channel, r.comment, r.rated_at
		FROM tickets t JOIN ratings r ON r.id = t.rating_id LEFT JOIN departments d ON d.code = t.department_code`
	q += (&conds{where: where}).sql()
	q += " ORDER BY " + map[WorkOrder]string{
		NewestFirst: "t.number DESC",
		OldestFirst: "t.number",
		DueFirst:    "t.due_at NULLS LAST, t.number",
	}[f.Order]
	args = append(args, f.Limit+1)
	q += fmt.Sprintf(" LIMIT $%d", len(args))
	return q, args, nil
}

// CountWork counts the tickets f selects (ignoring its cursor), for tab badges.
func (s *Store) CountWork(ctx context.Context, f WorkFilter) (n int, err error) {
	defer wrap(&err, "store.CountWork")
	where, args := f.where()
	q := `SELECT count(*) FROM tickets t`
	q += (&conds{where: where}).sql()
	err = s.pool.QueryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// appendScan lets scanTicket read the ticket columns of a row that has more.
type appendScan struct {
	row   pgx.Row
	extra []any
}

func (a *appendScan) Scan(dest ...any) error { return a.row.Scan(append(dest, a.extra...)...) }

// Cursors are "number" for the number orders and "due|number" for DueFirst,
// where due is RFC 3339 with nanoseconds or "-" for a ticket without a deadline.
func cursorOf(o WorkOrder, t domain.Ticket) string {
	if o != DueFirst {
		return t.Number
	}
	if t.DueAt == nil {
		return "-|" + t.Number
	}
	return t.DueAt.UTC().Format(time.RFC3339Nano) + "|" + t.Number
}

func cursorCond(o WorkOrder, cursor string, n int) (string, []any, error) {
	bad := domain.E(domain.KindBadRequest, "bad_parameter", "cursor: not a cursor of this list")
	switch o {
	case NewestFirst:
		return fmt.Sprintf("t.number < $%d", n+1), []any{cursor}, nil
	case OldestFirst:
		return fmt.Sprintf("t.number > $%d", n+1), []any{cursor}, nil
	}
	due, number, ok := strings.Cut(cursor, "|")
	if !ok {
		return "", nil, bad
	}
	if due == "-" {
		return fmt.Sprintf("(t.due_at IS NULL AND t.number > $%d)", n+1), []any{number}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, due)
	if err != nil {
		return "", nil, bad
	}
	return fmt.Sprintf("(t.due_at > $%[1]d OR t.due_at IS NULL OR (t.due_at = $%[1]d AND t.number > $%[2]d))", n+1, n+2),
		[]any{at, number}, nil
}

// OverdueRow counts one department's open overdue tickets by escalation level.
type OverdueRow struct {
	DepartmentCode string
	DepartmentName string
	Level1         int // overdue, escalated to supervisors
	Level2         int // still overdue after the further period
	Total          int
}

// OverdueByDepartment is the supervisors' board, worst department first.
func (s *Store) OverdueByDepartment(ctx context.Context) (rows []OverdueRow, err error) {
	defer wrap(&err, "store.OverdueByDepartment")
	r, err := s.pool.Query(ctx, `
		SELECT t.department_code, coalesce(d.name, ''),
		       count(*) FILTER (WHERE t.escalation_level <= 1), count(*) FILTER (WHERE t.escalation_level >= 2), count(*)
		FROM tickets t LEFT JOIN departments d ON d.code = t.department_code
		WHERE t.overdue AND t.status <> 'closed'
		GROUP BY 1, 2 ORDER BY 5 DESC, 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(r, pgx.RowToStructByPos[OverdueRow])
}

// DueCount is how many open overdue tickets share one deadline.
type DueCount struct {
	DueAt time.Time
	Count int
}

// OverdueDeadlines groups open overdue tickets by deadline, so the caller can count
// working days overdue once per deadline rather than once per ticket.
func (s *Store) OverdueDeadlines(ctx context.Context) (ds []DueCount, err error) {
	defer wrap(&err, "store.OverdueDeadlines")
	r, err := s.pool.Query(ctx, `SELECT due_at, count(*) FROM tickets
		WHERE overdue AND status <> 'closed' AND due_at IS NOT NULL GROUP BY due_at`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(r, pgx.RowToStructByPos[DueCount])
}
