package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// The call-back queue as the call center works it: the queue, one call-back with
// its calls, logging a call; and the figures of the call-backs. (Cases enter the
// queue by a release, callback_release.go.)

// Callback is one case in the call-back queue, as the call center sees it.
type Callback struct {
	ID              int64         `json:"id"`
	CaseNo          string        `json:"case_no"`
	Team            string        `json:"team"`
	Status          string        `json:"status"` // queued | reached | dropped | cancelled (the citizen rated meanwhile)
	DepartmentCode  string        `json:"department_code"`
	ServiceItemCode string        `json:"service_item_code"`
	ServiceItemName string        `json:"service_item_name,omitempty"`
	HallCode        string        `json:"hall_code,omitempty"`
	Channel         string        `json:"channel,omitempty"`
	RegionCode      string        `json:"region_code,omitempty"`
	FinishedAt      time.Time     `json:"finished_at"`
	ReleasedAt      time.Time     `json:"released_at"`
	Attempts        int           `json:"attempts"`
	MaxAttempts     int           `json:"max_attempts"`
	NextCallAt      time.Time     `json:"next_call_at"`
	Applicant       Applicant     `json:"applicant"`
	RatingID        string        `json:"rating_id,omitempty"`
	Negative        bool          `json:"negative"`
	TicketNumber    string        `json:"ticket_number,omitempty"`
	ClosedAt        *time.Time    `json:"closed_at"`
	Calls           []CallAttempt `json:"calls,omitempty"`
}

// Applicant is the citizen of a case. Phone is personal data: masked for every
// role but the call center and never logged.
type Applicant struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// CallAttempt is one call made on a call-back.
type CallAttempt struct {
	Attempt  int       `json:"attempt"`
	Reached  bool      `json:"reached"`
	Note     string    `json:"note,omitempty"`
	CalledBy string    `json:"called_by"`
	At       time.Time `json:"at"`
}

const callbackColumns = `cb.id, cb.case_no, cb.team, cb.status, c.department_code, c.service_item_code,
	c.service_item_name, c.hall_code, c.channel, c.region_code, cb.finished_at, cb.released_at, cb.attempts,
	cb.max_attempts, cb.next_call_at, c.applicant_name, c.applicant_phone, coalesce(cb.rating_id, ''),
	coalesce(r.negative, false), coalesce(t.number, ''), cb.closed_at`

const callbackFrom = ` FROM callbacks cb JOIN cases c ON c.case_no = cb.case_no
	LEFT JOIN ratings r ON r.id = cb.rating_id LEFT JOIN tickets t ON t.rating_id = cb.rating_id`

func scanCallback(row pgx.Row) (cb Callback, err error) {
	err = row.Scan(&cb.ID, &cb.CaseNo, &cb.Team, &cb.Status, &cb.DepartmentCode, &cb.ServiceItemCode,
		&cb.ServiceItemName, &cb.HallCode, &cb.Channel, &cb.RegionCode, &cb.FinishedAt, &cb.ReleasedAt, &cb.Attempts,
		&cb.MaxAttempts, &cb.NextCallAt, &cb.Applicant.Name, &cb.Applicant.Phone, &cb.RatingID,
		&cb.Negative, &cb.TicketNumber, &cb.ClosedAt)
	return cb, err
}

// CallbackFilter selects the queue.
type CallbackFilter struct {
	Team   string
	DueBy  *time.Time // only call-backs whose next call is due by then; nil: every queued one
	Limit  int
	Cursor string // from the previous page
}

