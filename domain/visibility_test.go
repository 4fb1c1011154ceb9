package domain

import "testing"

func TestVisibility(t *testing.T) {
	rsj := User{Username: "rsj", Role: RoleDepartment, DepartmentCode: "RSJ"}
	scjg := User{Username: "scjg", Role: RoleDepartment, DepartmentCode: "SCJG"}
	// A rating of RSJ whose ticket was returned by RSJ and dispatched to SCJG.
	moved := Rating{ID: "r1", DepartmentCode: "RSJ", TicketNumber: "GD1", TicketDepartment: "SCJG"}
	waiting := Rating{ID: "r2", DepartmentCode: "RSJ", TicketNumber: "GD2", TicketDepartment: ""}
	positive := Rating{ID: "r3", DepartmentCode: "RSJ"}
	for _, tc := range []struct {
		who  User
		r    Rating
		want bool
	}{
		{rsj, moved, false}, {scjg, moved, true},
		{rsj, waiting, false}, {scjg, waiting, false},
		{rsj, positive, true}, {scjg, positive, false},
		{User{Role: RoleDepartment}, positive, false}, // a department user without a department
		{User{Role: RoleSupervisor}, moved, true}, {User{Role: RoleCallCenter}, waiting, true},
		{User{Role: RoleAdmin}, positive, true}, {User{Role: RoleChannel}, positive, false},
	} {
		if got := tc.who.SeesRating(tc.r); got != tc.want {
			t.Errorf("%s (%s) sees rating %s: %v, want %v", tc.who.Username, tc.who.Role, tc.r.ID, got, tc.want)
		}
		if tc.r.TicketNumber != "" {
			if got := tc.who.SeesTicket(tc.r.TicketDepartment); got != tc.want {
				t.Errorf("%s (%s) sees ticket of %s: %v, want %v (the rating's answer)", tc.who.Username, tc.who.Role, tc.r.ID, got, tc.want)
			}
		}
	}
}

func TestNoticeScope(t *testing.T) {
	for _, tc := range []struct {
		who                User
		channel, recipient string
		ok                 bool
	}{
		{User{Role: RoleDepartment, DepartmentCode: "RSJ"}, "department", "RSJ", true},
		{User{Role: RoleDepartment}, "", "", false},
		{User{Role: RoleSupervisor}, "supervisors", "supervisors", true},
		{User{Role: RoleAdmin}, "supervisors", "supervisors", true},
		{User{Role: RoleCallCenter}, "", "", false},
		{User{Role: RoleChannel}, "", "", false},
	} {
		ch, rc, ok := tc.who.NoticeScope()
		if ch != tc.channel || rc != tc.recipient || ok != tc.ok {
			t.Errorf("%s/%s: NoticeScope = %q %q %v, want %q %q %v", tc.who.Role, tc.who.DepartmentCode, ch, rc, ok, tc.channel, tc.recipient, tc.ok)
		}
	}
}

func TestDepartmentScope(t *testing.T) {
	dept := User{Role: RoleDepartment, DepartmentCode: "A"}
	sup := User{Role: RoleSupervisor}
	cases := []struct {
		u         User
		requested string
		dept      string
		ok        bool
	}{
		{dept, "", "A", true},
		{dept, "A", "A", true},
		{dept, "B", "A", false},
		{sup, "", "", true},
		{sup, "B", "B", true},
		{User{Role: RoleChannel}, "B", "", false},
	}
	for _, c := range cases {
		d, ok := c.u.DepartmentScope(c.requested)
		if d != c.dept || ok != c.ok {
			t.Errorf("%s/%s asks %q: %q %v, want %q %v", c.u.Role, c.u.DepartmentCode, c.requested, d, ok, c.dept, c.ok)
		}
	}
}
