package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// NewRating is a validated rating with the hash of the request it came from.
type NewRating struct {
	domain.Rating
	BodyHash    []byte
	SubmittedBy string
	// OnlyOwn: the id counts as a retry only if SubmittedBy stored it; another
	// submitter's rating under the id is a conflict, whatever the body, so a
	// channel learns nothing of another's ratings (no ticket number, no 200).
	OnlyOwn bool
}

// Outcome of storing one rating.
type Outcome int

const (
	Created   Outcome = iota // stored now
	Duplicate                // the same id with the same body was stored before
	Conflict                 // the same id with a different body
)

// RatingResult says what happened to one submitted rating. Ticket is set for
// negative ratings (new or duplicate) so the caller can make sure its workflow runs.
type RatingResult struct {
	Outcome Outcome
	Ticket  *TicketStart
}

// HasRatings reports whether any rating is stored: the dev demo is seeded only
// into a database without any.
func (s *Store) HasRatings(ctx context.Context) (has bool, err error) {
	defer wrap(&err, "store.HasRatings")
	err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ratings)`).Scan(&has)
	return has, err
}

// TicketStart is what a rectification workflow needs to begin.
type TicketStart struct {
	Number          string
	RatingID        string
	DepartmentCode  string // the rated department
	Dispatched      bool   // the department is registered: the ticket starts awaiting_sign
	CitizenReach    bool   // real-name with a phone: follow up by SMS survey
	WorkflowStarted bool
	CreatedAt       time.Time
}

// CreateRatings stores ratings and, for each new negative one, its ticket, all in one
// transaction: a rating and its ticket are never apart. Results are in input order.
// Ids must be unique within one call (the caller folds repeats).
func (s *Store) CreateRatings(ctx context.Context, rs []NewRating) (res []RatingResult, err error) {
	defer wrap(&err, "store.CreateRatings")
	res = make([]RatingResult, len(rs))
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		inserted, err := insertRatings(ctx, tx, rs)
		if err != nil {
			return err
		}
		var existing []string
		for i, r := range rs {
			if !inserted[r.ID] {
				existing = append(existing, rs[i].ID)
			}
		}
		prior, err := priorRatings(ctx, tx, existing)
		if err != nil {
			return err
		}
		var negatives []int
		for i, r := range rs {
			if inserted[r.ID] {
				res[i].Outcome = Created
				if r.Negative {
					negatives = append(negatives, i)
				}
				continue
			}
			p := prior[r.ID]
			if !bytes.Equal(p.hash, r.BodyHash) || (r.OnlyOwn && p.submittedBy != r.SubmittedBy) {
				res[i].Outcome = Conflict
				continue
			}
			res[i].Outcome = Duplicate
			res[i].Ticket = p.ticket
		}
		return createTickets(ctx, tx, rs, negatives, res)
	})
	return res, err
}

func insertRatings(ctx context.Context, tx pgx.Tx, rs []NewRating) (map[string]bool, error) {
	n := len(rs)
	var (
		ids, channels, levels, depts, items, staff, halls, cases, regions = mk(n), mk(n), mk(n), mk(n), mk(n), mk(n), mk(n), mk(n), mk(n)
		comments, names, phones, aspects, by                              = mk(n), mk(n), mk(n), mk(n), mk(n)
		hashes                                                            = make([][]byte, n)
		negs, anon                                                        = make([]bool, n), make([]bool, n)
		ratedAt                                                           = make([]time.Time, n)
	)
	for i, r := range rs {
		ids[i], channels[i], levels[i], depts[i] = r.ID, string(r.Channel), string(r.Level), r.DepartmentCode
		items[i], staff[i], halls[i], cases[i], regions[i] = r.ServiceItemCode, r.StaffID, r.HallCode, r.CaseNo, r.RegionCode
		comments[i], hashes[i], negs[i], ratedAt[i], by[i] = r.Comment, r.BodyHash, r.Negative, r.RatedAt, r.SubmittedBy
		aspects[i] = pgTextArray(r.Aspects)
		anon[i] = true
		if c := r.Citizen; c != nil {
			k := c.Kept() // an anonymous rater's name and phone are dropped here
			names[i], phones[i], anon[i] = k.Name, k.Phone, k.Anonymous
		}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO ratings (id, body_hash, channel, level, negative, rated_at, department_code,
			service_item_code, staff_id, hall_code, case_no, region_code, aspects, comment,
			citizen_name, citizen_phone, citizen_anonymous, submitted_by)
		SELECT id, body_hash, channel, level, negative, rated_at, department_code, service_item_code, staff_id,
			hall_code, case_no, region_code, aspects_lit::text[], comment, citizen_name, citizen_phone, citizen_anonymous, submitted_by
		FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[],
			$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
			$15::text[], $16::text[], $17::bool[], $18::text[])
		  AS u(id, body_hash, channel, level, negative, rated_at, department_code, service_item_code, staff_id,
			hall_code, case_no, region_code, aspects_lit, comment, citizen_name, citizen_phone, citizen_anonymous, submitted_by)
		ON CONFLICT (id) DO NOTHING
		RETURNING id`,
		ids, hashes, channels, levels, negs, ratedAt, depts, items, staff, halls, cases, regions,
		aspects, comments, names, phones, anon, by)
	if err != nil {
		return nil, err
	}
	return collectSet(rows)
}

