// Package workflows holds the rectification workflow: one durable Temporal workflow
// per negative rating, which owns its ticket's state from dispatch to closing. All I/O
// happens in activities; this package is deterministic code only.
package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"rectify/activities"
	"rectify/domain"
)

// WorkflowID is derived from the rating, so a second start for the same rating can
// never create a second workflow.
func WorkflowID(ratingID string) string { return "rating:" + ratingID }

// Update names: the ticket actions of API.md (domain's rule table), plus the
// survey answer.
const (
	ActionDispatch         = domain.ActionDispatch
	ActionSign             = domain.ActionSign
	ActionReturn           = domain.ActionReturn
	ActionRequestExtension = domain.ActionRequestExtension
	ActionDecideExtension  = domain.ActionDecideExtension
	ActionAppeal           = domain.ActionAppeal
	ActionDecideAppeal     = domain.ActionDecideAppeal
	ActionResolve          = domain.ActionResolve
	ActionLogCall          = domain.ActionLogCall
	ActionUrge             = domain.ActionUrge
	ActionClose            = domain.ActionClose
	ActionAnswerSurvey     = "answer_survey" // sent by the survey endpoint, not a user
)

// Actions lists the user-facing actions in the order of API.md's table.
var Actions = domain.ActionNames()

// QueryState returns the workflow's in-memory ticket.
const QueryState = "state"

// Search attributes kept current so Temporal's own UI can filter tickets.
const (
	SAStatus     = "RectifyStatus"     // Keyword
	SADepartment = "RectifyDepartment" // Keyword
	SADueAt      = "RectifyDueAt"      // Datetime
	SAOverdue    = "RectifyOverdue"    // Bool
	// SATicket is the ticket number, set once when the workflow starts (engine.Start),
	// so that Temporal's UI finds a ticket's workflow by the number people quote.
	SATicket = "RectifyTicket" // Keyword
)

// Policy holds the configurable rules a ticket is run by. It travels in the
// workflow input, so a configuration change applies to tickets opened after it.
type Policy struct {
	SignDays           int // 签收 within (working days)
	RectifyDays        int // 整改 within
	SurveyDays         int // an unanswered SMS survey becomes a call task after
	MaxRounds          int // unsatisfied rounds before a supervisor decides
	MaxCallAttempts    int // failed calls before closing as unreachable
	ExtensionsPerRound int
	MaxExtensionDays   int
	Ticketing          string // TicketingExternal: push dispatches to the 12345 platform (platform.go)
}

// DefaultPolicy is DOMAIN.md's defaults.
var DefaultPolicy = Policy{SignDays: 1, RectifyDays: 5, SurveyDays: 2, MaxRounds: 3,
	MaxCallAttempts: 3, ExtensionsPerRound: 1, MaxExtensionDays: 15}

// Input starts a workflow. State is set only when continuing as new.
type Input struct {
	Number         string
	RatingID       string
	DepartmentCode string // the department it is dispatched to; empty: pending_dispatch
	CitizenReach   bool   // real-name with a phone: follow up by SMS survey, then calls
	CreatedAt      time.Time
	Policy         Policy
	State          *State
	// Opening (RectificationV2, a dispatched ticket) is the sign stage computed by
	// the starter, whose deadline is then among the start's search attributes; nil:
	// the workflow computes it in its first write.
	Opening *Opening `json:",omitempty"`
}

// Opening is a stage computed before the workflow starts.
type Opening struct {
	From  time.Time
	Days  int
	Times activities.StageTimes
}

// State is the workflow's ticket: the stored snapshot plus what only the workflow
// needs. It is carried over on continue-as-new.
type State struct {
	Ticket              domain.Ticket
	CitizenReach        bool
	Remind              *time.Time // nil: no reminder pending
	Escalate2           *time.Time
	StageDays           int // working days the running stage allows, extensions included
	ExtensionsThisRound int
	Seq                 int // the last event's number
	Version             int // Ticket.Version, which its JSON form leaves out: carried here across continue-as-new
	Policy              Policy
}

// ActionRequest is the argument of every ticket Update.
type ActionRequest struct {
	Actor          domain.Actor `json:"actor"`
	DepartmentCode string       `json:"department_code,omitempty"` // dispatch
	Note           string       `json:"note,omitempty"`            // dispatch, urge; reason for return, appeal, close; report for resolve
	WorkingDays    int          `json:"working_days,omitempty"`    // request_extension
	Approve        bool         `json:"approve,omitempty"`         // decide_extension, decide_appeal (uphold)
	Reached        bool         `json:"reached,omitempty"`         // log_call
	Level          domain.Level `json:"level,omitempty"`           // log_call, answer_survey
	Round          int          `json:"round,omitempty"`           // answer_survey: the round the token belongs to
	TokenHash      []byte       `json:"token_hash,omitempty"`      // answer_survey
}

// SearchAttributes are registered with the namespace by `rectify migrate`, `rectify
// dev` and tests; `rectify worker` refuses to poll until they are.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	SATicket:     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SAStatus:     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SADepartment: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SADueAt:      enumspb.INDEXED_VALUE_TYPE_DATETIME,
	SAOverdue:    enumspb.INDEXED_VALUE_TYPE_BOOL,
}