// CallbackQueue lists queued call-backs oldest case first (the queue is worked by
// age), paged by keyset on (finished_at, id).
func (s *Store) CallbackQueue(ctx context.Context, f CallbackFilter) (cbs []Callback, next string, err error) {
	defer wrap(&err, "store.CallbackQueue")
	where := []string{"cb.status = 'queued'"}
	var args []any
	add := func(cond string, vs ...any) {
		idx := make([]any, len(vs))
		for i, v := range vs {
			args = append(args, v)
			idx[i] = len(args)
		}
		where = append(where, fmt.Sprintf(cond, idx...))
	}
	if f.Team != "" {
		add("cb.team = $%d", f.Team)
	}
	if f.DueBy != nil {
		add("cb.next_call_at <= $%d", *f.DueBy)
	}
	if f.Cursor != "" {
		at, id, err := parseQueueCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		add("(cb.finished_at, cb.id) > ($%d, $%d)", at, id)
	}
	args = append(args, f.Limit+1)
	rows, err := s.pool.Query(ctx, `SELECT `+callbackColumns+callbackFrom+` WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY cb.finished_at, cb.id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, "", err
	}
	cbs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Callback, error) { return scanCallback(row) })
	if err != nil {
		return nil, "", err
	}
	if len(cbs) > f.Limit {
		cbs = cbs[:f.Limit]
		last := cbs[len(cbs)-1]
		next = strconv.FormatInt(last.FinishedAt.UnixMicro(), 10) + "." + strconv.FormatInt(last.ID, 10)
	}
	return cbs, next, nil
}

func parseQueueCursor(c string) (time.Time, int64, error) {
	a, b, ok := strings.Cut(c, ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, 0, domain.E(domain.KindBadRequest, "bad_parameter", "cursor: not one this API gave out")
	}
	return time.UnixMicro(us), id, nil
}

// GetCallback returns a call-back with its calls.
func (s *Store) GetCallback(ctx context.Context, id int64) (cb Callback, err error) {
	defer wrap(&err, "store.GetCallback")
	return getCallback(ctx, s.pool, id)
}

type rowsQuerier interface {
	querier
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func getCallback(ctx context.Context, q rowsQuerier, id int64) (Callback, error) {
	cb, err := scanCallback(q.QueryRow(ctx, `SELECT `+callbackColumns+callbackFrom+` WHERE cb.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return cb, domain.ErrNotFound
	}
	if err != nil {
		return cb, err
	}
	rows, err := q.Query(ctx, `SELECT attempt, reached, note, called_by, at FROM callback_attempts
		WHERE callback_id = $1 ORDER BY attempt`, id)
	if err != nil {
		return cb, err
	}
	cb.Calls, err = pgx.CollectRows(rows, pgx.RowToStructByPos[CallAttempt])
	return cb, err
}

// NewCallAttempt is a call to log.
type NewCallAttempt struct {
	CallbackID int64
	Attempt    int // the caller's number for it, 0: the next one
	Reached    bool
	RatingID   string // reached: the hotline rating registered for the answer
	Note       string
	CalledBy   string
	At         time.Time
	RetryAfter time.Duration // pause before the next call when not reached
}

// Errors of logging a call.
var (
	ErrCallbackClosed = domain.E(domain.KindConflict, "callback_closed", "this call-back is finished: no more calls are logged")
)

// LogCallAttempt records a call. A reached call closes the call-back with its
// rating; an unanswered one counts an attempt, and the last allowed attempt drops
// the case. Logging the same attempt again with the same outcome changes nothing
// (a retried request); replay reports that.
func (s *Store) LogCallAttempt(ctx context.Context, a NewCallAttempt) (cb Callback, replay bool, err error) {
	defer wrap(&err, "store.LogCallAttempt")
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		var (
			status           string
			attempts, max    int
			ratingID         string
			prevReached      bool
			prevFound        bool
			requestedAttempt = a.Attempt
		)
		err := tx.QueryRow(ctx, `SELECT status, attempts, max_attempts, coalesce(rating_id, '') FROM callbacks
			WHERE id = $1 FOR UPDATE`, a.CallbackID).Scan(&status, &attempts, &max, &ratingID)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.ErrNotFound
		}
		if err != nil {
			return err
		}
		// A reached call-back answered with this very rating: the retry of that log.
		if status == "reached" && a.Reached && ratingID == a.RatingID && (requestedAttempt == 0 || requestedAttempt == attempts) {
			replay = true
			return nil
		}
		n := requestedAttempt
		if n == 0 {
			n = attempts + 1
		}
		if n <= attempts {
			err := tx.QueryRow(ctx, `SELECT reached FROM callback_attempts WHERE callback_id = $1 AND attempt = $2`,
				a.CallbackID, n).Scan(&prevReached)
			prevFound = err == nil
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if prevFound && prevReached == a.Reached && !a.Reached {
				replay = true
				return nil
			}
			return domain.E(domain.KindConflict, "attempt_logged", "call %d was already logged with another outcome", n)
		}
		if status != "queued" {
			return ErrCallbackClosed
		}
		if n != attempts+1 {
			return domain.Invalid("invalid_call", []domain.FieldError{{Field: "attempt",
				Message: fmt.Sprintf("the next call is number %d", attempts+1)}})
		}
		if _, err := tx.Exec(ctx, `INSERT INTO callback_attempts (callback_id, attempt, reached, note, called_by, at)
			VALUES ($1, $2, $3, $4, $5, $6)`, a.CallbackID, n, a.Reached, a.Note, a.CalledBy, a.At); err != nil {
			return err
		}
		switch {
		case a.Reached:
			_, err = tx.Exec(ctx, `UPDATE callbacks SET attempts = $2, status = 'reached', rating_id = $3, closed_at = $4
				WHERE id = $1`, a.CallbackID, n, a.RatingID, a.At)
		case n >= max:
			_, err = tx.Exec(ctx, `UPDATE callbacks SET attempts = $2, status = 'dropped', closed_at = $3
				WHERE id = $1`, a.CallbackID, n, a.At)
		default:
			_, err = tx.Exec(ctx, `UPDATE callbacks SET attempts = $2, next_call_at = $3 WHERE id = $1`,
				a.CallbackID, n, a.At.Add(a.RetryAfter))
		}
		return err
	})
	if err != nil {
		return cb, false, err
	}
	cb, err = getCallback(ctx, s.pool, a.CallbackID)
	return cb, replay, err
}