func mk(n int) []string { return make([]string, n) }

// pgTextArray renders a text[] literal: unnest cannot take an array of arrays of
// different lengths, so aspects travel as literals and are cast on insert.
func pgTextArray(xs []string) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for _, r := range x {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

type prior struct {
	hash        []byte
	submittedBy string
	ticket      *TicketStart
}

func priorRatings(ctx context.Context, tx pgx.Tx, ids []string) (map[string]prior, error) {
	out := make(map[string]prior, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT r.id, r.body_hash, r.submitted_by, t.number, t.department_code, t.status <> 'pending_dispatch',
		       r.citizen_phone <> '' AND NOT r.citizen_anonymous, t.workflow_started, t.created_at
		FROM ratings r LEFT JOIN tickets t ON t.rating_id = r.id
		WHERE r.id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, number, dept  *string
			p                 prior
			dispatched, reach *bool
			started           *bool
			created           *time.Time
		)
		if err := rows.Scan(&id, &p.hash, &p.submittedBy, &number, &dept, &dispatched, &reach, &started, &created); err != nil {
			return nil, err
		}
		if number != nil {
			p.ticket = &TicketStart{Number: *number, RatingID: *id, DepartmentCode: *dept,
				Dispatched: *dispatched, CitizenReach: *reach, WorkflowStarted: *started, CreatedAt: *created}
		}
		out[*id] = p
	}
	return out, rows.Err()
}

// numberSuffix is the SQL for a ticket number's sequence part: six digits, and
// past 999,999 a letter naming the length before the digits (A: 7 digits, B: 8,
// ...). Letters sort after digits, so text order stays creation order on every
// day, which list paging by number relies on; plain digits would put 1000000
// before 999999.
func numberSuffix(n string) string {
	return fmt.Sprintf("CASE WHEN length(%[1]s) <= 6 THEN lpad(%[1]s, 6, '0') ELSE chr(ascii('A') + length(%[1]s) - 7) || %[1]s END", n)
}

// TicketNumberSuffix is numberSuffix in Go, for tools that number tickets
// themselves (the seeder).
func TicketNumberSuffix(n int64) string {
	d := fmt.Sprint(n)
	if len(d) <= 6 {
		return fmt.Sprintf("%06d", n)
	}
	return string(rune('A'+len(d)-7)) + d
}

