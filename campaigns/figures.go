package campaigns

import (
	"math"

	"rectify/domain"
	"rectify/store"
)

// Counts are the raw call-back numbers of one department (or of all, for totals)
// over a period of case finishing times, as the store counts them.
type Counts store.CallbackCounts

// Add sums two departments' counts, for the totals row.
func (c Counts) Add(o Counts) Counts {
	c.Cases += o.Cases
	c.Picked += o.Picked
	c.Skipped += o.Skipped
	c.Sampled += o.Sampled
	c.Queued += o.Queued
	c.Called += o.Called
	c.Reached += o.Reached
	c.Dropped += o.Dropped
	c.CalledBack, c.SelfSubmitted = addLevels(c.CalledBack, o.CalledBack), addLevels(c.SelfSubmitted, o.SelfSubmitted)
	return c
}

func addLevels(a, b map[domain.Level]int) map[domain.Level]int {
	out := map[domain.Level]int{}
	for _, l := range domain.Levels {
		out[l] = a[l] + b[l]
	}
	return out
}

// Figures are Counts with their rates, as the API serves them. A rate is null
// when its denominator is zero.
type Figures struct {
	DepartmentCode string       `json:"department_code,omitempty"`
	Cases          int          `json:"cases"`
	Picked         int          `json:"picked"`
	Skipped        int          `json:"skipped"`
	Sampled        int          `json:"sampled"`
	Queued         int          `json:"queued"`
	Called         int          `json:"called"`
	Reached        int          `json:"reached"`
	Dropped        int          `json:"dropped"`
	Coverage       *float64     `json:"coverage"`   // called / sampled
	ReachRate      *float64     `json:"reach_rate"` // reached / called
	CalledBack     Satisfaction `json:"called_back"`
	SelfSubmitted  Satisfaction `json:"self_submitted"`
	// Suppressed: shown to a department, too few cases to show the sampling
	// figures (disclosure.go); they are zero and null.
	Suppressed bool `json:"suppressed,omitempty"`
}

// Satisfaction summarises a set of ratings.
type Satisfaction struct {
	Ratings          int                  `json:"ratings"`
	ByLevel          map[domain.Level]int `json:"by_level"`
	SatisfactionRate *float64             `json:"satisfaction_rate"` // the three upper levels over all
	NegativeRate     *float64             `json:"negative_rate"`
	Score            *float64             `json:"score"` // weighted mean on Weights
}

// Weights is the common 10/8/6/3/0 scoring of the five levels.
var Weights = map[domain.Level]float64{domain.VerySatisfied: 10, domain.Satisfied: 8,
	domain.BasicallySatisfied: 6, domain.Dissatisfied: 3, domain.VeryDissatisfied: 0}

// FiguresOf computes the rates.
func FiguresOf(c Counts) Figures {
	return Figures{DepartmentCode: c.DepartmentCode, Cases: c.Cases, Picked: c.Picked, Skipped: c.Skipped,
		Sampled: c.Sampled, Queued: c.Queued, Called: c.Called, Reached: c.Reached, Dropped: c.Dropped,
		Coverage: Rate(c.Called, c.Sampled), ReachRate: Rate(c.Reached, c.Called),
		CalledBack: SatisfactionOf(c.CalledBack), SelfSubmitted: SatisfactionOf(c.SelfSubmitted)}
}

// Report turns per-department counts into their figures and the totals row.
func Report(counts []Counts) (depts []Figures, total Figures) {
	var sum Counts
	depts = make([]Figures, len(counts))
	for i, k := range counts {
		depts[i] = FiguresOf(k)
		sum = sum.Add(k)
	}
	return depts, FiguresOf(sum)
}

// SatisfactionOf summarises ratings counted by level.
func SatisfactionOf(byLevel map[domain.Level]int) Satisfaction {
	s := Satisfaction{ByLevel: map[domain.Level]int{}}
	var good, negative int
	var points float64
	for _, l := range domain.Levels {
		n := byLevel[l]
		s.ByLevel[l] = n
		s.Ratings += n
		points += float64(n) * Weights[l]
		if l.Negative() {
			negative += n
		} else {
			good += n
		}
	}
	s.SatisfactionRate, s.NegativeRate = Rate(good, s.Ratings), Rate(negative, s.Ratings)
	if s.Ratings > 0 {
		v := math.Round(points/float64(s.Ratings)*100) / 100
		s.Score = &v
	}
	return s
}
