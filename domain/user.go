package domain

import "slices"

// Role is what a user or token may do; see API.md's Auth section.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleSupervisor Role = "supervisor"
	RoleCallCenter Role = "callcenter"
	RoleDepartment Role = "department" // bound to one department
	RoleChannel    Role = "channel"    // a rating source: submits ratings only
)

var Roles = []Role{RoleAdmin, RoleSupervisor, RoleCallCenter, RoleDepartment, RoleChannel}

func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// SeesPhones reports whether the role may read citizens' phone numbers unmasked.
func (r Role) SeesPhones() bool { return r == RoleCallCenter }

// Department is a responsible agency (责任单位).
type Department struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// User is a person or a system that signs in.
type User struct {
	Username       string `json:"username"`
	Role           Role   `json:"role"`
	DepartmentCode string `json:"department_code,omitempty"`
	DisplayName    string `json:"display_name,omitempty"`
	Disabled       bool   `json:"disabled"` // signs in and authenticates no more
	// A channel user bound to a rating channel submits ratings of that channel only,
	// with ids that begin with RatingIDPrefix; empty for unbound (older) users.
	Channel        Channel `json:"channel,omitempty"`
	RatingIDPrefix string  `json:"rating_id_prefix,omitempty"`
}

// Actor is the user as the performer of an action.
func (u User) Actor() Actor {
	return Actor{Username: u.Username, Role: u.Role, DepartmentCode: u.DepartmentCode}
}
