package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/campaigns"
	"rectify/domain"
)

// Satisfaction call-backs on finished service cases: the sampling rules, case
// intake, the release of sampled cases into the call-back queue, logged calls and
// the figures. The rules themselves are in package campaigns.

// SamplingRules returns the current rule set, or the defaults (version 0) when no
// supervisor has set any.
func (s *Store) SamplingRules(ctx context.Context) (r campaigns.Rules, err error) {
	defer wrap(&err, "store.SamplingRules")
	return currentRules(ctx, s.pool)
}

func currentRules(ctx context.Context, q querier) (campaigns.Rules, error) {
	var (
		raw []byte
		r   campaigns.Rules
		at  time.Time
	)
	err := q.QueryRow(ctx, `SELECT version, rules, updated_by, updated_at FROM sampling_rules ORDER BY version DESC LIMIT 1`).
		Scan(&r.Version, &raw, &r.UpdatedBy, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return campaigns.Default(), nil
	}
	if err != nil {
		return r, err
	}
	version, by := r.Version, r.UpdatedBy
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("sampling rules v%d: %w", version, err)
	}
	r.Version, r.UpdatedBy, r.UpdatedAt = version, by, &at
	return r.Normalize(), nil
}

// PutSamplingRules stores r as the next version. With ifVersion set, it refuses
// (409) when someone else changed the rules since that version was read.
func (s *Store) PutSamplingRules(ctx context.Context, r campaigns.Rules, ifVersion *int, by string) (out campaigns.Rules, err error) {
	defer wrap(&err, "store.PutSamplingRules")
	r = r.Normalize()
	r.UpdatedBy, r.UpdatedAt = "", nil
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE sampling_rules IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		cur, err := currentRules(ctx, tx)
		if err != nil {
			return err
		}
		if ifVersion != nil && *ifVersion != cur.Version {
			return domain.E(domain.KindConflict, "rules_changed",
				"the rules changed since version %d (now %d): reload and retry", *ifVersion, cur.Version)
		}
		r.Version = cur.Version + 1
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sampling_rules (version, rules, updated_by) VALUES ($1, $2, $3)`,
			r.Version, raw, by); err != nil {
			return err
		}
		out, err = currentRules(ctx, tx)
		return err
	})
	return out, err
}

// NewCase is a validated finished case with the hash of the request it came from.
type NewCase struct {
	CaseNo          string
	ServiceItemCode string
	ServiceItemName string
	DepartmentCode  string
	HallCode        string
	Channel         string
	RegionCode      string
	FinishedAt      time.Time
	ApplicantName   string
	ApplicantPhone  string
	BodyHash        []byte
	SubmittedBy     string
}

// CreateCases stores cases, each sampled by the current rules as it comes in, in
// one transaction. Outcomes are in input order; the same case number with the same
// body is a Duplicate (and keeps its first decision), with another body a
// Conflict. Case numbers must be unique within one call (the caller folds repeats).
func (s *Store) CreateCases(ctx context.Context, cs []NewCase) (out []Outcome, err error) {
	defer wrap(&err, "store.CreateCases")
	out = make([]Outcome, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		rules, err := currentRules(ctx, tx)
		if err != nil {
			return err
		}
		nos := make([]string, len(cs))
		for i, c := range cs {
			nos[i] = c.CaseNo
		}
		rows, err := tx.Query(ctx, `SELECT DISTINCT case_no FROM ratings WHERE case_no = ANY($1) AND case_no <> ''`, nos)
		if err != nil {
			return err
		}
		rated, err := collectSet(rows)
		if err != nil {
			return err
		}
		inserted, err := insertCases(ctx, tx, rules, cs, rated)
		if err != nil {
			return err
		}
		var existing []string
		for _, c := range cs {
			if !inserted[c.CaseNo] {
				existing = append(existing, c.CaseNo)
			}
		}
		hashes := map[string][]byte{}
		if len(existing) > 0 {
			rows, err := tx.Query(ctx, `SELECT case_no, body_hash FROM cases WHERE case_no = ANY($1)`, existing)
			if err != nil {
				return err
			}
			var (
				no string
				h  []byte
			)
			if _, err := pgx.ForEachRow(rows, []any{&no, &h}, func() error { hashes[no] = h; return nil }); err != nil {
				return err
			}
		}
		for i, c := range cs {
			switch {
			case inserted[c.CaseNo]:
				out[i] = Created
			case bytes.Equal(hashes[c.CaseNo], c.BodyHash):
				out[i] = Duplicate
			default:
				out[i] = Conflict
			}
		}
		return nil
	})
	return out, err
}

func insertCases(ctx context.Context, tx pgx.Tx, rules campaigns.Rules, cs []NewCase, rated map[string]bool) (map[string]bool, error) {
	n := len(cs)
	var (
		nos, items, itemNames, depts, halls, channels, regions = mk(n), mk(n), mk(n), mk(n), mk(n), mk(n), mk(n)
		names, phones, by, statuses, reasons                   = mk(n), mk(n), mk(n), mk(n), mk(n)
		hashes                                                 = make([][]byte, n)
		finished                                               = make([]time.Time, n)
		sampled                                                = make([]bool, n)
	)
	for i, c := range cs {
		d := rules.Decide(campaigns.Case{CaseNo: c.CaseNo, DepartmentCode: c.DepartmentCode,
			ServiceItemCode: c.ServiceItemCode, Reachable: c.ApplicantPhone != "", Rated: rated[c.CaseNo]})
		nos[i], items[i], itemNames[i], depts[i] = c.CaseNo, c.ServiceItemCode, c.ServiceItemName, c.DepartmentCode
		halls[i], channels[i], regions[i], finished[i] = c.HallCode, c.Channel, c.RegionCode, c.FinishedAt
		names[i], phones[i], by[i], hashes[i] = c.ApplicantName, c.ApplicantPhone, c.SubmittedBy, c.BodyHash
		sampled[i], statuses[i], reasons[i] = d.Sampled, string(d.Status), d.SkipReason
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO cases (case_no, body_hash, service_item_code, service_item_name, department_code, hall_code,
			channel, region_code, finished_at, applicant_name, applicant_phone, submitted_by, rules_version,
			sampled, status, skip_reason)
		SELECT case_no, body_hash, service_item_code, service_item_name, department_code, hall_code, channel,
			region_code, finished_at, applicant_name, applicant_phone, submitted_by, $13::int, sampled, status, reason
		FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $14::bool[], $15::text[], $16::text[])
		  AS u(case_no, body_hash, service_item_code, service_item_name, department_code, hall_code, channel,
			region_code, finished_at, applicant_name, applicant_phone, submitted_by, sampled, status, reason)
		ON CONFLICT (case_no) DO NOTHING
		RETURNING case_no`,
		nos, hashes, items, itemNames, depts, halls, channels, regions, finished, names, phones, by,
		rules.Version, sampled, statuses, reasons)
	if err != nil {
		return nil, err
	}
	return collectSet(rows)
}

