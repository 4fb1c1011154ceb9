package workflows

import (
	"testing"
	"time"

	"rectify/domain"
)

// A ticket brought to a state by a few actions, one hour apart.
type setup struct {
	opts  []func(*Input)
	steps []namedReq
}

type namedReq struct {
	name string
	req  ActionRequest
}

func named(name string, req ActionRequest) namedReq { return namedReq{name, req} }

var (
	d1, d2 = dept("D1"), dept("D2")

	pendingDispatch    = setup{opts: []func(*Input){undispatched}}
	awaitingSign       = setup{}
	rectifying         = setup{steps: []namedReq{named(ActionSign, by(d1))}}
	followingUp        = setup{steps: []namedReq{named(ActionSign, by(d1)), named(ActionResolve, withNote(d1, "done"))}}
	awaitingSupervisor = setup{opts: []func(*Input){withPolicy(func(p *Policy) { p.MaxRounds = 1 })},
		steps: []namedReq{named(ActionSign, by(d1)), named(ActionResolve, withNote(d1, "done")),
			named(ActionLogCall, call(true, domain.Dissatisfied))}}
	extensionPending = setup{steps: []namedReq{named(ActionSign, by(d1)), named(ActionRequestExtension, extension(d1, 2))}}
	appealPending    = setup{steps: []namedReq{named(ActionAppeal, withNote(d1, "mistaken"))}}
)

