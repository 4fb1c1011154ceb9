package stats

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A rate with nothing to divide is null in every statistics response (API.md),
// so a day without ratings is a gap in a chart, not 0% (issue 17 item 8); a rate
// with a base is a number, 0 included.
func TestMetricsJSONNullsRatesWithoutBase(t *testing.T) {
	var w Weights
	for _, c := range []struct {
		name      string
		counts    Counts
		null, num []string
	}{
		{"no ratings", Counts{}, []string{"satisfaction_rate", "negative_rate", "score", "rectification_rate",
			"on_time_rate", "followup_rate", "satisfied_after_followup_rate", "avg_rectify_working_days",
			"return_rate", "extension_rate", "reopen_rate"}, nil},
		{"only good ratings", Counts{ByLevel: [5]int64{2, 1, 0, 0, 0}}, []string{"rectification_rate", "on_time_rate",
			"followup_rate", "satisfied_after_followup_rate", "avg_rectify_working_days", "return_rate"},
			[]string{"satisfaction_rate", "negative_rate", "score"}},
	} {
		b, err := json.Marshal(c.counts.Metrics(w))
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range c.null {
			if v, ok := got[k]; !ok || v != nil {
				t.Errorf("%s: %s = %v (present %v), want null", c.name, k, v, ok)
			}
		}
		for _, k := range c.num {
			if _, ok := got[k].(float64); !ok {
				t.Errorf("%s: %s = %v, want a number", c.name, k, got[k])
			}
		}
		if got["total"] != float64(c.counts.Total()) {
			t.Errorf("%s: total %v", c.name, got["total"])
		}
	}
}

// The exports show the same: an empty cell where JSON has null, a rate where there is a base.
func TestExportCellsLeaveRatesWithoutBaseEmpty(t *testing.T) {
	var w Weights
	empty := metricCells(Counts{}.Metrics(w))
	for i, h := range metricHeaders {
		switch v := empty[i].(type) {
		case Rate, float64:
			t.Errorf("%s: %v for no ratings, want an empty cell", h, v)
		}
	}
	rated := metricCells(Counts{ByLevel: [5]int64{1, 0, 0, 0, 1}}.Metrics(w))
	if r, ok := rated[6].(Rate); !ok || float64(r) != 0.5 {
		t.Errorf("好评率 of one good and one bad rating: %v, want 50%%", rated[6])
	}
}

// Every rate and mean names its base, a count of Metrics: MarshalJSON writes it
// null where that count is 0, and a figure without one would be written 0 there.
func TestMetricsBasesNamed(t *testing.T) {
	typ := reflect.TypeFor[Metrics]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		base, named := f.Tag.Lookup("base")
		if f.Type.Kind() != reflect.Float64 {
			if named {
				t.Errorf("%s is a count but names a base", f.Name)
			}
			continue
		}
		if b, ok := typ.FieldByName(base); !named || !ok || b.Type.Kind() != reflect.Int64 {
			t.Errorf("%s: base %q is not a count of Metrics", f.Name, base)
		}
	}
}
