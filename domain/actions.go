package domain

import "slices"

// The ticket actions of API.md's table: who may take each, with which body
// fields, from which statuses. This table is the one statement of those rules:
// the workflow's Update validators (workflows/actions.go) build their checks from
// it, the application service (services/tickets.go) checks callers and bodies
// against it, the ticket page offers the buttons it allows, and the OpenAPI
// document's test compares its table with it. A new action is a new row here
// (and its state change in the workflow).

// Action names: the Update names of the workflow and the last segment of
// POST /api/v1/tickets/{number}/{action}.
const (
	ActionDispatch         = "dispatch"
	ActionSign             = "sign"
	ActionReturn           = "return"
	ActionRequestExtension = "request_extension"
	ActionDecideExtension  = "decide_extension"
	ActionAppeal           = "appeal"
	ActionDecideAppeal     = "decide_appeal"
	ActionResolve          = "resolve"
	ActionLogCall          = "log_call"
	ActionUrge             = "urge"
	ActionClose            = "close"
)

// FieldType is how an action's body field is sent.
type FieldType int

const (
	FieldText  FieldType = iota // a string; required means not empty
	FieldInt                    // a number of working days
	FieldBool                   // true or false; required means present
	FieldLevel                  // one of the five satisfaction levels
)

// ActionField is one body field an action takes.
type ActionField struct {
	Name     string
	Type     FieldType
	Required bool
	// RequiredIf names a bool field: this one is required when that one is true
	// (log_call's level, when the citizen was reached).
	RequiredIf string
}

// Pending says what the ticket's pending request must be for an action.
type Pending int

const (
	PendingAny       Pending = iota // whatever is pending
	PendingNone                     // no request may be pending
	PendingExtension                // decides the pending extension request
	PendingAppeal                   // decides the pending appeal
)

// ActionRule is one row of the table.
type ActionRule struct {
	Name  string
	Roles []Role
	// Fields lists the body fields the action takes, in the order their
	// absence is reported; any other field is refused.
	Fields []ActionField
	// From lists the statuses the action may be taken from.
	From []Status
	// Pending is the condition on the ticket's pending request.
	Pending Pending
	// OwnDepartment: a department acts only on a ticket assigned to it (the
	// visibility rule, SeesTicket); to another department the ticket does not exist.
	OwnDepartment bool
}

// OpenStatuses are the statuses of a ticket that still needs work.
var OpenStatuses = []Status{StatusPendingDispatch, StatusAwaitingSign, StatusRectifying, StatusFollowingUp, StatusAwaitingSupervisor}

// ActionRules is the table, in the order of API.md's.
var ActionRules = []ActionRule{
	{Name: ActionDispatch, Roles: []Role{RoleCallCenter, RoleSupervisor},
		Fields: []ActionField{{Name: "department_code", Type: FieldText, Required: true}, {Name: "note", Type: FieldText}},
		From:   []Status{StatusPendingDispatch, StatusAwaitingSupervisor}},
	{Name: ActionSign, Roles: []Role{RoleDepartment}, OwnDepartment: true,
		From: []Status{StatusAwaitingSign}},
	{Name: ActionReturn, Roles: []Role{RoleDepartment}, OwnDepartment: true,
		Fields: []ActionField{{Name: "reason", Type: FieldText, Required: true}},
		From:   []Status{StatusAwaitingSign, StatusRectifying}},
	{Name: ActionRequestExtension, Roles: []Role{RoleDepartment}, OwnDepartment: true, Pending: PendingNone,
		Fields: []ActionField{{Name: "reason", Type: FieldText, Required: true}, {Name: "working_days", Type: FieldInt, Required: true}},
		From:   []Status{StatusRectifying}},
	{Name: ActionDecideExtension, Roles: []Role{RoleSupervisor}, Pending: PendingExtension,
		Fields: []ActionField{{Name: "approve", Type: FieldBool, Required: true}, {Name: "comment", Type: FieldText}},
		From:   OpenStatuses},
	{Name: ActionAppeal, Roles: []Role{RoleDepartment}, OwnDepartment: true, Pending: PendingNone,
		Fields: []ActionField{{Name: "reason", Type: FieldText, Required: true}},
		From:   []Status{StatusAwaitingSign, StatusRectifying}},
	{Name: ActionDecideAppeal, Roles: []Role{RoleSupervisor}, Pending: PendingAppeal,
		Fields: []ActionField{{Name: "uphold", Type: FieldBool, Required: true}, {Name: "comment", Type: FieldText}},
		From:   OpenStatuses},
	{Name: ActionResolve, Roles: []Role{RoleDepartment}, OwnDepartment: true,
		Fields: []ActionField{{Name: "report", Type: FieldText, Required: true}},
		From:   []Status{StatusRectifying}},
	{Name: ActionLogCall, Roles: []Role{RoleCallCenter},
		Fields: []ActionField{{Name: "reached", Type: FieldBool, Required: true},
			{Name: "level", Type: FieldLevel, RequiredIf: "reached"}, {Name: "note", Type: FieldText}},
		From: []Status{StatusFollowingUp}},
	{Name: ActionUrge, Roles: []Role{RoleSupervisor},
		Fields: []ActionField{{Name: "note", Type: FieldText, Required: true}},
		From:   OpenStatuses},
	{Name: ActionClose, Roles: []Role{RoleSupervisor},
		Fields: []ActionField{{Name: "reason", Type: FieldText, Required: true}},
		From:   OpenStatuses},
}

// ActionNames are the actions' names in the table's order.
func ActionNames() []string {
	ns := make([]string, len(ActionRules))
	for i, r := range ActionRules {
		ns[i] = r.Name
	}
	return ns
}

// RuleOf finds an action's row; ok is false for an unknown action.
func RuleOf(action string) (ActionRule, bool) {
	for _, r := range ActionRules {
		if r.Name == action {
			return r, true
		}
	}
	return ActionRule{}, false
}

// Allows reports whether role may take the action at all.
func (r ActionRule) Allows(role Role) bool { return slices.Contains(r.Roles, role) }

// Field finds one of the action's fields.
func (r ActionRule) Field(name string) (ActionField, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return ActionField{}, false
}

// Admits reports whether the ticket's state allows the action: its status, and
// its pending request.
func (r ActionRule) Admits(t Ticket) bool {
	if !slices.Contains(r.From, t.Status) {
		return false
	}
	p := t.PendingRequest
	switch r.Pending {
	case PendingNone:
		return p == nil
	case PendingExtension:
		return p != nil && p.Type == RequestExtension
	case PendingAppeal:
		return p != nil && p.Type == RequestAppeal
	}
	return true
}

// CanAct reports whether u may take the action on t now: the user's role, the
// ticket's visibility to them, and the ticket's state. The page shows the
// action's form exactly when it holds; the workflow decides what happens.
func (u User) CanAct(action string, t Ticket) bool {
	r, ok := RuleOf(action)
	return ok && r.Allows(u.Role) && u.SeesTicket(t.DepartmentCode) && r.Admits(t)
}

// ActionFields are all the body fields of all the actions, by name, each once.
func ActionFields() []ActionField {
	var fs []ActionField
	seen := map[string]bool{}
	for _, r := range ActionRules {
		for _, f := range r.Fields {
			if !seen[f.Name] {
				seen[f.Name] = true
				fs = append(fs, f)
			}
		}
	}
	return fs
}
