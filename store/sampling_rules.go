package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"rectify/domain"
)

// SamplingRulesDoc is one stored version of the call-back sampling rules: the
// document (campaigns.Rules as JSON, read and written by package campaigns) and
// who stored it when. Version 0, without a document, means no supervisor has set
// any.
type SamplingRulesDoc struct {
	Version   int
	Doc       []byte
	UpdatedBy string
	UpdatedAt time.Time
}

// SamplingRulesDoc returns the current version of the rules.
func (s *Store) SamplingRulesDoc(ctx context.Context) (d SamplingRulesDoc, err error) {
	defer wrap(&err, "store.SamplingRulesDoc")
	return currentRulesDoc(ctx, s.pool)
}

func currentRulesDoc(ctx context.Context, q querier) (d SamplingRulesDoc, err error) {
	err = q.QueryRow(ctx, `SELECT version, rules, updated_by, updated_at FROM sampling_rules ORDER BY version DESC LIMIT 1`).
		Scan(&d.Version, &d.Doc, &d.UpdatedBy, &d.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return SamplingRulesDoc{}, nil
	}
	return d, err
}

// PutSamplingRulesDoc stores the next version of the rules, its document written
// by doc for that version number, and returns it as stored. With ifVersion set,
// it refuses (409) when someone else changed the rules since that version was
// read.
func (s *Store) PutSamplingRulesDoc(ctx context.Context, doc func(version int) ([]byte, error), ifVersion *int, by string) (out SamplingRulesDoc, err error) {
	defer wrap(&err, "store.PutSamplingRulesDoc")
	err = s.Transact(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE sampling_rules IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		cur, err := currentRulesDoc(ctx, tx)
		if err != nil {
			return err
		}
		if ifVersion != nil && *ifVersion != cur.Version {
			return domain.E(domain.KindConflict, "rules_changed",
				"the rules changed since version %d (now %d): reload and retry", *ifVersion, cur.Version)
		}
		next := cur.Version + 1
		raw, err := doc(next)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sampling_rules (version, rules, updated_by) VALUES ($1, $2, $3)`,
			next, raw, by); err != nil {
			return err
		}
		out, err = currentRulesDoc(ctx, tx)
		return err
	})
	return out, err
}
