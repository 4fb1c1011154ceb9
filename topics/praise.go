package topics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"rectify/stats"
)

// Praised is a staff member or hall with the positive ratings that carry a
// comment in the period, and the latest of those comments.
type Praised struct {
	Key      string    `json:"key"` // staff_id or hall_code
	Count    int64     `json:"count"`
	Examples []Example `json:"examples"`
}

// MostPraised lists the staff members (dim "staff") or halls (dim "hall") with
// the most positive commented ratings under f (its department only; the
// service item and hall are not applied), most first.
func (s *Service) MostPraised(ctx context.Context, dim string, f Filter, limit int) (ps []Praised, err error) {
	defer wrap(&err, "topics.MostPraised(%s)", dim)
	if dim != "staff" && dim != "hall" {
		return nil, fmt.Errorf("no dimension %q", dim)
	}
	col := map[string]string{"staff": "staff_id", "hall": "hall_code"}[dim]
	pf := f
	pf.Sentiment, pf.ServiceItem, pf.Hall = Positive, "", ""
	// Queued ratings count too (see Top): their keys join the candidates.
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	pending, err := s.pending(ctx, tx, pf, f.From)
	if err != nil {
		return nil, err
	}
	pcount := map[string]int64{}
	var extra []string
	for _, r := range pending {
		k := r.Staff
		if dim == "hall" {
			k = r.Hall
		}
		if k == "" {
			continue
		}
		if pcount[k] == 0 {
			extra = append(extra, k)
		}
		pcount[k]++
	}
	sp, err := readSpan(ctx, tx, f.From, f.To)
	if err != nil {
		return nil, err
	}
	args := []any{dim, sp.Days, sp.Months, limit, extra}
	dept := ""
	if f.Department != "" {
		args = append(args, f.Department)
		dept = " AND department_code = $6"
	}
	rows, err := tx.Query(ctx, `WITH c AS (SELECT key, sum(n) AS n FROM (
				SELECT key, n FROM topic_daily
				WHERE dim = $1 AND sentiment = 'positive' AND day = ANY($2) AND term = ''`+dept+`
				UNION ALL
				SELECT key, n FROM topic_monthly
				WHERE dim = $1 AND sentiment = 'positive' AND month = ANY($3) AND term = ''`+dept+`) r
			GROUP BY key HAVING sum(n) > 0)
		(SELECT key, n FROM c ORDER BY 2 DESC, 1 LIMIT $4)
		UNION
		SELECT key, n FROM c WHERE key = ANY($5)`, args...)
	if err != nil {
		return nil, err
	}
	byKey := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		byKey[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, n := range pcount {
		byKey[k] += n
	}
	for k, n := range byKey {
		ps = append(ps, Praised{Key: k, Count: n})
	}
	slices.SortFunc(ps, func(a, b Praised) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
	})
	if len(ps) > limit {
		ps = ps[:limit]
	}
	from, to := stats.Filter{From: f.From, To: f.To}.Span()
	where, wargs := pf.ratingWhere(from, to, 1)
	for i := range ps {
		ps[i].Examples = []Example{}
		rs, err := queryCommented(ctx, tx, "", fmt.Sprintf(`JOIN (
				SELECT rt.rating_id FROM rating_terms rt WHERE rt.term = '' AND rt.%[1]s = $1 AND rt.%[1]s <> ''
				  AND rt.sentiment = 'positive' AND rt.rated_at >= $2 AND rt.rated_at < $3
				ORDER BY rt.rated_at DESC LIMIT %[2]d) x ON x.rating_id = r.id
			WHERE %[3]s ORDER BY r.rated_at DESC`, col, 2*MaxExamples, where), append([]any{ps[i].Key}, wargs...)...)
		if err != nil {
			return nil, err
		}
		var mine []commented
		for _, r := range pending {
			if (dim == "staff" && r.Staff == ps[i].Key) || (dim == "hall" && r.Hall == ps[i].Key) {
				mine = append(mine, r)
			}
		}
		seen := map[string]bool{}
		for _, r := range append(mine, rs...) {
			if len(ps[i].Examples) < 2 && !seen[r.ID] && f.sees(r) {
				seen[r.ID] = true
				ps[i].Examples = append(ps[i].Examples, f.example(r))
			}
		}
	}
	return ps, nil
}