// TestWrongActions sends every action a state does not allow, and every action with
// a missing or wrong field: each is rejected by the validator with its code and
// writes nothing.
func TestWrongActions(t *testing.T) {
	blank := func(a domain.Actor) ActionRequest { return withNote(a, "  ") }
	tests := []struct {
		name   string
		setup  setup
		action string
		req    ActionRequest
		code   string
	}{
		// pending_dispatch: only dispatch, urge and close.
		{"pending: sign by a department", pendingDispatch, ActionSign, by(d1), CodeNotFound},
		{"pending: return by a department", pendingDispatch, ActionReturn, withNote(d1, "no"), CodeNotFound},
		{"pending: sign by a supervisor", pendingDispatch, ActionSign, by(sup), CodeInvalidTransition},
		{"pending: return", pendingDispatch, ActionReturn, withNote(sup, "no"), CodeInvalidTransition},
		{"pending: request_extension", pendingDispatch, ActionRequestExtension, extension(sup, 2), CodeInvalidTransition},
		{"pending: appeal", pendingDispatch, ActionAppeal, withNote(sup, "no"), CodeInvalidTransition},
		{"pending: resolve", pendingDispatch, ActionResolve, withNote(sup, "done"), CodeInvalidTransition},
		{"pending: log_call", pendingDispatch, ActionLogCall, call(true, domain.Satisfied), CodeInvalidTransition},
		{"pending: decide_extension", pendingDispatch, ActionDecideExtension, decide(true), CodeInvalidTransition},
		{"pending: decide_appeal", pendingDispatch, ActionDecideAppeal, decide(true), CodeInvalidTransition},
		{"pending: answer_survey", pendingDispatch, ActionAnswerSurvey, survey(1, domain.Satisfied), CodeGone},
		{"pending: dispatch without department", pendingDispatch, ActionDispatch, withNote(sup, "x"), CodeInvalid},
		{"pending: urge without note", pendingDispatch, ActionUrge, by(sup), CodeInvalid},
		{"pending: close without reason", pendingDispatch, ActionClose, blank(sup), CodeInvalid},

		// awaiting_sign
		{"awaiting_sign: dispatch", awaitingSign, ActionDispatch, dispatchTo("D2"), CodeInvalidTransition},
		{"awaiting_sign: resolve", awaitingSign, ActionResolve, withNote(d1, "done"), CodeInvalidTransition},
		{"awaiting_sign: request_extension", awaitingSign, ActionRequestExtension, extension(d1, 2), CodeInvalidTransition},
		{"awaiting_sign: log_call", awaitingSign, ActionLogCall, call(false, ""), CodeInvalidTransition},
		{"awaiting_sign: decide_extension", awaitingSign, ActionDecideExtension, decide(true), CodeInvalidTransition},
		{"awaiting_sign: decide_appeal", awaitingSign, ActionDecideAppeal, decide(false), CodeInvalidTransition},
		{"awaiting_sign: answer_survey", awaitingSign, ActionAnswerSurvey, survey(1, domain.Satisfied), CodeGone},
		{"awaiting_sign: sign by another department", awaitingSign, ActionSign, by(d2), CodeNotFound},
		{"awaiting_sign: return by another department", awaitingSign, ActionReturn, withNote(d2, "no"), CodeNotFound},
		{"awaiting_sign: appeal by another department", awaitingSign, ActionAppeal, withNote(d2, "no"), CodeNotFound},
		{"awaiting_sign: resolve by another department", awaitingSign, ActionResolve, withNote(d2, "done"), CodeNotFound},
		{"awaiting_sign: return without reason", awaitingSign, ActionReturn, blank(d1), CodeInvalid},
		{"awaiting_sign: appeal without reason", awaitingSign, ActionAppeal, by(d1), CodeInvalid},
		{"awaiting_sign: urge without note", awaitingSign, ActionUrge, blank(sup), CodeInvalid},

		// rectifying
		{"rectifying: sign", rectifying, ActionSign, by(d1), CodeInvalidTransition},
		{"rectifying: dispatch", rectifying, ActionDispatch, dispatchTo("D1"), CodeInvalidTransition},
		{"rectifying: log_call", rectifying, ActionLogCall, call(true, domain.Satisfied), CodeInvalidTransition},
		{"rectifying: answer_survey", rectifying, ActionAnswerSurvey, survey(1, domain.Satisfied), CodeGone},
		{"rectifying: decide_extension", rectifying, ActionDecideExtension, decide(true), CodeInvalidTransition},
		{"rectifying: decide_appeal", rectifying, ActionDecideAppeal, decide(true), CodeInvalidTransition},
		{"rectifying: sign by another department", rectifying, ActionSign, by(d2), CodeNotFound},
		{"rectifying: return by another department", rectifying, ActionReturn, withNote(d2, "no"), CodeNotFound},
		{"rectifying: resolve by another department", rectifying, ActionResolve, withNote(d2, "done"), CodeNotFound},
		{"rectifying: appeal by another department", rectifying, ActionAppeal, withNote(d2, "no"), CodeNotFound},
		{"rectifying: request_extension by another department", rectifying, ActionRequestExtension, extension(d2, 2), CodeNotFound},
		{"rectifying: resolve without report", rectifying, ActionResolve, blank(d1), CodeInvalid},
		{"rectifying: request_extension without reason", rectifying, ActionRequestExtension, ActionRequest{Actor: d1, WorkingDays: 2}, CodeInvalid},
		{"rectifying: request_extension of 0 days", rectifying, ActionRequestExtension, extension(d1, 0), CodeInvalid},
		{"rectifying: request_extension of 16 days", rectifying, ActionRequestExtension, extension(d1, 16), CodeInvalid},

		// following_up
		{"following_up: sign", followingUp, ActionSign, by(d1), CodeInvalidTransition},
		{"following_up: return", followingUp, ActionReturn, withNote(d1, "no"), CodeInvalidTransition},
		{"following_up: resolve", followingUp, ActionResolve, withNote(d1, "again"), CodeInvalidTransition},
		{"following_up: appeal", followingUp, ActionAppeal, withNote(d1, "no"), CodeInvalidTransition},
		{"following_up: request_extension", followingUp, ActionRequestExtension, extension(d1, 2), CodeInvalidTransition},
		{"following_up: dispatch", followingUp, ActionDispatch, dispatchTo("D2"), CodeInvalidTransition},
		{"following_up: resolve by another department", followingUp, ActionResolve, withNote(d2, "again"), CodeNotFound},
		{"following_up: log_call reached without level", followingUp, ActionLogCall, call(true, ""), CodeInvalid},
		{"following_up: log_call with an unknown level", followingUp, ActionLogCall, call(true, "fine"), CodeInvalid},
		{"following_up: answer_survey of another round", followingUp, ActionAnswerSurvey, survey(2, domain.Satisfied), CodeGone},
		{"following_up: answer_survey without level", followingUp, ActionAnswerSurvey, survey(1, ""), CodeInvalid},

		// awaiting_supervisor: dispatch, urge and close only.
		{"awaiting_supervisor: sign", awaitingSupervisor, ActionSign, by(d1), CodeInvalidTransition},
		{"awaiting_supervisor: resolve", awaitingSupervisor, ActionResolve, withNote(d1, "done"), CodeInvalidTransition},
		{"awaiting_supervisor: return", awaitingSupervisor, ActionReturn, withNote(d1, "no"), CodeInvalidTransition},
		{"awaiting_supervisor: log_call", awaitingSupervisor, ActionLogCall, call(true, domain.Satisfied), CodeInvalidTransition},
		{"awaiting_supervisor: answer_survey", awaitingSupervisor, ActionAnswerSurvey, survey(1, domain.Satisfied), CodeGone},
		{"awaiting_supervisor: dispatch without department", awaitingSupervisor, ActionDispatch, by(sup), CodeInvalid},

		// a pending request blocks another one and the other kind of decision.
		{"extension pending: request again", extensionPending, ActionRequestExtension, extension(d1, 1), CodeInvalidTransition},
		{"extension pending: appeal", extensionPending, ActionAppeal, withNote(d1, "no"), CodeInvalidTransition},
		{"extension pending: decide_appeal", extensionPending, ActionDecideAppeal, decide(true), CodeInvalidTransition},
		{"appeal pending: appeal again", appealPending, ActionAppeal, withNote(d1, "again"), CodeInvalidTransition},
		{"appeal pending: decide_extension", appealPending, ActionDecideExtension, decide(true), CodeInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.setup.opts...)
			for i, s := range tt.setup.steps {
				h.ok(time.Duration(i+1)*h1, s.name, s.req)
			}
			wrong := h.reject(10*h1, tt.action, tt.req, tt.code)
			h.ok(11*h1, ActionClose, withNote(sup, "end"))
			h.run()
			h.completed()
			// Only the setup and the close wrote.
			if got, want := len(h.writes), wrong.writesAtSend+1; got != want || h.write(-1).at != 11*h1 {
				t.Errorf("writes %v, want the setup's %d and the close", h.timeline(), wrong.writesAtSend)
			}
		})
	}
}

