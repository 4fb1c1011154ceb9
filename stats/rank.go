package stats

import (
	"context"
	"fmt"
	"sort"
)

// Ranked is a metric departments can be ranked by.
type Ranked struct {
	Name           string
	HigherIsBetter bool
	value          func(Metrics) float64
	volume         func(Metrics) int64 // the base the minimum volume applies to
}

func byTotal(m Metrics) int64   { return m.Total }
func byTickets(m Metrics) int64 { return m.Tickets }

// RankMetrics are the metrics red/black lists may use; the first is the default.
var RankMetrics = []Ranked{
	{"score", true, func(m Metrics) float64 { return m.Score }, byTotal},
	{"satisfaction_rate", true, func(m Metrics) float64 { return m.SatisfactionRate }, byTotal},
	{"negative_rate", false, func(m Metrics) float64 { return m.NegativeRate }, byTotal},
	{"rectification_rate", true, func(m Metrics) float64 { return m.RectificationRate }, byTickets},
	{"on_time_rate", true, func(m Metrics) float64 { return m.OnTimeRate }, byTickets},
	{"satisfied_after_followup_rate", true, func(m Metrics) float64 { return m.SatisfiedAfterFollowupRate },
		func(m Metrics) int64 { return m.FollowedUp }},
	{"avg_rectify_working_days", false, func(m Metrics) float64 { return m.AvgRectifyWorkingDays },
		func(m Metrics) int64 { return m.Rectified }},
}

// RankMetric finds a rank metric by name.
func RankMetric(name string) (Ranked, bool) {
	for _, r := range RankMetrics {
		if r.Name == name {
			return r, true
		}
	}
	return Ranked{}, false
}

// Ranking is a red list (红榜, best first) and a black list (黑榜, worst first) of
// departments. A department whose base for the metric (ratings, tickets, ...) is
// under MinVolume is not ranked, so a tiny department cannot top either list by
// chance. The lists never share a department.
type Ranking struct {
	Metric    string   `json:"metric"`
	MinVolume int      `json:"min_volume"`
	Ranked    int      `json:"ranked"`   // departments that met the minimum volume
	Unranked  int      `json:"unranked"` // departments under it
	Red       []Placed `json:"red"`
	Black     []Placed `json:"black"`
}

// Placed is a department's place: 1 is the best in Red and the worst in Black.
type Placed struct {
	Place int
	Row
}

// Rank builds the red and black lists of up to limit departments each.
func (s *Service) Rank(ctx context.Context, metric Ranked, f Filter, w Weights, minVolume, limit int) (r Ranking, err error) {
	defer wrap(&err, "stats.Rank(%s)", metric.Name)
	if limit < 1 {
		return r, fmt.Errorf("limit must be positive")
	}
	rows, err := s.Table(ctx, Department, f, w)
	if err != nil {
		return r, err
	}
	r = Ranking{Metric: metric.Name, MinVolume: minVolume, Red: []Placed{}, Black: []Placed{}}
	var eligible []Row
	for _, row := range rows {
		if metric.volume(row.Metrics) >= int64(minVolume) && metric.volume(row.Metrics) > 0 {
			eligible = append(eligible, row)
		} else {
			r.Unranked++
		}
	}
	r.Ranked = len(eligible)
	// Best first; ties go to the larger volume, then the code, so the order is stable.
	sort.SliceStable(eligible, func(i, j int) bool {
		a, b := metric.value(eligible[i].Metrics), metric.value(eligible[j].Metrics)
		if a != b {
			return (a > b) == metric.HigherIsBetter
		}
		va, vb := metric.volume(eligible[i].Metrics), metric.volume(eligible[j].Metrics)
		if va != vb {
			return va > vb
		}
		return eligible[i].DepartmentCode < eligible[j].DepartmentCode
	})
	// With fewer than 2×limit ranked, the better half is red and the rest black.
	nRed := min(limit, (len(eligible)+1)/2)
	nBlack := min(limit, len(eligible)-nRed)
	for i := 0; i < nRed; i++ {
		r.Red = append(r.Red, Placed{Place: i + 1, Row: eligible[i]})
	}
	for i := 0; i < nBlack; i++ {
		r.Black = append(r.Black, Placed{Place: i + 1, Row: eligible[len(eligible)-1-i]})
	}
	return r, nil
}

// MarshalJSON writes the place first, then the row.
func (p Placed) MarshalJSON() ([]byte, error) {
	row, err := p.Row.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return append([]byte(fmt.Sprintf(`{"place":%d,`, p.Place)), row[1:]...), nil
}
