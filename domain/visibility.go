package domain

// Who may see a ticket and its rating: this file is the one rule, and every API
// route, page and list uses it (lists through TicketScope, in SQL).
//
// The central roles (admin, supervisor, call center) see every ticket and rating.
// A department sees a ticket while the ticket is assigned to it, and a rating
// through its ticket: when a ticket moves (returned by one department, dispatched
// to another), the rating goes with it, and the department it left sees neither.
// A rating without a ticket (not negative) is seen by the department it rates.
// The channel role submits ratings and reads none. What a caller may not see does
// not exist for them: 404, not 403.

// SeesTicket reports whether u may see a ticket assigned to ticketDept ("" while
// it waits for dispatch).
func (u User) SeesTicket(ticketDept string) bool {
	return u.sees(true, "", ticketDept)
}

// SeesRating reports whether u may see r. r.TicketNumber and r.TicketDepartment
// must be filled (store.GetRating does).
func (u User) SeesRating(r Rating) bool {
	return u.sees(r.TicketNumber != "", r.DepartmentCode, r.TicketDepartment)
}

func (u User) sees(hasTicket bool, ratingDept, ticketDept string) bool {
	switch u.Role {
	case RoleAdmin, RoleSupervisor, RoleCallCenter:
		return true
	case RoleDepartment:
		if hasTicket {
			return u.DepartmentCode != "" && ticketDept == u.DepartmentCode
		}
		return u.DepartmentCode != "" && ratingDept == u.DepartmentCode
	}
	return false
}

// TicketScope is the same rule for lists: the department whose tickets u may list,
// or "" for every ticket. Lists filter tickets by their current department.
func (u User) TicketScope() (department string, all bool) {
	switch u.Role {
	case RoleAdmin, RoleSupervisor, RoleCallCenter:
		return "", true
	case RoleDepartment:
		return u.DepartmentCode, false
	}
	return "", false
}

// DepartmentScope is the same rule for a query of one department's tickets or
// figures: u asks for requested ("" for all it may see); dept is the department
// the query must be limited to ("" for all), and ok is false when u asked for a
// department it may not see.
func (u User) DepartmentScope(requested string) (dept string, ok bool) {
	d, all := u.TicketScope()
	switch {
	case all:
		return requested, true
	case requested != "" && requested != d:
		return d, false
	}
	return d, true
}

// NoticeScope is the same rule for notices (the outbox's staff messages): the
// channel and recipient whose notices u reads, or ok false for none. A
// department reads the notices addressed to it, and of those only the ones
// about tickets it may see (SeesTicket: while the ticket is assigned to it; the
// store applies that part in SQL). Supervisors and admins read the
// supervisors' notices. Nobody reads a citizen's SMS here: admins list the raw
// outbox separately, as operators.
func (u User) NoticeScope() (channel, recipient string, ok bool) {
	switch u.Role {
	case RoleDepartment:
		if u.DepartmentCode == "" {
			return "", "", false
		}
		return "department", u.DepartmentCode, true
	case RoleSupervisor, RoleAdmin:
		return "supervisors", "supervisors", true
	}
	return "", "", false
}
