package domain

import (
	"slices"
	"testing"
)

// buttonsBefore is what the ticket page offered before the rule table (issue
// 19), written out by role: the table must offer exactly the same.
func buttonsBefore(u User, t Ticket) []string {
	var a []string
	add := func(name string, ok bool) {
		if ok {
			a = append(a, name)
		}
	}
	st, p := t.Status, t.PendingRequest
	in := func(ss ...Status) bool { return slices.Contains(ss, st) }
	switch u.Role {
	case RoleDepartment:
		if u.DepartmentCode != t.DepartmentCode {
			return nil
		}
		add(ActionSign, in(StatusAwaitingSign))
		add(ActionReturn, in(StatusAwaitingSign, StatusRectifying))
		add(ActionAppeal, in(StatusAwaitingSign, StatusRectifying) && p == nil)
		add(ActionRequestExtension, in(StatusRectifying) && p == nil)
		add(ActionResolve, in(StatusRectifying))
	case RoleCallCenter:
		add(ActionLogCall, in(StatusFollowingUp))
		add(ActionDispatch, in(StatusPendingDispatch, StatusAwaitingSupervisor))
	case RoleSupervisor:
		add(ActionDispatch, in(StatusPendingDispatch, StatusAwaitingSupervisor))
		add(ActionDecideExtension, t.Open() && p != nil && p.Type == RequestExtension)
		add(ActionDecideAppeal, t.Open() && p != nil && p.Type == RequestAppeal)
		add(ActionUrge, t.Open())
		add(ActionClose, t.Open())
	}
	return a
}

func TestCanActOffersWhatThePageOffered(t *testing.T) {
	users := []User{{Role: RoleAdmin}, {Role: RoleSupervisor}, {Role: RoleCallCenter}, {Role: RoleChannel},
		{Role: RoleDepartment, DepartmentCode: "A"}, {Role: RoleDepartment, DepartmentCode: "B"}}
	pendings := []*Request{nil, {Type: RequestExtension}, {Type: RequestAppeal}}
	for _, u := range users {
		for _, st := range Statuses {
			for _, dept := range []string{"", "A"} {
				for _, p := range pendings {
					tk := Ticket{Status: st, DepartmentCode: dept, PendingRequest: p}
					var got []string
					for _, name := range ActionNames() {
						if u.CanAct(name, tk) {
							got = append(got, name)
						}
					}
					want := buttonsBefore(u, tk)
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s/%s on %s ticket of %q, pending %v: CanAct %v, the page offered %v",
							u.Role, u.DepartmentCode, st, dept, p, got, want)
					}
				}
			}
		}
	}
	if u := (User{Role: RoleSupervisor}); u.CanAct("no_such_action", Ticket{Status: StatusRectifying}) {
		t.Error("an unknown action is allowed")
	}
}

func TestRuleTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range ActionRules {
		if seen[r.Name] {
			t.Errorf("%s: two rows", r.Name)
		}
		seen[r.Name] = true
		if len(r.Roles) == 0 || len(r.From) == 0 {
			t.Errorf("%s: no roles or no statuses", r.Name)
		}
		if r.OwnDepartment && !slices.Equal(r.Roles, []Role{RoleDepartment}) {
			t.Errorf("%s: OwnDepartment is for department actions", r.Name)
		}
		for _, f := range r.Fields {
			if f.RequiredIf != "" {
				if g, ok := r.Field(f.RequiredIf); !ok || g.Type != FieldBool {
					t.Errorf("%s.%s: RequiredIf %q is not a bool field of the action", r.Name, f.Name, f.RequiredIf)
				}
			}
		}
	}
}
