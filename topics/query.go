package topics

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
	"rectify/stats"
)

// Filter selects the ratings whose terms are counted.
type Filter struct {
	From, To    time.Time // Asia/Shanghai days, both included
	Department  string
	ServiceItem string
	Hall        string
	Sentiment   Sentiment // "" for every level
	Limit       int
	Viewer      domain.User // whose eyes the examples are for
}

// Example is one comment that mentions a term, masked for its viewer.
type Example struct {
	RatingID string    `json:"rating_id,omitempty"` // left out for an anonymous rater's comment shown to a department
	Comment  string    `json:"comment"`
	RatedAt  time.Time `json:"rated_at"`
}

// Topic is a term with the ratings mentioning it in the period and in the
// period of the same length before it.
type Topic struct {
	Term          string    `json:"term"`
	Count         int64     `json:"count"`
	PreviousCount int64     `json:"previous_count"`
	Change        int64     `json:"change"` // count - previous_count: > 0 is rising
	Examples      []Example `json:"examples"`
}

// MaxExamples is how many comments each term shows.
const MaxExamples = 3

// pendingCap bounds how many queued ratings a read segments itself: twice the
// queue the drainer stands aside for (MaxQueue), so a read stays exact while it
// catches up; beyond it the worker is down or a bulk load is under way, and the
// answer counts what was segmented so far.
const pendingCap = 2 * MaxQueue

func (f Filter) levels() []string {
	switch f.Sentiment {
	case Positive:
		return []string{string(domain.VerySatisfied), string(domain.Satisfied)}
	case Negative:
		return []string{string(domain.Dissatisfied), string(domain.VeryDissatisfied)}
	case Neutral:
		return []string{string(domain.BasicallySatisfied)}
	}
	levels := make([]string, len(domain.Levels))
	for i, l := range domain.Levels {
		levels[i] = string(l)
	}
	return levels
}

func (f Filter) sentiments() []string {
	if f.Sentiment != "" {
		return []string{string(f.Sentiment)}
	}
	return []string{string(Positive), string(Neutral), string(Negative)}
}

// previous is the first day of the period of the same length just before.
func (f Filter) previous() time.Time {
	days := int(f.To.Sub(f.From).Hours()/24) + 1
	return f.From.AddDate(0, 0, -days)
}

// Top returns the terms most mentioned under f, most first, with the previous
// period's counts and up to MaxExamples recent comments each.
func (s *Service) Top(ctx context.Context, f Filter) (ts []Topic, err error) {
	defer wrap(&err, "topics.Top")
	if f.Limit <= 0 {
		f.Limit = 10
	}
	prevFrom := f.previous()
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	pending, err := s.pending(ctx, tx, f, prevFrom)
	if err != nil {
		return nil, err
	}
	// Counts of queued ratings, segmented here: the top list plus these terms'
	// folded counts is exact, since any other term is at most the list's last.
	pcur, pprev := map[string]int64{}, map[string]int64{}
	var extra []string
	for _, r := range pending {
		day := stats.Day(r.RatedAt)
		for _, t := range s.segmenter().Terms(r.Comment) {
			if day.Before(f.From) {
				pprev[t]++
			} else {
				pcur[t]++
			}
			if !slices.Contains(extra, t) {
				extra = append(extra, t)
			}
		}
	}
	sp, err := readSpan(ctx, tx, prevFrom, f.To, f.From)
	if err != nil {
		return nil, err
	}
	daily, monthly, args := f.rollupWhere(sp)
	args = append(args, f.From, f.Limit, extra)
	nFrom, nLimit, nExtra := len(args)-2, len(args)-1, len(args)
	q := fmt.Sprintf(`WITH r AS (
			SELECT term, n, day >= $%[3]d AS cur FROM topic_daily WHERE %[1]s AND term <> ''
			UNION ALL
			SELECT term, n, month >= $%[3]d FROM topic_monthly WHERE %[2]s AND term <> ''
		), c AS (
			SELECT term, coalesce(sum(n) FILTER (WHERE cur), 0) AS cnt, coalesce(sum(n) FILTER (WHERE NOT cur), 0) AS prev
			FROM r GROUP BY term)
		(SELECT term, cnt, prev FROM c WHERE cnt > 0 ORDER BY cnt DESC, term LIMIT $%[4]d)
		UNION
		SELECT term, cnt, prev FROM c WHERE term = ANY($%[5]d)`, daily, monthly, nFrom, nLimit, nExtra)
	if f.ServiceItem != "" && f.Hall != "" {
		nFrom, nLimit, nExtra = 7, 8, 9
		q = topicsByRatings(f, nFrom, nLimit, nExtra)
		args = append([]any{prevFrom, f.To.AddDate(0, 0, 1), f.Department, f.ServiceItem, f.Hall, f.sentiments()}, f.From, f.Limit, extra)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	byTerm := map[string]*Topic{}
	for rows.Next() {
		var t Topic
		if err := rows.Scan(&t.Term, &t.Count, &t.PreviousCount); err != nil {
			rows.Close()
			return nil, err
		}
		byTerm[t.Term] = &t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range extra {
		if byTerm[t] == nil {
			byTerm[t] = &Topic{Term: t}
		}
		byTerm[t].Count += pcur[t]
		byTerm[t].PreviousCount += pprev[t]
	}
	for _, t := range byTerm {
		if t.Count > 0 {
			t.Change = t.Count - t.PreviousCount
			ts = append(ts, *t)
		}
	}
	slices.SortFunc(ts, func(a, b Topic) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Term, b.Term)
	})
	if len(ts) > f.Limit {
		ts = ts[:f.Limit]
	}
	if err := s.examples(ctx, tx, f, ts, pending); err != nil {
		return nil, err
	}
	return ts, nil
}

