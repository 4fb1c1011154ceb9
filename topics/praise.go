package topics

import (
	"context"
	"fmt"

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
	args := []any{dim, f.From, f.To, limit}
	dept := ""
	if f.Department != "" {
		args = append(args, f.Department)
		dept = " AND department_code = $5"
	}
	rows, err := s.DB.Query(ctx, `SELECT key, sum(n) FROM topic_daily
		WHERE dim = $1 AND sentiment = 'positive' AND day BETWEEN $2 AND $3 AND term = ''`+dept+`
		GROUP BY key HAVING sum(n) > 0 ORDER BY 2 DESC, 1 LIMIT $4`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p Praised
		if err := rows.Scan(&p.Key, &p.Count); err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	col := map[string]string{"staff": "staff_id", "hall": "hall_code"}[dim]
	from, to := stats.Filter{From: f.From, To: f.To}.Span()
	pf := f
	pf.Sentiment, pf.ServiceItem, pf.Hall = Positive, "", ""
	where, wargs := pf.ratingWhere(from, to, 1)
	for i := range ps {
		ps[i].Examples = []Example{}
		rs, err := queryCommented(ctx, s.DB, "", fmt.Sprintf(`JOIN (
				SELECT rt.rating_id FROM rating_terms rt WHERE rt.term = '' AND rt.%[1]s = $1 AND rt.%[1]s <> ''
				  AND rt.sentiment = 'positive' AND rt.rated_at >= $2 AND rt.rated_at < $3
				ORDER BY rt.rated_at DESC LIMIT %[2]d) x ON x.rating_id = r.id
			WHERE %[3]s ORDER BY r.rated_at DESC`, col, 2*MaxExamples, where), append([]any{ps[i].Key}, wargs...)...)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if len(ps[i].Examples) < 2 && f.sees(r) {
				ps[i].Examples = append(ps[i].Examples, f.example(r))
			}
		}
	}
	return ps, nil
}
