package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
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
	Robot          bool // the department has a group robot: its notices go there too
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
	// Digest identifies the change by its content (see ApplyChange); nil: computed
	// from Ticket, Event and the flags.
	Digest []byte
	// Replaced, when set, is told after the commit what the write replaced.
	Replaced func(Replacement)
	// Wakes (RectificationV3): the snapshot's write also sets the ticket's wake_at
	// to WakeAt (nil: none), the next deadline the sweeper wakes the workflow for.
	Wakes  bool
	WakeAt *time.Time
}

// SurveyToken is a single-use link credential; only its hash is stored.
type SurveyToken struct {
	Raw       string
	Hash      []byte
	ExpiresAt time.Time
}

// ApplyChange writes a transition: the snapshot, the event, and its effects, in one
// transaction.
//
// The event's seq comes from the workflow, and the write commits before the
// workflow task that made it is recorded in history. So a write whose seq is
// taken is either a retry of the same change (same digest: nothing to do, its
// effects committed with it) or a transition of a task that was lost after its
// commit and retried along another path. Then the workflow's version wins: the
// lost attempt's events from this seq on are replaced, their unsent messages and
// unused survey links retracted, the statistics rebuilt from the trail, and the
// snapshot overwritten (see replaceFrom).
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
	digest := ch.Digest
	if digest == nil {
		if digest, err = changeDigest(ch); err != nil {
			return err
		}
	}
	var rep Replacement
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		rep = Replacement{}
		e := ch.Event
		// One writer per ticket at a time: the checks below must see a settled trail.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM tickets WHERE number = $1 FOR UPDATE`, t.Number); err != nil {
			return err
		}
		var (
			stored []byte
			found  bool
			later  bool
		)
		err := tx.QueryRow(ctx, `SELECT digest FROM ticket_events WHERE ticket_number = $1 AND seq = $2`, t.Number, e.Seq).Scan(&stored)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ticket_events WHERE ticket_number = $1 AND seq > $2)`,
			t.Number, e.Seq).Scan(&later); err != nil {
			return err
		}
		// A row from before digests existed is taken for the same change, as before.
		same := found && (stored == nil || bytes.Equal(stored, digest))
		if same && !later {
			return nil // written before: this is a retry, and its effects committed with it
		}
		replace := found || later
		var kept []eventRow
		if replace {
			if kept, err = replaceFrom(ctx, tx, t, e.Seq, &rep); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			UPDATE tickets SET status=$2, resolution=$3, department_code=$4, round=$5, stage_started_at=$6,
				due_at=$7, overdue=$8, escalation_level=$9, pending_request=$10, call_attempts=$11, call_task=$12,
				report=$13, updated_at=$14, closed_at=$15, version=$16, workflow_started=true,
				wake_at = CASE WHEN $18 THEN $19 ELSE wake_at END
			WHERE number=$1 AND (version < $16 OR $17)`,
			t.Number, t.Status, t.Resolution, t.DepartmentCode, t.Round, t.StageStartedAt, t.DueAt, t.Overdue,
			t.EscalationLevel, pending, t.CallAttempts, t.CallTask, t.Report, t.UpdatedAt, t.ClosedAt, t.Version, replace,
			ch.Wakes, ch.WakeAt)
		if err != nil {
			return err
		}
		// The kept events go back in order, so the statistics trigger rebuilds the
		// ticket's facts from the trail the workflow made.
		for _, k := range kept {
			if err := insertEvent(ctx, tx, t.Number, k); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, t.Number, eventRow{Event: e, data: data, digest: digest}); err != nil {
			return err
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
			tag, err := tx.Exec(ctx, `INSERT INTO survey_tokens (token_hash, ticket_number, round, expires_at, event_seq)
				VALUES ($1,$2,$3,$4,$5) ON CONFLICT (ticket_number, round) DO NOTHING`,
				ch.Survey.Hash, t.Number, t.Round, ch.Survey.ExpiresAt, e.Seq)
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
				INSERT INTO notifications (idempotency_key, ticket_number, kind, channel, recipient, body, event_seq)
				VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (idempotency_key) DO NOTHING`,
				n.IdempotencyKey, t.Number, n.Kind, n.Channel, n.Recipient, n.Body, e.Seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && rep.Events > 0 && ch.Replaced != nil {
		ch.Replaced(rep)
	}
	if err == nil && rep.Events > 0 {
		replacements.Add(1)
	}
	return err
}

// Replacement says what a write took back from a lost workflow task's attempt.
type Replacement struct {
	FromSeq          int      // the first seq replaced
	Events           int      // events of the lost attempt removed
	Types            []string // their types, oldest first
	Retracted        int      // their messages taken back before they were sent
	AlreadySent      int      // their messages already sent: cannot be taken back
	SurveysWithdrawn int      // their unused survey links withdrawn
}

var replacements atomic.Int64

// Replacements counts the transitions replaced by the workflow's version since the
// process started (telemetry exports it as rectify_transitions_replaced_total).
func Replacements() int64 { return replacements.Load() }

type eventRow struct {
	domain.Event
	data, digest []byte
}

func insertEvent(ctx context.Context, tx pgx.Tx, number string, e eventRow) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO ticket_events (ticket_number, seq, type, actor, actor_role, at, note, department_code, round, data, digest)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		number, e.Seq, e.Type, e.Actor, e.ActorRole, e.At, e.Note, e.DepartmentCode, e.Round, e.data, e.digest)
	return err
}

// replaceFrom takes back a lost attempt's events from seq on and everything they
// caused that can still be taken back. It returns the events before seq, which the
// caller inserts again (after the snapshot) so that the statistics trigger rebuilds
// the ticket's facts; the ticket's statistics row and every event are removed here.
func replaceFrom(ctx context.Context, tx pgx.Tx, t domain.Ticket, seq int, rep *Replacement) ([]eventRow, error) {
	rows, err := tx.Query(ctx, `
		SELECT seq, type, actor, actor_role, at, note, department_code, round, data, digest
		FROM ticket_events WHERE ticket_number = $1 ORDER BY seq`, t.Number)
	if err != nil {
		return nil, err
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (eventRow, error) {
		var e eventRow
		err := row.Scan(&e.Seq, &e.Type, &e.Actor, &e.ActorRole, &e.At, &e.Note, &e.DepartmentCode, &e.Round, &e.data, &e.digest)
		return e, err
	})
	if err != nil {
		return nil, err
	}
	var kept []eventRow
	upheld := false
	for _, e := range all {
		if e.Seq < seq {
			kept = append(kept, e)
			upheld = upheld || e.Type == "appeal_upheld"
			continue
		}
		rep.Events++
		rep.Types = append(rep.Types, e.Type)
	}
	rep.FromSeq = seq
	// An exclusion made by a replaced appeal_upheld is undone (the trigger moves
	// the figures back in); the new change sets it again if it is one.
	if !upheld {
		if _, err := tx.Exec(ctx, `UPDATE ratings SET excluded = false WHERE id = $1 AND excluded`, t.RatingID); err != nil {
			return nil, err
		}
	}
	// The ticket's facts leave the statistics; re-inserting the kept events brings
	// back what the workflow's trail supports.
	if _, err := tx.Exec(ctx, `
		SELECT stats_ticket_delta(NULL, s) FROM stats_tickets s WHERE s.ticket_number = $1 AND NOT s.excluded`, t.Number); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM stats_tickets WHERE ticket_number = $1`, t.Number); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM ticket_events WHERE ticket_number = $1`, t.Number); err != nil {
		return nil, err
	}
	tag, err := tx.Exec(ctx, `DELETE FROM notifications WHERE ticket_number = $1 AND event_seq >= $2 AND sent_at IS NULL`, t.Number, seq)
	if err != nil {
		return nil, err
	}
	rep.Retracted = int(tag.RowsAffected())
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE ticket_number = $1 AND event_seq >= $2`,
		t.Number, seq).Scan(&rep.AlreadySent); err != nil {
		return nil, err
	}
	tag, err = tx.Exec(ctx, `DELETE FROM survey_tokens WHERE ticket_number = $1 AND event_seq >= $2 AND used_at IS NULL`, t.Number, seq)
	if err != nil {
		return nil, err
	}
	rep.SurveysWithdrawn = int(tag.RowsAffected())
	return kept, nil
}