// span is where a read over some days finds them: whole months already closed
// (before topic_watermark.through) in topic_monthly, every other day in
// topic_daily. Either list may be empty.
type span struct {
	Days, Months []time.Time
}

// monthlyReads is false only in tests, to compare the two paths.
var monthlyReads = true

// spanOf splits the days [a, b] into the closed months they cover whole and the
// days outside those (the partial months at the edges, and the months not
// closed yet).
func spanOf(a, b, through time.Time) span {
	sp := span{Days: []time.Time{}, Months: []time.Time{}}
	for d := a; !d.After(b); {
		next := d.AddDate(0, 1, 0)
		if monthlyReads && d.Day() == 1 && !next.After(through) && !next.After(b.AddDate(0, 0, 1)) {
			sp.Months = append(sp.Months, d)
			d = next
			continue
		}
		sp.Days = append(sp.Days, d)
		d = d.AddDate(0, 0, 1)
	}
	return sp
}

// readSpan is spanOf under the read's snapshot of the watermark, for the days
// [a, b] cut before each of cuts: a month read whole never straddles a cut (the
// first day of the period, when the previous period is read too).
func readSpan(ctx context.Context, tx pgx.Tx, a, b time.Time, cuts ...time.Time) (span, error) {
	var through time.Time
	if err := tx.QueryRow(ctx, `SELECT through FROM topic_watermark`).Scan(&through); err != nil {
		return span{}, err
	}
	sp := span{Days: []time.Time{}, Months: []time.Time{}}
	for _, c := range append(cuts, b.AddDate(0, 0, 1)) {
		p := spanOf(a, c.AddDate(0, 0, -1), through)
		sp.Days, sp.Months = append(sp.Days, p.Days...), append(sp.Months, p.Months...)
		a = c
	}
	return sp, nil
}

// rollupWhere picks the topic_daily and the topic_monthly rows of sp for f: the
// most specific slice asked for. Both conditions share the arguments.
func (f Filter) rollupWhere(sp span) (daily, monthly string, args []any) {
	args = []any{sp.Days, sp.Months, f.sentiments()}
	w := ` AND sentiment = ANY($3)`
	add := func(cond string, v any) {
		args = append(args, v)
		w += fmt.Sprintf(" AND "+cond, len(args))
	}
	switch {
	case f.Hall != "":
		w += ` AND dim = 'hall'`
		add("key = $%d", f.Hall)
	case f.ServiceItem != "":
		w += ` AND dim = 'service_item'`
		add("key = $%d", f.ServiceItem)
	case f.Department != "":
		w += ` AND dim = 'department' AND key = ''`
	default:
		w += ` AND dim = 'all' AND department_code = '' AND key = ''`
	}
	if f.Department != "" {
		add("department_code = $%d", f.Department)
	}
	return `day = ANY($1)` + w, `month = ANY($2)` + w, args
}

