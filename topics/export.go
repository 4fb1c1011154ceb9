package topics

import (
	"strings"
	"time"

	"rectify/stats"
)

var sheetNames = map[Sentiment]string{Negative: "差评热点", Positive: "好评经验", "": "评价话题"}

// Sheet is the topics as exported (CSV, Excel): one row per term, its examples
// in one cell, masked as the viewer saw them.
func Sheet(f Filter, ts []Topic) stats.Sheet {
	s := stats.Sheet{Name: sheetNames[f.Sentiment], Headers: []string{"话题", "提及评价数", "上期提及数", "变化", "示例评价"}}
	for _, t := range ts {
		var ex []string
		for _, e := range t.Examples {
			ex = append(ex, e.RatedAt.In(stats.Zone).Format(time.DateOnly)+" "+e.Comment)
		}
		s.Rows = append(s.Rows, []any{t.Term, t.Count, t.PreviousCount, t.Change, strings.Join(ex, "\n")})
	}
	return s
}
