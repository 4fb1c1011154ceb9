package campaigns

import (
	"testing"
)

func TestReleaserCaps(t *testing.T) {
	r := Default()
	r.Teams = []Team{{Code: "ga", DailyCap: 2, DepartmentCodes: []string{"GA"}}, {Code: "rest", DailyCap: 3}}
	// The rest team already took 2 today (an earlier release): 1 left.
	rl := r.NewReleaser(map[string]int{"rest": 2})
	cands := []Candidate{
		{CaseNo: "1", DepartmentCode: "GA", Phone: "1"},
		{CaseNo: "2", DepartmentCode: "SWJ", Phone: "2"},
		{CaseNo: "3", DepartmentCode: "SWJ", Phone: "3"}, // rest is full: waits for tomorrow
		{CaseNo: "4", DepartmentCode: "GA", Phone: "4", Rated: true},
		{CaseNo: "5", DepartmentCode: "GA", Phone: "1"}, // the same citizen as case 1
		{CaseNo: "6", DepartmentCode: "GA", Phone: "6", RecentlyCalled: true},
		{CaseNo: "7", DepartmentCode: "GA", Phone: ""},
		{CaseNo: "8", DepartmentCode: "GA", Phone: "8"},
		{CaseNo: "9", DepartmentCode: "GA", Phone: "9"}, // ga is full
	}
	want := []Release{
		{Team: "ga"}, {Team: "rest"}, {}, {SkipReason: SkipRated}, {SkipReason: SkipRecentlyCalled},
		{SkipReason: SkipRecentlyCalled}, {SkipReason: SkipUnreachable}, {Team: "ga"}, {},
	}
	for i, c := range cands {
		if got := rl.Decide(c); got != want[i] {
			t.Errorf("case %s: got %+v, want %+v", c.CaseNo, got, want[i])
		}
	}
	if !rl.Full() {
		t.Error("Full() = false after both teams reached their caps")
	}
}

func TestReleaserNotFull(t *testing.T) {
	r := Default() // one team, 200 a day
	rl := r.NewReleaser(map[string]int{DefaultTeam: 199})
	if rl.Full() {
		t.Fatal("full with one place left")
	}
	if got := rl.Decide(Candidate{CaseNo: "x", Phone: "1"}); got.Team != DefaultTeam {
		t.Fatalf("got %+v, want released to %s", got, DefaultTeam)
	}
	if !rl.Full() {
		t.Error("not full after the last place was taken")
	}
}

func TestCooldownZeroAllowsSamePhone(t *testing.T) {
	r := Default()
	r.CitizenCooldownDays = 0
	rl := r.NewReleaser(nil)
	for _, no := range []string{"a", "b"} {
		if got := rl.Decide(Candidate{CaseNo: no, Phone: "138"}); got.Team == "" {
			t.Errorf("case %s: %+v, want released (no cooldown)", no, got)
		}
	}
}