// topicsByRatings counts from rating_terms when both a service item and a hall
// are asked for (no rollup holds that pair): slower, but the slice is small.
func topicsByRatings(f Filter, nFrom, nLimit, nExtra int) string {
	dept := ` AND ($3 = '' OR rt.department_code = $3)`
	return fmt.Sprintf(`WITH c AS (
			SELECT rt.term, count(*) FILTER (WHERE rt.rated_at >= ($%[2]d::date::timestamp AT TIME ZONE 'Asia/Shanghai')) AS cnt,
			       count(*) FILTER (WHERE rt.rated_at < ($%[2]d::date::timestamp AT TIME ZONE 'Asia/Shanghai')) AS prev
			FROM rating_terms rt JOIN ratings r ON r.id = rt.rating_id AND NOT r.excluded
			WHERE rt.rated_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')
			  AND rt.rated_at < ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')
			  AND rt.service_item_code = $4 AND rt.hall_code = $5 AND rt.sentiment = ANY($6) AND rt.term <> ''%[1]s
			GROUP BY rt.term)
		(SELECT term, cnt, prev FROM c WHERE cnt > 0 ORDER BY cnt DESC, term LIMIT $%[3]d)
		UNION
		SELECT term, cnt, prev FROM c WHERE term = ANY($%[4]d)`, dept, nFrom, nLimit, nExtra)
}

// ratingWhere filters ratings (alias r) by f from instant a to b; args continue
// after n placeholders.
func (f Filter) ratingWhere(a, b time.Time, n int) (string, []any) {
	args := []any{a, b, f.levels()}
	w := fmt.Sprintf(`NOT r.excluded AND r.rated_at >= $%d AND r.rated_at < $%d AND r.level = ANY($%d)`, n+1, n+2, n+3)
	for _, c := range []struct{ col, v string }{{"department_code", f.Department},
		{"service_item_code", f.ServiceItem}, {"hall_code", f.Hall}} {
		if c.v != "" {
			args = append(args, c.v)
			w += fmt.Sprintf(" AND r.%s = $%d", c.col, n+len(args))
		}
	}
	return w, args
}

// pending reads the queued ratings under f from prevFrom on, newest first.
func (s *Service) pending(ctx context.Context, q querier, f Filter, prevFrom time.Time) ([]commented, error) {
	a, _ := stats.Filter{From: prevFrom, To: f.To}.Span()
	_, b := stats.Filter{From: f.From, To: f.To}.Span()
	where, args := f.ratingWhere(a, b, 0)
	return queryCommented(ctx, q, "", fmt.Sprintf(`JOIN (SELECT rating_id FROM topic_queue LIMIT %d) q ON q.rating_id = r.id
		WHERE %s ORDER BY r.rated_at DESC`, pendingCap, where), args...)
}

// examples fills each topic's recent comments: queued ratings first (they are
// the newest), then segmented ones, skipping what the viewer may not see.
func (s *Service) examples(ctx context.Context, q querier, f Filter, ts []Topic, pending []commented) error {
	if len(ts) == 0 {
		return nil
	}
	from, to := stats.Filter{From: f.From, To: f.To}.Span()
	terms := make([]string, len(ts))
	for i, t := range ts {
		terms[i] = t.Term
	}
	where, args := f.ratingWhere(from, to, 2)
	rs, err := queryCommented(ctx, q, "x.term", fmt.Sprintf(`JOIN (
			SELECT x.rating_id, x.term FROM unnest($1::text[]) AS q(term) CROSS JOIN LATERAL (
				SELECT rt.rating_id, rt.term FROM rating_terms rt
				WHERE rt.term = q.term AND rt.sentiment = ANY($2) AND rt.rated_at >= $3 AND rt.rated_at < $4%s
				ORDER BY rt.rated_at DESC LIMIT %d) x) x ON x.rating_id = r.id
		WHERE %s ORDER BY r.rated_at DESC`, termSlice(f), 2*MaxExamples, where),
		append([]any{terms, f.sentiments()}, args...)...)
	if err != nil {
		return err
	}
	for i := range ts {
		ts[i].Examples = []Example{}
		seen := map[string]bool{}
		for _, src := range [][]commented{pending, rs} {
			for _, r := range src {
				if len(ts[i].Examples) == MaxExamples || seen[r.ID] || !f.sees(r) {
					continue
				}
				if r.Term != "" && r.Term != ts[i].Term {
					continue // a segmented rating found for another term
				}
				if r.Term == "" && (stats.Day(r.RatedAt).Before(f.From) || !slices.Contains(s.segmenter().Terms(r.Comment), ts[i].Term)) {
					continue // a queued one: segmented here
				}
				seen[r.ID] = true
				ts[i].Examples = append(ts[i].Examples, f.example(r))
			}
		}
	}
	return nil
}

