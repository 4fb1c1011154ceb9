package workflows

import (
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"rectify/activities"
	"rectify/domain"
)

// Error codes an action can be rejected with; the HTTP layer maps them.
const (
	CodeInvalidTransition = "invalid_transition" // 409
	CodeNotFound          = "not_found"          // 404: another department's ticket
	CodeInvalid           = "invalid_action"     // 422: a required field is missing or wrong
	CodeGone              = "survey_gone"        // 410: the survey no longer applies
)

// rule checks an action against the current state; it changes nothing.
type rule func(s *State, req ActionRequest) error

// apply changes the state for a valid action and says what happened.
type apply func(r *rectification, req ActionRequest) step

type action struct {
	check rule
	apply apply
}

// actions is the 12345 process, one entry per Update. Read with API.md's table.
var actions = map[string]action{
	ActionDispatch: {
		check: fromTable(ActionDispatch),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			if t.Status == domain.StatusAwaitingSupervisor {
				t.Round++ // a supervisor grants one more round
				r.s.ExtensionsThisRound = 0
			}
			t.Status, t.DepartmentCode, t.CallTask, t.CallAttempts = domain.StatusAwaitingSign, q.DepartmentCode, false, 0
			return step{event: "dispatched", note: q.Note, stageDays: r.s.Policy.SignDays,
				data: map[string]any{"department_code": q.DepartmentCode}, notices: []string{activities.NoticeDispatched}}
		},
	},
	ActionSign: {
		check: fromTable(ActionSign),
		apply: func(r *rectification, q ActionRequest) step {
			r.s.Ticket.Status = domain.StatusRectifying
			return step{event: "signed", stageDays: r.s.Policy.RectifyDays}
		},
	},
	ActionReturn: {
		check: fromTable(ActionReturn),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			from := t.DepartmentCode
			t.Status, t.DepartmentCode, t.PendingRequest = domain.StatusPendingDispatch, "", nil
			return step{event: "returned", note: q.Note, noStage: true,
				data: map[string]any{"department_code": from}, notices: []string{activities.NoticeReturned}}
		},
	},
	ActionRequestExtension: {
		check: fromTable(ActionRequestExtension,
			func(s *State, q ActionRequest) error {
				if q.WorkingDays < 1 || q.WorkingDays > s.Policy.MaxExtensionDays {
					return rejection(CodeInvalid, "working_days: must be between 1 and %d", s.Policy.MaxExtensionDays)
				}
				if s.ExtensionsThisRound >= s.Policy.ExtensionsPerRound {
					return rejection(CodeInvalidTransition, "this round already had %d extension(s)", s.ExtensionsThisRound)
				}
				return nil
			}),
		apply: func(r *rectification, q ActionRequest) step {
			r.s.Ticket.PendingRequest = r.request(domain.RequestExtension, q)
			return step{event: "extension_requested", note: q.Note, data: map[string]any{"working_days": q.WorkingDays}}
		},
	},
	ActionDecideExtension: {
		check: fromTable(ActionDecideExtension),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			days := t.PendingRequest.WorkingDays
			t.PendingRequest = nil
			if !q.Approve {
				return step{event: "extension_rejected", note: q.Note}
			}
			r.s.ExtensionsThisRound++
			return step{event: "extension_approved", note: q.Note, extendBy: days,
				data: map[string]any{"working_days": days}, notices: []string{activities.NoticeExtension}}
		},
	},
	ActionAppeal: {
		check: fromTable(ActionAppeal),
		apply: func(r *rectification, q ActionRequest) step {
			// The clock keeps running while a supervisor reviews the appeal.
			r.s.Ticket.PendingRequest = r.request(domain.RequestAppeal, q)
			return step{event: "appealed", note: q.Note}
		},
	},
	ActionDecideAppeal: {
		check: fromTable(ActionDecideAppeal),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			t.PendingRequest = nil
			if !q.Approve {
				return step{event: "appeal_rejected", note: q.Note}
			}
			t.Status, t.Resolution = domain.StatusClosed, domain.ResolutionAppealUpheld
			return step{event: "appeal_upheld", note: q.Note, exclude: true}
		},
	},
	ActionResolve: {
		check: fromTable(ActionResolve),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			t.Report = q.Note
			if t.PendingRequest != nil && t.PendingRequest.Type == domain.RequestExtension {
				t.PendingRequest = nil // the work is done: the extension is moot
			}
			if !r.s.CitizenReach {
				t.Status, t.Resolution = domain.StatusClosed, domain.ResolutionNoFollowup
				return step{event: "resolved", note: q.Note}
			}
			t.Status, t.CallTask, t.CallAttempts = domain.StatusFollowingUp, false, 0
			return step{event: "resolved", note: q.Note, stageDays: r.s.Policy.SurveyDays, sendSurvey: true}
		},
	},
	ActionLogCall: {
		check: fromTable(ActionLogCall, func(s *State, q ActionRequest) error {
			if q.Reached && !q.Level.Valid() {
				return rejection(CodeInvalid, "level: required when reached, one of %s", levelList())
			}
			return nil
		}),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			if q.Reached {
				return r.followUpAnswer("call_logged", q, nil)
			}
			t.CallAttempts++
			st := step{event: "call_logged", note: q.Note, data: map[string]any{"reached": false, "attempt": t.CallAttempts}}
			if t.CallAttempts >= r.s.Policy.MaxCallAttempts {
				t.Status, t.Resolution = domain.StatusClosed, domain.ResolutionUnreachable
			}
			return st
		},
	},
	ActionAnswerSurvey: {
		check: func(s *State, q ActionRequest) error {
			if s.Ticket.Status != domain.StatusFollowingUp || q.Round != s.Ticket.Round {
				return rejection(CodeGone, "this survey is closed")
			}
			if !q.Level.Valid() {
				return rejection(CodeInvalid, "level: must be one of %s", levelList())
			}
			return nil
		},
		apply: func(r *rectification, q ActionRequest) step {
			return r.followUpAnswer("survey_answered", q, q.TokenHash)
		},
	},
	ActionUrge: {
		check: fromTable(ActionUrge),
		apply: func(r *rectification, q ActionRequest) step {
			return step{event: "urged", note: q.Note, notices: []string{activities.NoticeUrged}}
		},
	},
	ActionClose: {
		check: fromTable(ActionClose),
		apply: func(r *rectification, q ActionRequest) step {
			t := &r.s.Ticket
			t.Status, t.Resolution = domain.StatusClosed, domain.ResolutionClosedBySupervisor
			return step{event: "closed", note: q.Note}
		},
	},
}

