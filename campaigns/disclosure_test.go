package campaigns

import (
	"testing"
	"time"
)

func TestDepartmentMonth(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ to, today, first, last string }{
		{"2026-12-03", "2026-12-03", "2026-11-01", "2026-11-30"}, // the running month: the last ended one
		{"2027-01-15", "2027-01-20", "2026-12-01", "2026-12-31"}, // across a year
		{"2026-10-09", "2026-12-03", "2026-10-01", "2026-10-31"}, // an ended month: itself
		{"2027-05-01", "2026-12-03", "2026-11-01", "2026-11-30"}, // the future: the last ended month
		{"2026-02-14", "2026-03-01", "2026-02-01", "2026-02-28"},
	} {
		first, last := DepartmentMonth(d(tc.to), d(tc.today))
		if got, want := first.Format(time.DateOnly)+".."+last.Format(time.DateOnly), tc.first+".."+tc.last; got != want {
			t.Errorf("to %s, today %s: %s, want %s", tc.to, tc.today, got, want)
		}
	}
}

func TestForDepartmentSuppressesFewCases(t *testing.T) {
	few := FiguresOf(Counts{DepartmentCode: "D", Cases: MinCases - 1, Picked: 2, Sampled: 2, Queued: 2, Called: 1, Reached: 1})
	got := ForDepartment(few)
	if !got.Suppressed || got.Picked != 0 || got.Sampled != 0 || got.Called != 0 || got.Coverage != nil || got.Cases != MinCases-1 {
		t.Errorf("under the minimum: %+v", got)
	}
	enough := FiguresOf(Counts{DepartmentCode: "D", Cases: MinCases, Picked: 2})
	if got := ForDepartment(enough); got.Suppressed || got.Picked != 2 {
		t.Errorf("at the minimum: %+v", got)
	}
}
