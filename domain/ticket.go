package domain

import (
	"encoding/json"
	"slices"
	"time"
)

// Status is where a ticket stands in the rectification process.
type Status string

const (
	StatusPendingDispatch    Status = "pending_dispatch"    // no department yet, or returned
	StatusAwaitingSign       Status = "awaiting_sign"       // dispatched, not signed (签收)
	StatusRectifying         Status = "rectifying"          // signed, being fixed (整改)
	StatusFollowingUp        Status = "following_up"        // report in, citizen being asked (回访)
	StatusAwaitingSupervisor Status = "awaiting_supervisor" // too many rounds: a supervisor decides
	StatusClosed             Status = "closed"
)

var Statuses = []Status{StatusPendingDispatch, StatusAwaitingSign, StatusRectifying, StatusFollowingUp, StatusAwaitingSupervisor, StatusClosed}

func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Resolution says how a closed ticket ended.
type Resolution string

const (
	ResolutionSatisfied          Resolution = "satisfied"
	ResolutionUnreachable        Resolution = "unreachable"
	ResolutionNoFollowup         Resolution = "no_followup" // anonymous, or no phone
	ResolutionAppealUpheld       Resolution = "appeal_upheld"
	ResolutionClosedBySupervisor Resolution = "closed_by_supervisor"
)

// MarshalJSON writes an open ticket's empty resolution as null.
func (r Resolution) MarshalJSON() ([]byte, error) {
	if r == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(r))
}

// Request is a department's pending request to a supervisor.
type Request struct {
	Type        string    `json:"type"` // "extension" | "appeal"
	WorkingDays int       `json:"working_days,omitempty"`
	Reason      string    `json:"reason"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

const (
	RequestExtension = "extension"
	RequestAppeal    = "appeal"
)

// Ticket is the 12345 work order for one negative rating, as stored and served.
type Ticket struct {
	Number          string     `json:"number"`
	RatingID        string     `json:"rating_id"`
	Status          Status     `json:"status"`
	Resolution      Resolution `json:"resolution"`
	DepartmentCode  string     `json:"department_code"`
	Round           int        `json:"round"`
	StageStartedAt  *time.Time `json:"stage_started_at"`
	DueAt           *time.Time `json:"due_at"`
	Overdue         bool       `json:"overdue"`
	EscalationLevel int        `json:"escalation_level"`
	PendingRequest  *Request   `json:"pending_request"`
	CallAttempts    int        `json:"call_attempts"`
	CallTask        bool       `json:"call_task"` // the SMS survey went unanswered: call the citizen
	Report          string     `json:"report,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	ClosedAt        *time.Time `json:"closed_at"`
	Version         int        `json:"-"`
	Events          []Event    `json:"events"` // null in lists
}

// Open reports whether the ticket still needs work.
func (t Ticket) Open() bool { return t.Status != StatusClosed }

// Event is one row of a ticket's audit trail: who did what, when.
type Event struct {
	Seq            int            `json:"seq"`
	Type           string         `json:"type"`
	Actor          string         `json:"actor"`
	ActorRole      string         `json:"actor_role,omitempty"`
	At             time.Time      `json:"at"`
	Note           string         `json:"note,omitempty"`
	DepartmentCode string         `json:"department_code,omitempty"` // the department the event concerns, for statistics
	Round          int            `json:"round"`
	Data           map[string]any `json:"data,omitempty"`
}

// Actor is who performs an action: a signed-in user, a channel, or the system.
type Actor struct {
	Username       string `json:"username"`
	Role           Role   `json:"role"`
	DepartmentCode string `json:"department_code,omitempty"`
}

// SystemActor performs timer-driven transitions.
var SystemActor = Actor{Username: "system", Role: "system"}