// followUpAnswer records the citizen's verdict: satisfied closes the ticket, anything
// else sends it back to the same department for another round, or to a supervisor
// once the rounds are used up.
func (r *rectification) followUpAnswer(event string, q ActionRequest, tokenHash []byte) step {
	t := &r.s.Ticket
	st := step{event: event, note: q.Note, surveyUsed: tokenHash,
		data: map[string]any{"reached": true, "level": string(q.Level)}}
	switch {
	case !q.Level.Negative():
		t.Status, t.Resolution = domain.StatusClosed, domain.ResolutionSatisfied
	case t.Round >= r.s.Policy.MaxRounds:
		t.Status = domain.StatusAwaitingSupervisor
		st.noStage, st.notices = true, []string{activities.NoticeSupervisor}
		st.data["reopened"] = false
	default:
		t.Round++
		r.s.ExtensionsThisRound = 0
		t.Status, t.CallTask, t.CallAttempts = domain.StatusAwaitingSign, false, 0
		st.stageDays, st.notices = r.s.Policy.SignDays, []string{activities.NoticeDispatched}
		st.data["reopened"] = true
	}
	return st
}

func (r *rectification) request(kind string, q ActionRequest) *domain.Request {
	return &domain.Request{Type: kind, WorkingDays: q.WorkingDays, Reason: q.Note, RequestedBy: q.Actor.Username}
}

