package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// CallbackCounts are the raw call-back numbers of one department over a period of
// case finishing times; campaigns.Counts gives them their meaning and rates.
type CallbackCounts struct {
	DepartmentCode string
	Cases          int // finished cases reported
	Picked         int // sampled by the rules
	Skipped        int // sampled but not to be called
	Sampled        int // sampled and to be called: waiting or released
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