func collectSet(rows pgx.Rows) (map[string]bool, error) {
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(got))
	for _, k := range got {
		set[k] = true
	}
	return set, nil
}

// ReleaseSummary is what one release did.
type ReleaseSummary struct {
	Released int
	Skipped  int
	Full     bool // every team reached its cap for the day
}

// Release walks at most this many waiting cases per call, so a backlog behind a
// full team cannot make one release endless; the next release goes on.
const (
	releaseBatch    = 500
	releaseMaxBatch = 20
)

// ReleaseCallbacks moves waiting cases, oldest first, into the call-back queue up
// to each team's cap for the day (the day of now in loc), skipping cases their
// citizen rated meanwhile and citizens called back within the cooldown. Releases
// take turns (an advisory lock), so two can never both fill the same cap.
func (s *Store) ReleaseCallbacks(ctx context.Context, rules campaigns.Rules, now time.Time, loc *time.Location) (sum ReleaseSummary, err error) {
	defer wrap(&err, "store.ReleaseCallbacks")
	day := now.In(loc).Format("2006-01-02")
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		sum = ReleaseSummary{}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7332204)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT team, count(*)::int FROM callbacks WHERE release_day = $1 GROUP BY team`, day)
		if err != nil {
			return err
		}
		used := map[string]int{}
		var (
			team string
			n    int
		)
		if _, err := pgx.ForEachRow(rows, []any{&team, &n}, func() error { used[team] = n; return nil }); err != nil {
			return err
		}
		freed, err := cancelRatedCallbacks(ctx, tx, now, day)
		if err != nil {
			return err
		}
		for team, n := range freed {
			used[team] -= n
		}
		rl := rules.NewReleaser(used)
		after := struct {
			at time.Time
			no string
		}{}
		for batch := 0; batch < releaseMaxBatch && !rl.Full(); batch++ {
			cands, last, err := waitingCases(ctx, tx, after.at, after.no, now.Add(-rules.Cooldown()), rules.CitizenCooldownDays > 0)
			if err != nil {
				return err
			}
			var rel, relTeams, skip, skipReasons []string
			for _, c := range cands {
				d := rl.Decide(c)
				switch {
				case d.Team != "":
					rel, relTeams = append(rel, c.CaseNo), append(relTeams, d.Team)
				case d.SkipReason != "":
					skip, skipReasons = append(skip, c.CaseNo), append(skipReasons, d.SkipReason)
				}
			}
			if err := releaseCases(ctx, tx, rel, relTeams, skip, skipReasons, now, day, rules.MaxAttempts); err != nil {
				return err
			}
			sum.Released += len(rel)
			sum.Skipped += len(skip)
			if len(cands) < releaseBatch {
				break
			}
			after.at, after.no = last.at, last.no
		}
		sum.Full = rl.Full()
		return nil
	})
	return sum, err
}

// cancelRatedCallbacks takes out of the queue the cases whose citizen rated them
// after their release: they are not called. One never called goes back to
// skipped, as if skipped at release, and frees its place in today's cap (freed
// counts them per team); one already called is cancelled, its calls kept.
func cancelRatedCallbacks(ctx context.Context, tx pgx.Tx, now time.Time, day string) (freed map[string]int, err error) {
	rows, err := tx.Query(ctx, `
		SELECT cb.id, cb.case_no, cb.team, cb.attempts, cb.release_day = $1::date, array_agg(r.id)
		FROM callbacks cb JOIN ratings r ON r.case_no = cb.case_no AND r.case_no <> ''
		WHERE cb.status = 'queued'
		GROUP BY cb.id`, day)
	if err != nil {
		return nil, err
	}
	var (
		id            int64
		caseNo, team  string
		attempts      int
		today         bool
		ratingIDs     []string
		unused, calls []int64
		unusedCases   []string
	)
	freed = map[string]int{}
	_, err = pgx.ForEachRow(rows, []any{&id, &caseNo, &team, &attempts, &today, &ratingIDs}, func() error {
		own := campaigns.CallbackRatingID(caseNo)
		for _, r := range ratingIDs {
			if r == own {
				continue // the call's own answer, being logged right now
			}
			if attempts == 0 {
				unused, unusedCases = append(unused, id), append(unusedCases, caseNo)
				if today {
					freed[team]++
				}
			} else {
				calls = append(calls, id)
			}
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(unused) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM callbacks WHERE id = ANY($1)`, unused); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET status = 'skipped', skip_reason = 'rated', decided_at = $2
			WHERE case_no = ANY($1)`, unusedCases, now); err != nil {
			return nil, err
		}
	}
	if len(calls) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE callbacks SET status = 'cancelled', closed_at = $2 WHERE id = ANY($1)`, calls, now); err != nil {
			return nil, err
		}
	}
	return freed, nil
}

