// Package campaigns holds the rules of satisfaction call-backs on finished service
// cases (政务服务办件满意度回访): which cases are sampled, which call-center team
// calls them, how many a team takes a day, and when citizens may be called. The
// rules are pure functions; stored.go applies them to what the store keeps (the
// store holds the SQL and no rule: it does not import this package). The campaign
// workflow releases sampled cases into the queue, and the API turns a reached
// call into a hotline rating that enters the ordinary rating flow.
package campaigns

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"rectify/domain"
)

// Rules are the sampling rules supervisors set. Every change is stored as a new
// Version; a case records the version that decided it, so a decision never changes
// afterwards.
type Rules struct {
	Version           int                `json:"version"`
	DefaultShare      float64            `json:"default_share"`
	DepartmentShares  map[string]float64 `json:"department_shares"`
	ServiceItemShares map[string]float64 `json:"service_item_shares"` // wins over the department's share
	AlwaysCallItems   []string           `json:"always_call_items"`   // every case of these is called
	Teams             []Team             `json:"teams"`
	CallingHours      Hours              `json:"calling_hours"`
	// CallOnNonWorkingDays lets teams call on weekends and holidays too.
	CallOnNonWorkingDays bool       `json:"call_on_non_working_days"`
	MaxAttempts          int        `json:"max_attempts"`          // unanswered calls before a case is dropped
	RetryAfterMinutes    int        `json:"retry_after_minutes"`   // pause after an unanswered call
	CitizenCooldownDays  int        `json:"citizen_cooldown_days"` // one call-back per phone within this many days
	UpdatedBy            string     `json:"updated_by,omitempty"`
	UpdatedAt            *time.Time `json:"updated_at,omitempty"`
}

// Team is a call-center team: the departments whose cases it calls and how many
// cases it takes a day. The team with no departments takes every other case.
type Team struct {
	Code            string   `json:"code"`
	DailyCap        int      `json:"daily_cap"`
	DepartmentCodes []string `json:"department_codes"`
}

// Hours is the daily calling window, "HH:MM" in the calendar's zone; End may be
// "24:00". Start is inclusive, End exclusive.
type Hours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// DefaultTeam is the catch-all team of the default rules.
const DefaultTeam = "default"

// Limits on what a supervisor may set.
const (
	maxAttemptsLimit = 10
	maxTeams         = 100
	maxListed        = 5000
)

// Default is what applies before a supervisor sets anything: 10% of cases, one
// team taking 200 a day, calls 9:00–20:00 on working days, three attempts.
func Default() Rules {
	return Rules{DefaultShare: 0.10, DepartmentShares: map[string]float64{}, ServiceItemShares: map[string]float64{},
		AlwaysCallItems: []string{}, Teams: []Team{{Code: DefaultTeam, DailyCap: 200, DepartmentCodes: []string{}}},
		CallingHours: Hours{Start: "09:00", End: "20:00"}, MaxAttempts: 3, RetryAfterMinutes: 60,
		CitizenCooldownDays: 30}
}

// Normalize makes nil collections empty, so stored rules read back as written.
// (Fields a supervisor leaves out keep their defaults because the API decodes the
// body onto Default().)
func (r Rules) Normalize() Rules {
	if r.DepartmentShares == nil {
		r.DepartmentShares = map[string]float64{}
	}
	if r.ServiceItemShares == nil {
		r.ServiceItemShares = map[string]float64{}
	}
	if r.AlwaysCallItems == nil {
		r.AlwaysCallItems = []string{}
	}
	if r.Teams == nil {
		r.Teams = []Team{}
	}
	for i := range r.Teams {
		if r.Teams[i].DepartmentCodes == nil {
			r.Teams[i].DepartmentCodes = []string{}
		}
	}
	return r
}

