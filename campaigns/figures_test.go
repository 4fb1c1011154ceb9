package campaigns

import (
	"testing"

	"rectify/domain"
)

func TestFiguresOf(t *testing.T) {
	c := Counts{DepartmentCode: "GA", Cases: 100, Picked: 12, Skipped: 2, Sampled: 10, Queued: 8, Called: 8, Reached: 6,
		Dropped: 1, CalledBack: map[domain.Level]int{domain.VerySatisfied: 3, domain.Satisfied: 1, domain.VeryDissatisfied: 2},
		SelfSubmitted: map[domain.Level]int{domain.Satisfied: 4}}
	f := FiguresOf(c)
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("coverage", f.Coverage, 0.8)
	check("reach_rate", f.ReachRate, 0.75)
	check("called_back.satisfaction_rate", f.CalledBack.SatisfactionRate, 0.6667)
	check("called_back.negative_rate", f.CalledBack.NegativeRate, 0.3333)
	check("called_back.score", f.CalledBack.Score, 6.33) // (30+8+0)/6
	check("self_submitted.score", f.SelfSubmitted.Score, 8)
	if f.CalledBack.Ratings != 6 || f.SelfSubmitted.Ratings != 4 {
		t.Errorf("ratings %d and %d, want 6 and 4", f.CalledBack.Ratings, f.SelfSubmitted.Ratings)
	}

	empty := FiguresOf(Counts{})
	if empty.Coverage != nil || empty.ReachRate != nil || empty.CalledBack.Score != nil {
		t.Errorf("empty figures have rates: %+v", empty)
	}
	if total := c.Add(c); total.Reached != 12 || total.CalledBack[domain.VerySatisfied] != 6 {
		t.Errorf("Add: %+v", total)
	}
}