type caseKey struct {
	at time.Time
	no string
}

func waitingCases(ctx context.Context, tx pgx.Tx, afterAt time.Time, afterNo string, calledSince time.Time, cooldown bool) ([]campaigns.Candidate, caseKey, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.case_no, c.department_code, c.applicant_phone, c.finished_at,
		       EXISTS (SELECT 1 FROM ratings r WHERE r.case_no = c.case_no AND r.case_no <> ''),
		       $4 AND c.applicant_phone <> '' AND EXISTS (
		           SELECT 1 FROM cases o JOIN callbacks cb ON cb.case_no = o.case_no
		           WHERE o.status = 'released' AND o.applicant_phone = c.applicant_phone AND cb.released_at > $3)
		FROM cases c
		WHERE c.status = 'waiting' AND (c.finished_at, c.case_no) > ($1, $2)
		ORDER BY c.finished_at, c.case_no
		LIMIT $5
		FOR UPDATE OF c`, afterAt, afterNo, calledSince, cooldown, releaseBatch)
	if err != nil {
		return nil, caseKey{}, err
	}
	var (
		out  []campaigns.Candidate
		last caseKey
		c    campaigns.Candidate
	)
	_, err = pgx.ForEachRow(rows, []any{&c.CaseNo, &c.DepartmentCode, &c.Phone, &last.at, &c.Rated, &c.RecentlyCalled}, func() error {
		last.no = c.CaseNo
		out = append(out, c)
		return nil
	})
	return out, last, err
}

func releaseCases(ctx context.Context, tx pgx.Tx, rel, teams, skip, reasons []string, now time.Time, day string, maxAttempts int) error {
	if len(rel) > 0 {
		if _, err := tx.Exec(ctx, `
			INSERT INTO callbacks (case_no, team, finished_at, released_at, release_day, status, max_attempts, next_call_at)
			SELECT c.case_no, u.team, c.finished_at, $3, $4::date, 'queued', $5, $3
			FROM unnest($1::text[], $2::text[]) AS u(case_no, team) JOIN cases c USING (case_no)`,
			rel, teams, now, day, maxAttempts); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET status = 'released', decided_at = $2 WHERE case_no = ANY($1)`, rel, now); err != nil {
			return err
		}
	}
	if len(skip) > 0 {
		if _, err := tx.Exec(ctx, `
			UPDATE cases c SET status = 'skipped', skip_reason = u.reason, decided_at = $3
			FROM unnest($1::text[], $2::text[]) AS u(case_no, reason) WHERE c.case_no = u.case_no`,
			skip, reasons, now); err != nil {
			return err
		}
	}
	return nil
}

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

// CallbackFigures counts the call-backs of cases finished in [from, to), per
// department (one department when dept is set), beside the ratings the same
// departments received in that time other than by call-back. Ratings excluded by
// an upheld appeal do not count.
func (s *Store) CallbackFigures(ctx context.Context, from, to time.Time, dept string) (fs []campaigns.Counts, err error) {
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
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (campaigns.Counts, error) {
		var (
			f        campaigns.Counts
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