// Validate names every field that is wrong.
func (r Rules) Validate() error {
	var fs []domain.FieldError
	bad := func(field, format string, args ...any) {
		fs = append(fs, domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	share := func(field string, v float64) {
		if v < 0 || v > 1 || v != v {
			bad(field, "must be a fraction from 0 to 1")
		}
	}
	code := func(field, v string) {
		if v == "" || len([]rune(v)) > domain.MaxCodeRunes {
			bad(field, "must be 1 to %d characters", domain.MaxCodeRunes)
		}
	}
	share("default_share", r.DefaultShare)
	for _, k := range slices.Sorted(maps.Keys(r.DepartmentShares)) {
		code("department_shares", k)
		share("department_shares."+k, r.DepartmentShares[k])
	}
	for _, k := range slices.Sorted(maps.Keys(r.ServiceItemShares)) {
		code("service_item_shares", k)
		share("service_item_shares."+k, r.ServiceItemShares[k])
	}
	if n := len(r.DepartmentShares) + len(r.ServiceItemShares) + len(r.AlwaysCallItems); n > maxListed {
		bad("department_shares", "at most %d shares and items together, got %d", maxListed, n)
	}
	for i, it := range r.AlwaysCallItems {
		code(fmt.Sprintf("always_call_items[%d]", i), it)
	}
	r.validateTeams(bad)
	if _, _, err := r.CallingHours.bounds(); err != nil {
		bad("calling_hours", "%v", err)
	}
	if r.MaxAttempts < 1 || r.MaxAttempts > maxAttemptsLimit {
		bad("max_attempts", "must be 1 to %d", maxAttemptsLimit)
	}
	if r.RetryAfterMinutes < 0 || r.RetryAfterMinutes > 7*24*60 {
		bad("retry_after_minutes", "must be 0 to %d", 7*24*60)
	}
	if r.CitizenCooldownDays < 0 || r.CitizenCooldownDays > 366 {
		bad("citizen_cooldown_days", "must be 0 to 366")
	}
	if fs != nil {
		return domain.Invalid("invalid_sampling_rules", fs)
	}
	return nil
}

func (r Rules) validateTeams(bad func(field, format string, args ...any)) {
	if len(r.Teams) == 0 || len(r.Teams) > maxTeams {
		bad("teams", "must list 1 to %d teams", maxTeams)
		return
	}
	codes, depts, catchAll := map[string]bool{}, map[string]string{}, 0
	for i, t := range r.Teams {
		f := fmt.Sprintf("teams[%d]", i)
		if t.Code == "" || len([]rune(t.Code)) > domain.MaxCodeRunes {
			bad(f+".code", "must be 1 to %d characters", domain.MaxCodeRunes)
		} else if codes[t.Code] {
			bad(f+".code", "repeated")
		}
		codes[t.Code] = true
		if t.DailyCap < 0 || t.DailyCap > 1_000_000 {
			bad(f+".daily_cap", "must be 0 to 1000000")
		}
		if len(t.DepartmentCodes) == 0 {
			catchAll++
		}
		for _, d := range t.DepartmentCodes {
			if other, ok := depts[d]; ok {
				bad(f+".department_codes", "%s is already called by team %s", d, other)
			}
			depts[d] = t.Code
		}
	}
	if catchAll != 1 {
		bad("teams", "exactly one team must have no department_codes (it calls every other department's cases), got %d", catchAll)
	}
}

// TeamOf is the team that calls a department's cases.
func (r Rules) TeamOf(departmentCode string) Team {
	var all Team
	for _, t := range r.Teams {
		if len(t.DepartmentCodes) == 0 {
			all = t
		} else if slices.Contains(t.DepartmentCodes, departmentCode) {
			return t
		}
	}
	return all
}

// RetryAfter is the pause after an unanswered call.
func (r Rules) RetryAfter() time.Duration { return time.Duration(r.RetryAfterMinutes) * time.Minute }

// Cooldown is how long a citizen is not called again after a call-back.
func (r Rules) Cooldown() time.Duration { return time.Duration(r.CitizenCooldownDays) * 24 * time.Hour }