// createTickets opens a ticket for each new negative rating, numbered GD + the
// Shanghai date + a sequence: readable on the phone, unique, fixed at birth.
func createTickets(ctx context.Context, tx pgx.Tx, rs []NewRating, idx []int, res []RatingResult) error {
	if len(idx) == 0 {
		return nil
	}
	ids := make([]string, len(idx))
	for k, i := range idx {
		ids[k] = rs[i].ID
	}
	rows, err := tx.Query(ctx, `
		WITH seq AS (
			SELECT r.id, r.department_code, r.citizen_phone <> '' AND NOT r.citizen_anonymous AS reach,
			       EXISTS (SELECT 1 FROM departments d WHERE d.code = r.department_code) AS known,
			       nextval('ticket_number_seq')::text AS n
			FROM ratings r WHERE r.id = ANY($1)
		), t AS (
			INSERT INTO tickets (number, rating_id, status, department_code)
			SELECT 'GD' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || `+numberSuffix("n")+`,
			       id, CASE WHEN known THEN 'awaiting_sign' ELSE 'pending_dispatch' END,
			       CASE WHEN known THEN department_code ELSE '' END
			FROM seq
			RETURNING number, rating_id, department_code, status, created_at
		)
		SELECT t.number, t.rating_id, seq.department_code, t.status = 'awaiting_sign', seq.reach, t.created_at
		FROM t JOIN seq ON seq.id = t.rating_id`, ids)
	if err != nil {
		return err
	}
	byID := map[string]*TicketStart{}
	starts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*TicketStart, error) {
		var t TicketStart
		err := row.Scan(&t.Number, &t.RatingID, &t.DepartmentCode, &t.Dispatched, &t.CitizenReach, &t.CreatedAt)
		return &t, err
	})
	if err != nil {
		return err
	}
	for _, t := range starts {
		byID[t.RatingID] = t
	}
	for _, i := range idx {
		res[i].Ticket = byID[rs[i].ID]
		if res[i].Ticket == nil {
			return errors.New("ticket not created for " + rs[i].ID)
		}
	}
	return nil
}

// GetRating returns a rating and its ticket number.
func (s *Store) GetRating(ctx context.Context, id string) (r domain.Rating, err error) {
	defer wrap(&err, "store.GetRating")
	var (
		c      domain.Citizen
		number *string
	)
	err = s.pool.QueryRow(ctx, `
		SELECT r.id, r.channel, r.level, r.rated_at, r.received_at, r.department_code, r.service_item_code,
		       r.staff_id, r.hall_code, r.case_no, r.region_code, r.aspects, r.comment, r.citizen_name,
		       r.citizen_phone, r.citizen_anonymous, r.negative, r.excluded, t.number, coalesce(t.department_code, '')
		FROM ratings r LEFT JOIN tickets t ON t.rating_id = r.id WHERE r.id = $1`, id).Scan(
		&r.ID, &r.Channel, &r.Level, &r.RatedAt, &r.ReceivedAt, &r.DepartmentCode, &r.ServiceItemCode,
		&r.StaffID, &r.HallCode, &r.CaseNo, &r.RegionCode, &r.Aspects, &r.Comment, &c.Name,
		&c.Phone, &c.Anonymous, &r.Negative, &r.Excluded, &number, &r.TicketDepartment)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.ErrNotFound
	}
	if c.Name != "" || c.Phone != "" || !c.Anonymous {
		r.Citizen = &c
	}
	if number != nil {
		r.TicketNumber = *number
	}
	return r, err
}

// UnstartedTickets lists tickets whose workflow has not confirmed its start and that
// are older than minAge: the reconciler starts them.
func (s *Store) UnstartedTickets(ctx context.Context, minAge time.Duration, limit int) (ts []TicketStart, err error) {
	defer wrap(&err, "store.UnstartedTickets")
	rows, err := s.pool.Query(ctx, `
		SELECT t.number, t.rating_id, r.department_code, t.status <> 'pending_dispatch',
		       r.citizen_phone <> '' AND NOT r.citizen_anonymous, t.created_at
		FROM tickets t JOIN ratings r ON r.id = t.rating_id
		WHERE NOT t.workflow_started AND t.created_at < now() - $1::interval
		ORDER BY t.created_at LIMIT $2`, minAge, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (TicketStart, error) {
		var t TicketStart
		err := row.Scan(&t.Number, &t.RatingID, &t.DepartmentCode, &t.Dispatched, &t.CitizenReach, &t.CreatedAt)
		return t, err
	})
}

