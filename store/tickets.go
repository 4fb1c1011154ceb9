package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// TicketContext is what rendering a ticket's messages needs to know.
type TicketContext struct {
	Number         string
	DepartmentCode string
	DepartmentName string
	CitizenPhone   string // empty for anonymous raters
	Comment        string
	Report         string
	Round          int
	DueAt          *time.Time
}

// Notification is one outbound message for the outbox.
type Notification struct {
	ID             int64      `json:"id"`
	IdempotencyKey string     `json:"idempotency_key"`
	TicketNumber   string     `json:"ticket_number,omitempty"`
	Kind           string     `json:"kind"`
	Channel        string     `json:"channel"` // sms | department | supervisors
	Recipient      string     `json:"recipient"`
	Body           string     `json:"body"`
	CreatedAt      time.Time  `json:"created_at"`
	Attempts       int        `json:"attempts"`
	SentAt         *time.Time `json:"sent_at"`
	LastError      string     `json:"last_error,omitempty"`
}

// Change is one ticket transition as the store writes it.
type Change struct {
	Ticket        domain.Ticket
	Event         domain.Event
	Survey        *SurveyToken // issue this token (ignored if the round has one)
	SurveyUsed    []byte
	ExcludeRating bool
	// Render produces the transition's messages, inside the transaction so that they
	// commit with the state that caused them. surveyLink is set when a token was issued now.
	Render func(tc TicketContext, surveyLink string) []Notification
}

// SurveyToken is a single-use link credential; only its hash is stored.
type SurveyToken struct {
	Raw       string
	Hash      []byte
	ExpiresAt time.Time
}