// CallbackCounts are the raw call-back numbers of one department over a period of
// case finishing times (campaigns.Counts, which adds their rates).
type CallbackCounts struct {
	DepartmentCode string
	Cases          int // finished cases reported
	Picked         int // picked by the sampling rules
	Skipped        int // picked but not to be called (see campaigns' Skip* reasons)
	Sampled        int // picked and to be called: waiting or released
	Queued         int // released into the call-back queue
	Called         int // at least one call made
	Reached        int
	Dropped        int                  // unanswered after the last attempt
	CalledBack     map[domain.Level]int // ratings registered by reached call-backs
	SelfSubmitted  map[domain.Level]int // the department's other ratings in the period
}

// CallbackFigures counts the call-backs of cases finished in [from, to), per
// department (one department when dept is set), beside the ratings the same
// departments received in that time other than by call-back. Ratings excluded by
// an upheld appeal do not count.
func (s *Store) CallbackFigures(ctx context.Context, from, to time.Time, dept string) (fs []CallbackCounts, err error) {
	defer wrap(&err, "store.CallbackFigures")
	levels := func(prefix, alias string) string {
		var b strings.Builder
		for _, l := range domain.Levels {
			fmt.Fprintf(&b, ", count(*) FILTER (WHERE %s.level = '%s')::int AS %s_%s", alias, l, prefix, l)
		}
		return b.String()
	}
	var selfCols, cbCols strings.Builder
	for _, l := range domain.Levels {
		fmt.Fprintf(&cbCols, ", k.cb_%s", l)
		fmt.Fprintf(&selfCols, ", coalesce(s.self_%s, 0)", l)
	}
	rows, err := s.pool.Query(ctx, `
		WITH k AS (
			SELECT c.department_code, count(*)::int AS cases,
			       count(*) FILTER (WHERE c.sampled)::int AS picked,
			       count(*) FILTER (WHERE c.status = 'skipped')::int AS skipped,
			       count(*) FILTER (WHERE c.status IN ('waiting', 'released'))::int AS sampled,
			       count(cb.id)::int AS queued,
			       count(cb.id) FILTER (WHERE cb.attempts > 0)::int AS called,
			       count(cb.id) FILTER (WHERE cb.status = 'reached')::int AS reached,
			       count(cb.id) FILTER (WHERE cb.status = 'dropped')::int AS dropped
			       `+levels("cb", "r")+`
			FROM cases c
			LEFT JOIN callbacks cb ON cb.case_no = c.case_no
			LEFT JOIN ratings r ON r.id = cb.rating_id AND NOT r.excluded
			WHERE c.finished_at >= $1 AND c.finished_at < $2 AND ($3 = '' OR c.department_code = $3)
			GROUP BY c.department_code
		), s AS (
			SELECT r.department_code `+levels("self", "r")+`
			FROM ratings r
			WHERE r.rated_at >= $1 AND r.rated_at < $2 AND NOT r.excluded
			  AND r.department_code IN (SELECT department_code FROM k)
			  AND NOT EXISTS (SELECT 1 FROM callbacks cb WHERE cb.rating_id = r.id)
			GROUP BY r.department_code
		)
		SELECT k.department_code, k.cases, k.picked, k.skipped, k.sampled, k.queued, k.called, k.reached, k.dropped
		       `+cbCols.String()+selfCols.String()+`
		FROM k LEFT JOIN s ON s.department_code = k.department_code
		ORDER BY k.department_code`, from, to, dept)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (CallbackCounts, error) {
		var (
			f        CallbackCounts
			cb, self [5]int
		)
		dst := []any{&f.DepartmentCode, &f.Cases, &f.Picked, &f.Skipped, &f.Sampled, &f.Queued, &f.Called, &f.Reached, &f.Dropped}
		for i := range cb {
			dst = append(dst, &cb[i])
		}
		for i := range self {
			dst = append(dst, &self[i])
		}
		if err := row.Scan(dst...); err != nil {
			return f, err
		}
		f.CalledBack, f.SelfSubmitted = map[domain.Level]int{}, map[domain.Level]int{}
		for i, l := range domain.Levels {
			f.CalledBack[l], f.SelfSubmitted[l] = cb[i], self[i]
		}
		return f, nil
	})
}
