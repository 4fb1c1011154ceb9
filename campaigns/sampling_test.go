package campaigns

import (
	"fmt"
	"testing"
)

func TestDrawIsDeterministic(t *testing.T) {
	for _, no := range []string{"BJ-2026-000001", "沪办-77", ""} {
		if a, b := Draw(no, 3), Draw(no, 3); a != b {
			t.Errorf("Draw(%q, 3) gave %v then %v", no, a, b)
		}
		if d := Draw(no, 3); d < 0 || d >= 1 {
			t.Errorf("Draw(%q, 3) = %v, want [0, 1)", no, d)
		}
	}
	// A new rule set draws afresh: the same case numbers land elsewhere.
	moved := 0
	for i := range 100 {
		no := fmt.Sprintf("C%04d", i)
		if Draw(no, 1) != Draw(no, 2) {
			moved++
		}
	}
	if moved < 95 {
		t.Errorf("%d of 100 draws changed with the version, want nearly all", moved)
	}
}

func TestShareOfCasesSampled(t *testing.T) {
	r := Default()
	r.Version = 7
	r.DepartmentShares = map[string]float64{"GA": 0.5, "NONE": 0}
	const n = 20000
	tests := []struct {
		dept     string
		want     float64
		tolerant float64
	}{
		{"SCJG", 0.10, 0.01}, // the default share
		{"GA", 0.50, 0.015},
		{"NONE", 0, 0},
	}
	for _, tt := range tests {
		got := 0
		for i := range n {
			if r.Picks(fmt.Sprintf("%s-%06d", tt.dept, i), tt.dept, "item") {
				got++
			}
		}
		if share := float64(got) / n; share < tt.want-tt.tolerant || share > tt.want+tt.tolerant {
			t.Errorf("%s: sampled %.4f of cases, want %.2f±%.3f", tt.dept, share, tt.want, tt.tolerant)
		}
	}
}

func TestShareRules(t *testing.T) {
	r := Default()
	r.DepartmentShares = map[string]float64{"GA": 0.5}
	r.ServiceItemShares = map[string]float64{"passport": 0.2}
	r.AlwaysCallItems = []string{"hukou"}
	tests := []struct {
		dept, item string
		want       float64
	}{
		{"SCJG", "x", 0.10},       // default
		{"GA", "x", 0.5},          // department
		{"GA", "passport", 0.2},   // the item wins over its department
		{"SCJG", "hukou", 1},      // always called
		{"GA", "hukou", 1},        // always called, whatever the department
		{"SCJG", "passport", 0.2}, // item share in any department
	}
	for _, tt := range tests {
		if got := r.Share(tt.dept, tt.item); got != tt.want {
			t.Errorf("Share(%s, %s) = %v, want %v", tt.dept, tt.item, got, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	r := Default()
	r.AlwaysCallItems = []string{"always"}
	r.DepartmentShares = map[string]float64{"never": 0}
	tests := []struct {
		name string
		c    Case
		want Decision
	}{
		{"picked and callable", Case{CaseNo: "1", ServiceItemCode: "always", Reachable: true},
			Decision{Sampled: true, Status: StatusWaiting}},
		{"picked, rated by the citizen", Case{CaseNo: "2", ServiceItemCode: "always", Reachable: true, Rated: true},
			Decision{Sampled: true, Status: StatusSkipped, SkipReason: SkipRated}},
		{"picked, no phone", Case{CaseNo: "3", ServiceItemCode: "always"},
			Decision{Sampled: true, Status: StatusSkipped, SkipReason: SkipUnreachable}},
		{"not picked", Case{CaseNo: "4", DepartmentCode: "never", ServiceItemCode: "x", Reachable: true},
			Decision{Status: StatusNotSampled}},
	}
	for _, tt := range tests {
		if got := r.Decide(tt.c); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// Deciding again is the same decision: a re-run calls nobody new.
	r.DefaultShare = 0.3
	for i := range 500 {
		c := Case{CaseNo: fmt.Sprintf("R-%d", i), DepartmentCode: "d", ServiceItemCode: "x", Reachable: true}
		if a, b := r.Decide(c), r.Decide(c); a != b {
			t.Fatalf("case %s decided %+v then %+v", c.CaseNo, a, b)
		}
	}
}