// changeDigest identifies a change by its content, for callers that do not give one.
func changeDigest(ch Change) ([]byte, error) {
	b, err := json.Marshal(struct {
		Ticket        domain.Ticket
		Event         domain.Event
		Survey        bool
		SurveyUsed    []byte
		ExcludeRating bool
	}{ch.Ticket, ch.Event, ch.Survey != nil, ch.SurveyUsed, ch.ExcludeRating})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

func ticketContext(ctx context.Context, tx pgx.Tx, t domain.Ticket) (TicketContext, error) {
	tc := TicketContext{Number: t.Number, DepartmentCode: t.DepartmentCode, Report: t.Report, Round: t.Round, DueAt: t.DueAt}
	var anonymous bool
	err := tx.QueryRow(ctx, `
		SELECT r.citizen_phone, r.citizen_anonymous, r.comment, coalesce(d.name, ''),
		       EXISTS (SELECT 1 FROM department_robots b WHERE b.department_code = $2)
		FROM ratings r LEFT JOIN departments d ON d.code = $2 WHERE r.id = $1`,
		t.RatingID, t.DepartmentCode).Scan(&tc.CitizenPhone, &anonymous, &tc.Comment, &tc.DepartmentName, &tc.Robot)
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
	q, args := listTicketsQuery(f)
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

// listTicketsQuery is ListTickets' SQL; each filter has an index that returns
// its rows in number order (migration 0011), so a page reads ~Limit rows.
func listTicketsQuery(f TicketFilter) (string, []any) {
	var c conds
	if f.Status != "" {
		c.add("t.status = $%d", string(f.Status))
	}
	if f.DepartmentCode != "" {
		c.add("t.department_code = $%d", f.DepartmentCode)
	}
	if f.OnlyOverdue {
		c.add("t.overdue AND t.status <> 'closed'")
	}
	if f.Cursor != "" {
		c.add("t.number < $%d", f.Cursor)
	}
	q := `SELECT ` + ticketColumns + ` FROM tickets t`
	q += c.sql()
	args := append(c.args, f.Limit+1)
	q += fmt.Sprintf(" ORDER BY t.number DESC LIMIT $%d", len(args))
	return q, args
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