// CreateRating stores one rating like CreateRatings, but merges the calls that
// arrive while earlier ones are being written into one CreateRatings call: one
// transaction, one commit and one statistics-trigger run for the lot (group
// commit). Under many concurrent single-rating requests this is what keeps
// ingestion from being bound by per-transaction cost. The price: a fault that fails
// the shared transaction fails every rating in it (each caller gets the error, and
// nothing of the group is stored).
func (s *Store) CreateRating(ctx context.Context, r NewRating) (RatingResult, error) {
	return s.group.create(ctx, s, r)
}

// Group commit limits: writers at once (each holds one connection), ratings per group.
const (
	groupWriters = 4
	groupMax     = 256
)

// ratingGroup is the queue of single ratings waiting to be written; the zero value
// is ready to use.
type ratingGroup struct {
	once    sync.Once
	slots   chan struct{}
	mu      sync.Mutex
	pending []*groupedRating
}

type groupedRating struct {
	r    NewRating
	res  RatingResult
	err  error
	done chan struct{}
}

func (g *ratingGroup) create(ctx context.Context, s *Store, r NewRating) (RatingResult, error) {
	g.once.Do(func() { g.slots = make(chan struct{}, groupWriters) })
	it := &groupedRating{r: r, done: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, it)
	g.mu.Unlock()
	// Either a free writer slot (write whatever is pending, this one included unless
	// another writer took it already) or another writer finishes this one first.
	select {
	case g.slots <- struct{}{}:
		g.write(ctx, s, it)
		<-g.slots
	case <-it.done:
	case <-ctx.Done():
		g.drop(it) // not written yet: leave it out (if a writer took it, it commits)
		return RatingResult{}, ctx.Err()
	}
	select {
	case <-it.done:
		return it.res, it.err
	case <-ctx.Done():
		return RatingResult{}, ctx.Err()
	}
}

// drop removes it from the queue if no writer has taken it yet.
func (g *ratingGroup) drop(it *groupedRating) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, p := range g.pending {
		if p == it {
			g.pending = append(g.pending[:i], g.pending[i+1:]...)
			return
		}
	}
}

// write takes up to groupMax pending ratings with distinct ids (CreateRatings needs
// them unique; a repeat waits for the next group) and stores them in one call.
// The writer's own item goes first when still pending: the writer then waits only
// for its own write, so a repeat of an id, or the 257th item, can never be left
// behind with no writer coming for it.
func (g *ratingGroup) write(ctx context.Context, s *Store, own *groupedRating) {
	g.mu.Lock()
	var (
		batch []*groupedRating
		rest  []*groupedRating
		seen  = map[string]bool{}
	)
	queue := g.pending
	if i := slices.Index(queue, own); i > 0 {
		queue = append([]*groupedRating{own}, slices.Delete(slices.Clone(queue), i, i+1)...)
	}
	for _, it := range queue {
		if len(batch) < groupMax && !seen[it.r.ID] {
			seen[it.r.ID] = true
			batch = append(batch, it)
		} else {
			rest = append(rest, it)
		}
	}
	g.pending = rest
	g.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	rs := make([]NewRating, len(batch))
	for i, it := range batch {
		rs[i] = it.r
	}
	// The group outlives any one caller's request: write it to the end.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	res, err := s.CreateRatings(wctx, rs)
	for i, it := range batch {
		if err != nil {
			it.err = err
		} else {
			it.res = res[i]
		}
		close(it.done)
	}
}