// registerHandlers installs one Update per action. The validator rejects a wrong
// action before anything reaches history; the handler checks again under the
// mutex, because an earlier Update may have changed the state meanwhile.
func (r *rectification) registerHandlers(ctx workflow.Context) error {
	for name, a := range actions {
		a := a
		handler := func(ctx workflow.Context, q ActionRequest) error {
			if err := workflow.Await(ctx, func() bool { return r.opened }); err != nil {
				return err
			}
			return r.transition(ctx, q.Actor, func() (step, error) {
				if err := a.check(&r.s, q); err != nil {
					return step{}, err
				}
				st := a.apply(r, q)
				return st, nil
			})
		}
		validator := func(ctx workflow.Context, q ActionRequest) error { return a.check(&r.s, q) }
		if err := workflow.SetUpdateHandlerWithOptions(ctx, name, handler,
			workflow.UpdateHandlerOptions{Validator: validator}); err != nil {
			return err
		}
	}
	return workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return r.s, nil })
}

// fromTable is the check of a staff action as domain.ActionRules states it, in
// this order: a department's own ticket (404 for another's, before anything
// about its state is said), the status and the pending request (409), the
// required text fields (422); then extra, the action's own rules on the state.
func fromTable(name string, extra ...rule) rule {
	t, ok := domain.RuleOf(name)
	if !ok {
		panic("workflows: no rule for action " + name)
	}
	var rs []rule
	if t.OwnDepartment {
		rs = append(rs, ownDepartment)
	}
	switch {
	case t.Pending == domain.PendingExtension:
		rs = append(rs, pending(domain.RequestExtension)) // implies open
	case t.Pending == domain.PendingAppeal:
		rs = append(rs, pending(domain.RequestAppeal))
	case slices.Equal(t.From, domain.OpenStatuses):
		rs = append(rs, open)
	default:
		rs = append(rs, statusIn(t.From...))
	}
	if t.Pending == domain.PendingNone {
		rs = append(rs, noPendingRequest)
	}
	for _, f := range t.Fields {
		if f.Required && f.Type == domain.FieldText {
			rs = append(rs, required(f.Name, textOf(f.Name)))
		}
	}
	return all(append(rs, extra...)...)
}

// textOf is where ActionRequest carries a text field of the action bodies.
func textOf(field string) func(ActionRequest) string {
	if field == "department_code" {
		return func(q ActionRequest) string { return q.DepartmentCode }
	}
	return note // note, reason, report and comment all travel as Note
}

func all(rules ...rule) rule {
	return func(s *State, q ActionRequest) error {
		for _, r := range rules {
			if err := r(s, q); err != nil {
				return err
			}
		}
		return nil
	}
}

func statusIn(allowed ...domain.Status) rule {
	return func(s *State, q ActionRequest) error {
		for _, a := range allowed {
			if s.Ticket.Status == a {
				return nil
			}
		}
		return rejection(CodeInvalidTransition, "not allowed while the ticket is %s", s.Ticket.Status)
	}
}

func open(s *State, q ActionRequest) error {
	if !s.Ticket.Open() {
		return rejection(CodeInvalidTransition, "the ticket is closed")
	}
	return nil
}

// ownDepartment: a department may act only on tickets dispatched to it; to anyone
// else such a ticket does not exist. It comes before any status check, so another
// department learns nothing of the ticket's state (404, never 409).
func ownDepartment(s *State, q ActionRequest) error {
	if q.Actor.Role == domain.RoleDepartment && q.Actor.DepartmentCode != s.Ticket.DepartmentCode {
		return rejection(CodeNotFound, "ticket not found")
	}
	return nil
}

func noPendingRequest(s *State, q ActionRequest) error {
	if p := s.Ticket.PendingRequest; p != nil {
		return rejection(CodeInvalidTransition, "a %s request is already pending", p.Type)
	}
	return nil
}

func pending(kind string) rule {
	return func(s *State, q ActionRequest) error {
		if p := s.Ticket.PendingRequest; p == nil || p.Type != kind || !s.Ticket.Open() {
			return rejection(CodeInvalidTransition, "no pending %s request", kind)
		}
		return nil
	}
}

func note(q ActionRequest) string { return q.Note }

func required(field string, get func(ActionRequest) string) rule {
	return func(s *State, q ActionRequest) error {
		if strings.TrimSpace(get(q)) == "" {
			return rejection(CodeInvalid, "%s: required", field)
		}
		return nil
	}
}

func levelList() string {
	ls := make([]string, len(domain.Levels))
	for i, l := range domain.Levels {
		ls[i] = string(l)
	}
	return strings.Join(ls, ", ")
}