// termSlice narrows rating_terms rows (alias rt) to f's slice; its placeholders
// are those ratingWhere numbers after 2 ($5 on).
func termSlice(f Filter) string {
	w, n := "", 5
	for _, c := range []struct{ col, v string }{{"department_code", f.Department},
		{"service_item_code", f.ServiceItem}, {"hall_code", f.Hall}} {
		if c.v != "" {
			n++
			w += fmt.Sprintf(" AND rt.%s = $%d", c.col, n)
		}
	}
	return w
}

// sees applies domain/visibility.go to a rating: a department sees a rating
// through its ticket, or, without one, when it rates the department.
func (f Filter) sees(r commented) bool {
	rating := domain.Rating{DepartmentCode: r.Dept}
	if r.TicketDept != nil {
		rating.TicketNumber, rating.TicketDepartment = "ticket", *r.TicketDept
	}
	return f.Viewer.SeesRating(rating)
}

// example masks r's comment for the viewer. A department never learns who an
// anonymous rater is: no rating id (its case could be looked up) and only the
// day of the rating (the minute would point at the person at the window).
func (f Filter) example(r commented) Example {
	e := Example{RatingID: r.ID, Comment: Mask(r.Comment, r.Name), RatedAt: r.RatedAt}
	if r.Anonymous && f.Viewer.Role == domain.RoleDepartment {
		e.RatingID = ""
		d := r.RatedAt.In(stats.Zone)
		e.RatedAt = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, stats.Zone)
	}
	return e
}

var (
	// Runs of 7 or more digits, full-width too, with the spaces and dashes people
	// type in phone numbers, and an 18-character ID number's final X.
	digitRun = regexp.MustCompile(`[0-9０-９](?:[\s\-－]*[0-9０-９]){6,}[xX]?`)
	email    = regexp.MustCompile(`[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+`)
	// A name a citizen introduces: 我叫张三, 姓名：李四, 本人王五.
	selfName = regexp.MustCompile(`(我叫|我的名字是|名字叫|姓名[:：]?|本人姓?)\s*\p{Han}{1,3}`)
)

// Mask hides what identifies a person in a comment: phone, ID and other long
// numbers, e-mail addresses, a self-introduced name, and the rater's own name
// when the rating carries it.
func Mask(comment, name string) string {
	s := digitRun.ReplaceAllStringFunc(comment, func(m string) string {
		return strings.Repeat("*", len([]rune(m)))
	})
	s = email.ReplaceAllString(s, "***@***")
	s = selfName.ReplaceAllStringFunc(s, func(m string) string {
		p := selfName.FindStringSubmatch(m)
		return p[1] + strings.Repeat("*", len([]rune(strings.TrimSpace(m[len(p[1]):]))))
	})
	if name = strings.TrimSpace(name); name != "" {
		s = strings.ReplaceAll(s, name, strings.Repeat("*", len([]rune(name))))
	}
	return s
}

// Mention is a rating whose comment mentions a term, as its viewer may see it.
type Mention struct {
	Example
	Level      domain.Level `json:"level"`
	Department string       `json:"department_code"`
}

// Mentions lists the latest ratings under f whose comment mentions term, up to
// limit, newest first: the list behind a term on the analytics page.
func (s *Service) Mentions(ctx context.Context, f Filter, term string, limit int) (ms []Mention, err error) {
	defer wrap(&err, "topics.Mentions")
	from, to := stats.Filter{From: f.From, To: f.To}.Span()
	tx, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	pending, err := s.pending(ctx, tx, f, f.From)
	if err != nil {
		return nil, err
	}
	where, args := f.ratingWhere(from, to, 2)
	rs, err := queryCommented(ctx, tx, "", fmt.Sprintf(`JOIN (
			SELECT rt.rating_id FROM rating_terms rt
			WHERE rt.term = $1 AND rt.sentiment = ANY($2) AND rt.rated_at >= $3 AND rt.rated_at < $4%s
			ORDER BY rt.rated_at DESC LIMIT %d) x ON x.rating_id = r.id
		WHERE %s ORDER BY r.rated_at DESC`, termSlice(f), 2*limit, where),
		append([]any{term, f.sentiments()}, args...)...)
	if err != nil {
		return nil, err
	}
	var found []commented
	for _, r := range pending { // queued: segmented here
		if slices.Contains(s.segmenter().Terms(r.Comment), term) {
			found = append(found, r)
		}
	}
	seen := map[string]bool{}
	for _, r := range append(found, rs...) {
		if len(ms) < limit && !seen[r.ID] && f.sees(r) {
			seen[r.ID] = true
			ms = append(ms, Mention{Example: f.example(r), Level: r.Level, Department: r.Dept})
		}
	}
	return ms, nil
}
