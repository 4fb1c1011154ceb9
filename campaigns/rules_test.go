package campaigns

import (
	"testing"

	"rectify/domain"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Rules)
		fields []string // the fields named, in order; none: valid
	}{
		{"defaults", func(*Rules) {}, nil},
		{"share over 1", func(r *Rules) { r.DefaultShare = 1.5 }, []string{"default_share"}},
		{"negative department share", func(r *Rules) { r.DepartmentShares = map[string]float64{"GA": -0.1} },
			[]string{"department_shares.GA"}},
		{"no catch-all team", func(r *Rules) { r.Teams = []Team{{Code: "a", DailyCap: 1, DepartmentCodes: []string{"GA"}}} },
			[]string{"teams"}},
		{"two catch-all teams", func(r *Rules) { r.Teams = []Team{{Code: "a"}, {Code: "b"}} }, []string{"teams"}},
		{"department in two teams", func(r *Rules) {
			r.Teams = []Team{{Code: "a"}, {Code: "b", DepartmentCodes: []string{"GA"}}, {Code: "c", DepartmentCodes: []string{"GA"}}}
		}, []string{"teams[2].department_codes"}},
		{"repeated team", func(r *Rules) { r.Teams = []Team{{Code: "a"}, {Code: "a", DepartmentCodes: []string{"GA"}}} },
			[]string{"teams[1].code"}},
		{"hours backwards", func(r *Rules) { r.CallingHours = Hours{Start: "20:00", End: "09:00"} }, []string{"calling_hours"}},
		{"hours not a time", func(r *Rules) { r.CallingHours = Hours{Start: "9am", End: "20:00"} }, []string{"calling_hours"}},
		{"all day", func(r *Rules) { r.CallingHours = Hours{Start: "00:00", End: "24:00"} }, nil},
		{"no attempts", func(r *Rules) { r.MaxAttempts = 0 }, []string{"max_attempts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Default()
			tt.change(&r)
			err := r.Normalize().Validate()
			var got []string
			if de, ok := domain.AsError(err); ok {
				for _, f := range de.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatalf("not a domain error: %v", err)
			}
			if len(got) != len(tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
			for i := range got {
				if got[i] != tt.fields[i] {
					t.Errorf("fields %v, want %v", got, tt.fields)
				}
			}
		})
	}
}

func TestTeamOf(t *testing.T) {
	r := Default()
	r.Teams = []Team{{Code: "north", DepartmentCodes: []string{"GA", "SCJG"}}, {Code: "rest"}}
	for dept, want := range map[string]string{"GA": "north", "SCJG": "north", "SWJ": "rest", "": "rest"} {
		if got := r.TeamOf(dept).Code; got != want {
			t.Errorf("TeamOf(%q) = %s, want %s", dept, got, want)
		}
	}
}
