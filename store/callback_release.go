package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// The release of sampled cases into the call-back queue. What to release, to
// which team and how many a day is decided by package campaigns (a Releaser);
// this file walks the waiting cases and writes the outcome.

// Candidate is a waiting case a release may put in the call-back queue.
type Candidate struct {
	CaseNo         string
	DepartmentCode string
	Phone          string
	Rated          bool // the citizen rated the case after it was sampled
	RecentlyCalled bool // the phone had a call-back within the cooldown
}

// ReleaseDecision is the fate of one candidate: released to Team, skipped for
// SkipReason, or (both empty) left waiting because its team is full today.
type ReleaseDecision struct {
	Team       string
	SkipReason string
}

// Releaser decides the candidates of one release, oldest first, counting each
// against its team's cap; Full says that no team can take more today.
type Releaser interface {
	Decide(Candidate) ReleaseDecision
	Full() bool
}

// ReleasePlan is what a release needs of the rules (campaigns.Release makes it).
type ReleasePlan struct {
	Cooldown    time.Duration // a phone called back within it is not called again; 0: no cooldown
	MaxAttempts int           // unanswered calls before a call-back is dropped
	// Start makes the release's Releaser, given the cases each team took today.
	Start func(used map[string]int) Releaser
	// OwnRating is the id of the rating a reached call-back on the case registers.
	OwnRating func(caseNo string) string
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

// ReleaseCallbacks moves waiting cases, oldest first, into the call-back queue as
// plan's Releaser decides them against each team's cap for the day (the day of now
// in loc), telling it which cases their citizen rated meanwhile and which citizens
// were called back within the cooldown. Releases take turns (an advisory lock),
// so two can never both fill the same cap.
func (s *Store) ReleaseCallbacks(ctx context.Context, plan ReleasePlan, now time.Time, loc *time.Location) (sum ReleaseSummary, err error) {
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
		freed, err := cancelRatedCallbacks(ctx, tx, plan.OwnRating, now, day)
		if err != nil {
			return err
		}
		for team, n := range freed {
			used[team] -= n
		}
		rl := plan.Start(used)
		after := struct {
			at time.Time
			no string
		}{}
		for batch := 0; batch < releaseMaxBatch && !rl.Full(); batch++ {
			cands, last, err := waitingCases(ctx, tx, after.at, after.no, now.Add(-plan.Cooldown), plan.Cooldown > 0)
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
			if err := releaseCases(ctx, tx, rel, relTeams, skip, skipReasons, now, day, plan.MaxAttempts); err != nil {
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
func cancelRatedCallbacks(ctx context.Context, tx pgx.Tx, ownRating func(string) string, now time.Time, day string) (freed map[string]int, err error) {
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
		own := ownRating(caseNo)
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

func waitingCases(ctx context.Context, tx pgx.Tx, afterAt time.Time, afterNo string, calledSince time.Time, cooldown bool) ([]Candidate, caseKey, error) {
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
		out  []Candidate
		last caseKey
		c    Candidate
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
