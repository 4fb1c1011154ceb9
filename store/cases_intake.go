package store

import (
	"bytes"
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Intake of finished service cases reported by service systems, each sampled as
// it comes in. Which cases are sampled is decided by package campaigns; this file
// stores the cases and the decisions.

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

// CaseSampling is the fate the sampling rules give a new case: picked or not,
// and its status in the campaign with the reason a picked case is not called.
type CaseSampling struct {
	Sampled    bool
	Status     string
	SkipReason string
}

// CaseSampler decides a new case, told whether its citizen already rated it
// (ratings.case_no). campaigns.Intake gives one for the rules in force.
type CaseSampler func(c NewCase, rated bool) CaseSampling

// CreateCases stores cases in one transaction, each with the decision sample
// makes as it comes in under the rules of rulesVersion. Outcomes are in input
// order; the same case number with the same body is a Duplicate (and keeps its
// first decision), with another body a Conflict. Case numbers must be unique
// within one call (the caller folds repeats).
func (s *Store) CreateCases(ctx context.Context, cs []NewCase, rulesVersion int, sample CaseSampler) (out []Outcome, err error) {
	defer wrap(&err, "store.CreateCases")
	out = make([]Outcome, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	err = s.Transact(ctx, func(tx pgx.Tx) error {
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
		inserted, err := insertCases(ctx, tx, rulesVersion, sample, cs, rated)
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

func insertCases(ctx context.Context, tx pgx.Tx, rulesVersion int, sample CaseSampler, cs []NewCase, rated map[string]bool) (map[string]bool, error) {
	n := len(cs)
	var (
		nos, items, itemNames, depts, halls, channels, regions = mk(n), mk(n), mk(n), mk(n), mk(n), mk(n), mk(n)
		names, phones, by, statuses, reasons                   = mk(n), mk(n), mk(n), mk(n), mk(n)
		hashes                                                 = make([][]byte, n)
		finished                                               = make([]time.Time, n)
		sampled                                                = make([]bool, n)
	)
	for i, c := range cs {
		d := sample(c, rated[c.CaseNo])
		nos[i], items[i], itemNames[i], depts[i] = c.CaseNo, c.ServiceItemCode, c.ServiceItemName, c.DepartmentCode
		halls[i], channels[i], regions[i], finished[i] = c.HallCode, c.Channel, c.RegionCode, c.FinishedAt
		names[i], phones[i], by[i], hashes[i] = c.ApplicantName, c.ApplicantPhone, c.SubmittedBy, c.BodyHash
		sampled[i], statuses[i], reasons[i] = d.Sampled, d.Status, d.SkipReason
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
		rulesVersion, sampled, statuses, reasons)
	if err != nil {
		return nil, err
	}
	return collectSet(rows)
}

// collectSet reads a one-column result of strings as a set.
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
