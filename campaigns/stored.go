package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"rectify/domain"
	"rectify/stats"
	"rectify/store"
)

// The campaign's rules applied to what the store keeps: the stored rule set,
// the sampling of each case at intake, the release of sampled cases into the
// call-back queue and the figures. Each decision is made here; the SQL that
// reads and writes the outcome is in store (sampling_rules.go, cases_intake.go,
// callback_release.go, callbacks.go).

// CurrentRules returns the current rule set, or the defaults (version 0) when no
// supervisor has set any.
func CurrentRules(ctx context.Context, st *store.Store) (Rules, error) {
	d, err := st.SamplingRulesDoc(ctx)
	if err != nil {
		return Rules{}, err
	}
	return rulesOf(d)
}

func rulesOf(d store.SamplingRulesDoc) (Rules, error) {
	if d.Version == 0 {
		return Default(), nil
	}
	var r Rules
	if err := json.Unmarshal(d.Doc, &r); err != nil {
		return r, fmt.Errorf("sampling rules v%d: %w", d.Version, err)
	}
	at := d.UpdatedAt
	r.Version, r.UpdatedBy, r.UpdatedAt = d.Version, d.UpdatedBy, &at
	return r.Normalize(), nil
}

// SaveRules stores r as the next version and returns it as stored. With
// ifVersion set, it refuses (409) when someone else changed the rules since that
// version was read.
func SaveRules(ctx context.Context, st *store.Store, r Rules, ifVersion *int, by string) (Rules, error) {
	r = r.Normalize()
	r.UpdatedBy, r.UpdatedAt = "", nil
	d, err := st.PutSamplingRulesDoc(ctx, func(version int) ([]byte, error) {
		r.Version = version
		return json.Marshal(r)
	}, ifVersion, by)
	if err != nil {
		return Rules{}, err
	}
	return rulesOf(d)
}

// Intake stores finished cases, each sampled by the current rules as it comes
// in (Rules.Decide); see store.CreateCases for the outcomes.
func Intake(ctx context.Context, st *store.Store, cs []store.NewCase) ([]store.Outcome, error) {
	rules, err := CurrentRules(ctx, st)
	if err != nil {
		return nil, err
	}
	return st.CreateCases(ctx, cs, rules.Version, func(c store.NewCase, rated bool) store.CaseSampling {
		d := rules.Decide(Case{CaseNo: c.CaseNo, DepartmentCode: c.DepartmentCode,
			ServiceItemCode: c.ServiceItemCode, Reachable: c.ApplicantPhone != "", Rated: rated})
		return store.CaseSampling{Sampled: d.Sampled, Status: string(d.Status), SkipReason: d.SkipReason}
	})
}

// ReleaseCallbacks moves waiting cases into the call-back queue under rules: each team up
// to its cap for the day of now in loc (Releaser), skipping cases their citizen
// rated meanwhile and citizens called back within the cooldown.
func ReleaseCallbacks(ctx context.Context, st *store.Store, rules Rules, now time.Time, loc *time.Location) (store.ReleaseSummary, error) {
	return st.ReleaseCallbacks(ctx, store.ReleasePlan{
		Cooldown:    rules.Cooldown(),
		MaxAttempts: rules.MaxAttempts,
		Start:       func(used map[string]int) store.Releaser { return rules.NewReleaser(used) },
		OwnRating:   CallbackRatingID,
	}, now, loc)
}

// Scoped is the call-back report as one user may see it (ReportFor).
type Scoped struct {
	From, To    time.Time // the days counted: as asked, or a department's month
	Month       bool      // limited to one department: one ended month, suppressed under MinCases
	Departments []Figures
	Total       Figures
}

// ReportFor is the call-back report of the cases finished in the days of f as u
// may see it, for the API and the analytics page alike. f.Department must already
// be limited by u.DepartmentScope; a user limited to one department
// (domain.User.TicketScope) is answered for one ended month, its sampling figures
// suppressed under MinCases (disclosure.go).
func ReportFor(ctx context.Context, st *store.Store, u domain.User, f stats.Filter, today time.Time) (Scoped, error) {
	_, all := u.TicketScope()
	if !all {
		f.From, f.To = DepartmentMonth(f.To, today)
	}
	from, to := f.Span()
	counts, err := CountsOf(ctx, st, from, to, f.Department)
	if err != nil {
		return Scoped{}, err
	}
	r := Scoped{From: f.From, To: f.To, Month: !all}
	r.Departments, r.Total = Report(counts)
	if r.Month {
		for i := range r.Departments {
			r.Departments[i] = ForDepartment(r.Departments[i])
		}
		r.Total = ForDepartment(r.Total)
	}
	return r, nil
}

// CountsOf counts the call-backs of cases finished in [from, to), per department
// (one department when dept is set), beside the ratings the same departments
// received in that time other than by call-back (store.CallbackFigures).
func CountsOf(ctx context.Context, st *store.Store, from, to time.Time, dept string) ([]Counts, error) {
	raw, err := st.CallbackFigures(ctx, from, to, dept)
	if err != nil {
		return nil, err
	}
	out := make([]Counts, len(raw))
	for i, c := range raw {
		out[i] = Counts(c)
	}
	return out, nil
}