// ApplyChange writes a transition: the snapshot if it is newer than the stored one,
// the event, and its effects. Every part is idempotent, so a retried call after a
// commit whose answer was lost changes nothing.
func (s *Store) ApplyChange(ctx context.Context, ch Change) (err error) {
	t := ch.Ticket
	defer wrap(&err, fmt.Sprintf("store.ApplyChange(%s#%d)", t.Number, ch.Event.Seq))
	var pending []byte
	if t.PendingRequest != nil {
		if pending, err = json.Marshal(t.PendingRequest); err != nil {
			return err
		}
	}
	var data []byte
	if ch.Event.Data != nil {
		if data, err = json.Marshal(ch.Event.Data); err != nil {
			return err
		}
	}
	return s.Transact(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			UPDATE tickets SET status=$2, resolution=$3, department_code=$4, round=$5, stage_started_at=$6,
				due_at=$7, overdue=$8, escalation_level=$9, pending_request=$10, call_attempts=$11, call_task=$12,
				report=$13, updated_at=$14, closed_at=$15, version=$16, workflow_started=true
			WHERE number=$1 AND version < $16`,
			t.Number, t.Status, t.Resolution, t.DepartmentCode, t.Round, t.StageStartedAt, t.DueAt, t.Overdue,
			t.EscalationLevel, pending, t.CallAttempts, t.CallTask, t.Report, t.UpdatedAt, t.ClosedAt, t.Version)
		if err != nil {
			return err
		}
		e := ch.Event
		tag, err := tx.Exec(ctx, `
			INSERT INTO ticket_events (ticket_number, seq, type, actor, actor_role, at, note, department_code, round, data)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING`,
			t.Number, e.Seq, e.Type, e.Actor, e.ActorRole, e.At, e.Note, e.DepartmentCode, e.Round, data)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil // written before: this is a retry, and its effects committed with it
		}
		if ch.ExcludeRating {
			if _, err := tx.Exec(ctx, `UPDATE ratings SET excluded = true WHERE id = $1`, t.RatingID); err != nil {
				return err
			}
		}
		if ch.SurveyUsed != nil {
			if _, err := tx.Exec(ctx, `UPDATE survey_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL`, ch.SurveyUsed); err != nil {
				return err
			}
		}
		if !t.Open() || ch.SurveyUsed != nil {
			// The round's follow-up is over: its survey link must stop working.
			if _, err := tx.Exec(ctx, `UPDATE survey_tokens SET used_at = now() WHERE ticket_number = $1 AND used_at IS NULL`, t.Number); err != nil {
				return err
			}
		}
		link := ""
		if ch.Survey != nil {
			tag, err := tx.Exec(ctx, `INSERT INTO survey_tokens (token_hash, ticket_number, round, expires_at)
				VALUES ($1,$2,$3,$4) ON CONFLICT (ticket_number, round) DO NOTHING`,
				ch.Survey.Hash, t.Number, t.Round, ch.Survey.ExpiresAt)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				link = ch.Survey.Raw
			}
		}
		if ch.Render == nil {
			return nil
		}
		tc, err := ticketContext(ctx, tx, t)
		if err != nil {
			return err
		}
		for _, n := range ch.Render(tc, link) {
			if _, err := tx.Exec(ctx, `
				INSERT INTO notifications (idempotency_key, ticket_number, kind, channel, recipient, body)
				VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (idempotency_key) DO NOTHING`,
				n.IdempotencyKey, t.Number, n.Kind, n.Channel, n.Recipient, n.Body); err != nil {
				return err
			}
		}
		return nil
	})
}

func ticketContext(ctx context.Context, tx pgx.Tx, t domain.Ticket) (TicketContext, error) {
	tc := TicketContext{Number: t.Number, DepartmentCode: t.DepartmentCode, Report: t.Report, Round: t.Round, DueAt: t.DueAt}
	var anonymous bool
	err := tx.QueryRow(ctx, `
		SELECT r.citizen_phone, r.citizen_anonymous, r.comment, coalesce(d.name, '')
		FROM ratings r LEFT JOIN departments d ON d.code = $2 WHERE r.id = $1`,
		t.RatingID, t.DepartmentCode).Scan(&tc.CitizenPhone, &anonymous, &tc.Comment, &tc.DepartmentName)
	if anonymous {
		tc.CitizenPhone = ""
	}
	return tc, err
}

const ticketColumns = `t.number, t.rating_id, t.status, t.resolution, t.department_code, t.round, t.stage_started_at,
	t.due_at, t.overdue, t.escalation_level, t.pending_request, t.call_attempts, t.call_task, t.report,
	t.created_at, t.updated_at, t.closed_at, t.version`

func scanTicket(row pgx.Row) (domain.Ticket, error) {
	var (
		t       domain.Ticket
		pending []byte
	)
	err := row.Scan(&t.Number, &t.RatingID, &t.Status, &t.Resolution, &t.DepartmentCode, &t.Round,
		&t.StageStartedAt, &t.DueAt, &t.Overdue, &t.EscalationLevel, &pending, &t.CallAttempts, &t.CallTask,
		&t.Report, &t.CreatedAt, &t.UpdatedAt, &t.ClosedAt, &t.Version)
	if err != nil {
		return t, err
	}
	if pending != nil {
		t.PendingRequest = &domain.Request{}
		if err := json.Unmarshal(pending, t.PendingRequest); err != nil {
			return t, err
		}
	}
	return t, nil
}

// GetTicket returns a ticket with its events, oldest first. Both are read from one
// snapshot: a transition committing between two plain reads would show a row and
// an event list that disagree (an event whose change the row does not have yet).
func (s *Store) GetTicket(ctx context.Context, number string) (t domain.Ticket, err error) {
	defer wrap(&err, "store.GetTicket")
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		t, err = scanTicket(tx.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets t WHERE t.number = $1`, number))
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT seq, type, actor, actor_role, at, note, department_code, round, data
			FROM ticket_events WHERE ticket_number = $1 ORDER BY seq`, number)
		if err != nil {
			return err
		}
		t.Events, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Event, error) {
			var (
				e    domain.Event
				data []byte
			)
			if err := row.Scan(&e.Seq, &e.Type, &e.Actor, &e.ActorRole, &e.At, &e.Note, &e.DepartmentCode, &e.Round, &data); err != nil {
				return e, err
			}
			if data != nil {
				err := json.Unmarshal(data, &e.Data)
				return e, err
			}
			return e, nil
		})
		return err
	})
	if t.Events == nil {
		t.Events = []domain.Event{}
	}
	return t, err
}

// TicketFilter selects tickets for a list.
type TicketFilter struct {
	Status         domain.Status
	DepartmentCode string
	OnlyOverdue    bool
	Limit          int
	Cursor         string // the last number of the previous page
}

// ListTickets pages through tickets newest first; the cursor is the last number
// seen (numbers grow with time, so keyset paging on them is stable).
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) (ts []domain.Ticket, next string, err error) {
	defer wrap(&err, "store.ListTickets")
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("t.status = $%d", string(f.Status))
	}
	if f.DepartmentCode != "" {
		add("t.department_code = $%d", f.DepartmentCode)
	}
	if f.OnlyOverdue {
		where = append(where, "t.overdue AND t.status <> 'closed'")
	}
	if f.Cursor != "" {
		add("t.number < $%d", f.Cursor)
	}
	q := `SELECT ` + ticketColumns + ` FROM tickets t`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit+1)
	q += fmt.Sprintf(" ORDER BY t.number DESC LIMIT $%d", len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	ts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Ticket, error) { return scanTicket(row) })
	if err != nil {
		return nil, "", err
	}
	if len(ts) > f.Limit {
		ts = ts[:f.Limit]
		next = ts[len(ts)-1].Number
	}
	return ts, next, nil
}

// TicketRef is the little the API needs before acting on a ticket.
type TicketRef struct {
	Number, RatingID, DepartmentCode string
	Status                           domain.Status
}

// GetTicketRef returns a ticket's number, rating and department.
func (s *Store) GetTicketRef(ctx context.Context, number string) (r TicketRef, err error) {
	err = s.pool.QueryRow(ctx, `SELECT number, rating_id, department_code, status FROM tickets WHERE number = $1`, number).
		Scan(&r.Number, &r.RatingID, &r.DepartmentCode, &r.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.ErrNotFound
	}
	return r, err
}

// TicketStartOf rebuilds a ticket's workflow start from its rows, for a ticket whose
// workflow never started.
func (s *Store) TicketStartOf(ctx context.Context, number string) (t TicketStart, err error) {
	defer wrap(&err, "store.TicketStartOf")
	err = s.pool.QueryRow(ctx, `
		SELECT t.number, t.rating_id, t.department_code, t.status <> 'pending_dispatch',
		       r.citizen_phone <> '' AND NOT r.citizen_anonymous, t.workflow_started, t.created_at
		FROM tickets t JOIN ratings r ON r.id = t.rating_id WHERE t.number = $1`, number).
		Scan(&t.Number, &t.RatingID, &t.DepartmentCode, &t.Dispatched, &t.CitizenReach, &t.WorkflowStarted, &t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, domain.ErrNotFound
	}
	return t, err
}