// The checks that a running workflow cannot reach through an Update, because a
// closed ticket's workflow has ended: the validators still refuse.
func TestRulesOnClosedTicket(t *testing.T) {
	closed := &State{Ticket: domain.Ticket{Status: domain.StatusClosed, DepartmentCode: "D1", Round: 1,
		PendingRequest: &domain.Request{Type: domain.RequestExtension}}, Policy: DefaultPolicy}
	tests := []struct {
		action string
		req    ActionRequest
		code   string
	}{
		{ActionUrge, withNote(sup, "hurry"), CodeInvalidTransition},
		{ActionClose, withNote(sup, "end"), CodeInvalidTransition},
		{ActionDecideExtension, decide(true), CodeInvalidTransition},
		{ActionDispatch, dispatchTo("D1"), CodeInvalidTransition},
		{ActionSign, by(d1), CodeInvalidTransition},
		{ActionLogCall, call(true, domain.Satisfied), CodeInvalidTransition},
		{ActionAnswerSurvey, survey(1, domain.Satisfied), CodeGone},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			err := actions[tt.action].check(closed, tt.req)
			if got := errCode(err); err == nil || got != tt.code {
				t.Errorf("check = %v (%s), want %s", err, got, tt.code)
			}
		})
	}
	for _, name := range append(Actions, ActionAnswerSurvey) {
		if _, ok := actions[name]; !ok {
			t.Errorf("no rule for action %q", name)
		}
	}
}
