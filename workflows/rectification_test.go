package workflows

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"rectify/activities"
	"rectify/domain"
)

const h1 = time.Hour

// Input options.
func undispatched(in *Input) { in.DepartmentCode = "" }
func anonymous(in *Input)    { in.CitizenReach = false }
func withPolicy(f func(*Policy)) func(*Input) {
	return func(in *Input) { f(&in.Policy) }
}

// wantTicket checks the fields of a written ticket that a test cares about.
type wantTicket struct {
	status     domain.Status
	resolution domain.Resolution
	dept       string
	round      int
	due        time.Duration // -1: no due
	overdue    bool
	escalation int
}

func (h *harness) wantTicket(w write, want wantTicket) {
	h.t.Helper()
	t := w.Ticket
	got := wantTicket{t.Status, t.Resolution, t.DepartmentCode, t.Round, w.due(), t.Overdue, t.EscalationLevel}
	if got != want {
		h.t.Errorf("%s at %v: ticket\n got %+v\nwant %+v", w.Event.Type, w.at, got, want)
	}
}

func wantNotices(t *testing.T, w write, want ...string) {
	t.Helper()
	if fmt.Sprint(w.Notices) != fmt.Sprint(want) {
		t.Errorf("%s at %v: notices %v, want %v", w.Event.Type, w.at, w.Notices, want)
	}
}

func wantData(t *testing.T, w write, key string, want any) {
	t.Helper()
	if got, ok := w.Event.Data[key]; !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s at %v: data[%q] = %v (present %v), want %v", w.Event.Type, w.at, key, got, ok, want)
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name       string
		opts       []func(*Input)
		wantEvent  string
		want       wantTicket
		wantNotice []string
		wantStages []activities.StageInput
		timeline   []ev
	}{
		{"dispatched", nil, "dispatched",
			wantTicket{status: domain.StatusAwaitingSign, dept: "D1", round: 1, due: day},
			[]string{activities.NoticeDispatched}, []activities.StageInput{{From: t0, Days: 1}},
			[]ev{{0, "dispatched"}, {day, "overdue"}, {3 * day, "escalated"}, {30 * day, "closed"}}},
		{"unknown department", []func(*Input){undispatched}, "opened",
			wantTicket{status: domain.StatusPendingDispatch, round: 1, due: -1},
			nil, nil,
			[]ev{{0, "opened"}, {30 * day, "closed"}}}, // no deadline while nobody has it
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts...)
			h.ok(30*day, ActionClose, withNote(sup, "done"))
			h.run()
			h.completed()
			first := h.write(0)
			if first.Event.Type != tt.wantEvent || first.Event.Actor != "system" || first.Ticket.Version != 1 || first.Event.Seq != 1 {
				t.Errorf("first write: %s by %s v%d seq %d, want %s by system v1 seq 1",
					first.Event.Type, first.Event.Actor, first.Ticket.Version, first.Event.Seq, tt.wantEvent)
			}
			if first.Event.DepartmentCode != tt.want.dept {
				t.Errorf("event department %q, want %q", first.Event.DepartmentCode, tt.want.dept)
			}
			h.wantTicket(first, tt.want)
			wantNotices(t, first, tt.wantNotice...)
			if tt.wantStages == nil && len(h.stages) != 0 {
				t.Errorf("StageTimes calls %v, want none", h.stages)
			}
			for i, want := range tt.wantStages {
				if got := h.stages[i]; !got.From.Equal(want.From) || got.Days != want.Days {
					t.Errorf("StageTimes call %d: %+v, want %+v", i, got, want)
				}
			}
			h.wantTimeline(tt.timeline...)
		})
	}
}

func TestHappyPath(t *testing.T) {
	h := newHarness(t)
	sign := h.act(1*h1, ActionSign, by(dept("D1")))
	resolve := h.act(2*h1, ActionResolve, withNote(dept("D1"), "window staff retrained"))
	callOK := h.act(3*h1, ActionLogCall, call(true, domain.Satisfied))
	h.run()
	sign.ok(t)
	resolve.ok(t)
	callOK.ok(t)
	h.completed()
	h.wantTimeline(ev{0, "dispatched"}, ev{1 * h1, "signed"}, ev{2 * h1, "resolved"}, ev{3 * h1, "call_logged"})

	signed := h.find("signed", 0)
	h.wantTicket(signed, wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: 1*h1 + 5*day})
	if signed.Event.Actor != "u-D1" || signed.Event.ActorRole != "department" {
		t.Errorf("signed by %s/%s", signed.Event.Actor, signed.Event.ActorRole)
	}
	resolved := h.find("resolved", 0)
	h.wantTicket(resolved, wantTicket{status: domain.StatusFollowingUp, dept: "D1", round: 1, due: 2*h1 + 2*day})
	if !resolved.SendSurvey || resolved.Ticket.Report != "window staff retrained" {
		t.Errorf("resolved: SendSurvey %v report %q", resolved.SendSurvey, resolved.Ticket.Report)
	}
	closed := h.write(-1)
	h.wantTicket(closed, wantTicket{status: domain.StatusClosed, resolution: domain.ResolutionSatisfied, dept: "D1", round: 1, due: -1})
	wantData(t, closed, "reached", true)
	wantData(t, closed, "level", domain.Satisfied)
	if !eqTime(closed.Ticket.ClosedAt, ptrTime(3*h1)) || closed.SendSurvey || closed.SurveyUsed != nil {
		t.Errorf("closed: ClosedAt %s SendSurvey %v SurveyUsed %x", fmtTime(closed.Ticket.ClosedAt), closed.SendSurvey, closed.SurveyUsed)
	}
}

func TestReopenLoop(t *testing.T) {
	h := newHarness(t) // MaxRounds 3
	at := time.Duration(0)
	next := func() time.Duration { at += h1; return at }
	var calls []*outcome
	for round := 1; round <= 3; round++ {
		h.ok(next(), ActionSign, by(dept("D1")))
		h.ok(next(), ActionResolve, withNote(dept("D1"), "done"))
		calls = append(calls, h.act(next(), ActionLogCall, call(true, domain.Dissatisfied)))
	}
	supervisorAt := at
	urge := h.act(supervisorAt+2*day, ActionUrge, withNote(sup, "decide"))
	signTooEarly := h.act(supervisorAt+2*day+h1, ActionSign, by(dept("D1")))
	redispatch := h.act(supervisorAt+10*day, ActionDispatch, dispatchTo("D1"))
	closeIt := h.act(supervisorAt+10*day+h1, ActionClose, withNote(sup, "enough"))
	h.run()
	for _, c := range calls {
		c.ok(t)
	}
	urge.ok(t)
	signTooEarly.rejected(t, CodeInvalidTransition)
	redispatch.ok(t)
	closeIt.ok(t)
	h.completed()

	for i, wantRound := range []int{2, 3} {
		w := h.find("call_logged", i)
		h.wantTicket(w, wantTicket{status: domain.StatusAwaitingSign, dept: "D1", round: wantRound, due: w.at + day})
		wantData(t, w, "reopened", true)
		wantNotices(t, w, activities.NoticeDispatched)
		if w.Event.Round != wantRound-1 {
			t.Errorf("reopening event round %d, want %d: the round that was followed up", w.Event.Round, wantRound-1)
		}
	}
	last := h.find("call_logged", 2)
	h.wantTicket(last, wantTicket{status: domain.StatusAwaitingSupervisor, dept: "D1", round: 3, due: -1})
	wantData(t, last, "reopened", false)
	wantNotices(t, last, activities.NoticeSupervisor)

	// Nothing fires while a supervisor decides; the supervisor's dispatch opens round 4.
	tail := h.timeline()[len(h.timeline())-4:]
	if want := []ev{{supervisorAt, "call_logged"}, {supervisorAt + 2*day, "urged"},
		{supervisorAt + 10*day, "dispatched"}, {supervisorAt + 10*day + h1, "closed"}}; fmt.Sprint(tail) != fmt.Sprint(want) {
		t.Errorf("after the last round:\n got %v\nwant %v", tail, want)
	}
	d := h.find("dispatched", 1)
	h.wantTicket(d, wantTicket{status: domain.StatusAwaitingSign, dept: "D1", round: 4, due: d.at + day})
	wantData(t, d, "department_code", "D1")
	h.wantTicket(h.write(-1), wantTicket{status: domain.StatusClosed, resolution: domain.ResolutionClosedBySupervisor,
		dept: "D1", round: 4, due: -1})
}

func TestAnswerSurvey(t *testing.T) {
	// The survey answer has the same effects as a call that reached the citizen.
	for _, level := range []domain.Level{domain.VerySatisfied, domain.BasicallySatisfied, domain.Dissatisfied} {
		t.Run(string(level), func(t *testing.T) {
			run := func(name string, req ActionRequest) *harness {
				h := newHarness(t)
				h.ok(1*h1, ActionSign, by(dept("D1")))
				h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
				h.ok(3*h1, name, req)
				if level.Negative() {
					h.ok(4*h1, ActionClose, withNote(sup, "end"))
				}
				h.run()
				h.completed()
				return h
			}
			byCall := run(ActionLogCall, call(true, level)).find("call_logged", 0)
			bySurvey := run(ActionAnswerSurvey, survey(1, level)).find("survey_answered", 0)
			if !bytes.Equal(bySurvey.SurveyUsed, []byte("hash-of-round-1")) || byCall.SurveyUsed != nil {
				t.Errorf("SurveyUsed: survey %q, call %q", bySurvey.SurveyUsed, byCall.SurveyUsed)
			}
			a, b := byCall.Ticket, bySurvey.Ticket
			a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
			if fmt.Sprintf("%+v %v %v %v", a, fmtTime(a.DueAt), fmtTime(a.ClosedAt), a.PendingRequest) !=
				fmt.Sprintf("%+v %v %v %v", b, fmtTime(b.DueAt), fmtTime(b.ClosedAt), b.PendingRequest) ||
				fmt.Sprint(byCall.Event.Data) != fmt.Sprint(bySurvey.Event.Data) ||
				fmt.Sprint(byCall.Notices) != fmt.Sprint(bySurvey.Notices) {
				t.Errorf("call and survey differ:\ncall   %+v %v %v\nsurvey %+v %v %v",
					a, byCall.Event.Data, byCall.Notices, b, bySurvey.Event.Data, bySurvey.Notices)
			}
		})
	}

	t.Run("wrong round", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(dept("D1")))
		early := h.act(90*time.Minute, ActionAnswerSurvey, survey(1, domain.Satisfied))
		h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
		future := h.act(3*h1, ActionAnswerSurvey, survey(2, domain.Satisfied))
		old := h.act(4*h1, ActionAnswerSurvey, survey(0, domain.Satisfied))
		badLevel := h.act(5*h1, ActionAnswerSurvey, survey(1, "meh"))
		h.ok(6*h1, ActionAnswerSurvey, survey(1, domain.Satisfied))
		h.run()
		h.completed()
		early.rejected(t, CodeGone)
		future.rejected(t, CodeGone)
		old.rejected(t, CodeGone)
		badLevel.rejected(t, CodeInvalid)
		h.wantEvents("dispatched", "signed", "resolved", "survey_answered")
	})

	t.Run("after a call answered first", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(dept("D1")))
		h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
		h.ok(3*h1, ActionLogCall, call(true, domain.VeryDissatisfied))
		late := h.act(4*h1, ActionAnswerSurvey, survey(1, domain.Satisfied))
		h.ok(5*h1, ActionClose, withNote(sup, "end"))
		h.run()
		late.rejected(t, CodeGone)
		h.wantEvents("dispatched", "signed", "resolved", "call_logged", "closed")
	})

	t.Run("twice in the same moment", func(t *testing.T) {
		// Two answers delivered together: the second is checked against the state the
		// first one left, so only one is taken.
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(dept("D1")))
		h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
		first := h.act(3*h1, ActionAnswerSurvey, survey(1, domain.Dissatisfied))
		second := h.act(3*h1, ActionAnswerSurvey, survey(1, domain.Satisfied))
		h.ok(4*h1, ActionClose, withNote(sup, "end"))
		h.run()
		first.ok(t)
		second.rejected(t, CodeGone)
		h.wantEvents("dispatched", "signed", "resolved", "survey_answered", "closed")
	})
}

func TestNoReach(t *testing.T) {
	h := newHarness(t, anonymous)
	h.ok(1*h1, ActionSign, by(dept("D1")))
	h.ok(2*h1, ActionResolve, withNote(dept("D1"), "explained the rules"))
	h.run()
	h.completed()
	h.wantEvents("dispatched", "signed", "resolved")
	w := h.write(-1)
	h.wantTicket(w, wantTicket{status: domain.StatusClosed, resolution: domain.ResolutionNoFollowup, dept: "D1", round: 1, due: -1})
	if w.SendSurvey {
		t.Error("an anonymous rating got a survey")
	}
}

func TestCalls(t *testing.T) {
	failed := call(false, "")
	tests := []struct {
		name  string
		calls []ActionRequest
		close bool
		want  wantTicket
	}{
		{"three failed calls", []ActionRequest{failed, failed, failed}, false,
			wantTicket{status: domain.StatusClosed, resolution: domain.ResolutionUnreachable, dept: "D1", round: 1, due: -1}},
		{"two failed then satisfied", []ActionRequest{failed, failed, call(true, domain.Satisfied)}, false,
			wantTicket{status: domain.StatusClosed, resolution: domain.ResolutionSatisfied, dept: "D1", round: 1, due: -1}},
		{"two failed then unsatisfied", []ActionRequest{failed, failed, call(true, domain.Dissatisfied)}, true,
			wantTicket{status: domain.StatusAwaitingSign, dept: "D1", round: 2, due: 5*h1 + day}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.ok(1*h1, ActionSign, by(dept("D1")))
			h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
			for i, c := range tt.calls {
				h.ok(time.Duration(3+i)*h1, ActionLogCall, c)
			}
			if tt.close {
				h.ok(10*h1, ActionClose, withNote(sup, "end"))
			}
			h.run()
			h.completed()
			for i := range 2 {
				w := h.find("call_logged", i)
				wantData(t, w, "reached", false)
				wantData(t, w, "attempt", i+1)
				if w.Ticket.CallAttempts != i+1 || w.Ticket.Status != domain.StatusFollowingUp {
					t.Errorf("failed call %d: attempts %d status %s", i+1, w.Ticket.CallAttempts, w.Ticket.Status)
				}
			}
			last := h.find("call_logged", 2)
			h.wantTicket(last, tt.want)
			if tt.want.status == domain.StatusAwaitingSign && last.Ticket.CallAttempts != 0 {
				t.Errorf("a new round starts with %d call attempts", last.Ticket.CallAttempts)
			}
		})
	}
}

func TestTimers(t *testing.T) {
	sign := func(at time.Duration) sched { return sched{at, ActionSign, by(dept("D1"))} }
	tests := []struct {
		name     string
		opts     []func(*Input)
		steps    []sched
		closeAt  time.Duration
		timeline []ev
		check    func(t *testing.T, h *harness)
	}{
		{name: "awaiting_sign", opts: []func(*Input){withPolicy(func(p *Policy) { p.SignDays = 2 })},
			closeAt:  10 * day,
			timeline: []ev{{0, "dispatched"}, {day, "reminded"}, {2 * day, "overdue"}, {4 * day, "escalated"}, {10 * day, "closed"}}},
		{name: "rectifying", steps: []sched{sign(h1)}, closeAt: 10 * day,
			timeline: []ev{{0, "dispatched"}, {h1, "signed"}, {h1 + 4*day, "reminded"}, {h1 + 5*day, "overdue"},
				{h1 + 7*day, "escalated"}, {10 * day, "closed"}}},
		{name: "signing resets overdue and escalation", steps: []sched{sign(80 * h1)}, closeAt: 80*h1 + 4*day + h1,
			timeline: []ev{{0, "dispatched"}, {day, "overdue"}, {3 * day, "escalated"}, {80 * h1, "signed"},
				{80*h1 + 4*day, "reminded"}, {80*h1 + 4*day + h1, "closed"}},
			check: func(t *testing.T, h *harness) {
				h.wantTicket(h.find("signed", 0), wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: 80*h1 + 5*day})
			}},
		{name: "signed at the very moment the due passes", steps: []sched{sign(day)}, closeAt: day + 4*day + h1,
			timeline: nil, // either order is right; see check
			check: func(t *testing.T, h *harness) {
				signed := h.find("signed", 0)
				h.wantTicket(signed, wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: day + 5*day})
				evs := h.events()
				if got := fmt.Sprint(evs[len(evs)-3:]); got != "[signed reminded closed]" {
					t.Errorf("events %v: after signing only the new stage's reminder may fire", evs)
				}
			}},
		{name: "survey expires into a call task",
			steps:   []sched{sign(h1), {2 * h1, ActionResolve, withNote(dept("D1"), "done")}, {4 * day, ActionLogCall, call(true, domain.Satisfied)}},
			closeAt: -1,
			// The survey stage has no reminder: nobody at the department can act on it.
			timeline: []ev{{0, "dispatched"}, {h1, "signed"}, {2 * h1, "resolved"}, {2*h1 + 2*day, "survey_expired"}, {4 * day, "call_logged"}},
			check: func(t *testing.T, h *harness) {
				w := h.find("survey_expired", 0)
				h.wantTicket(w, wantTicket{status: domain.StatusFollowingUp, dept: "D1", round: 1, due: -1})
				if !w.Ticket.CallTask || len(w.Notices) != 0 {
					t.Errorf("survey_expired: CallTask %v notices %v", w.Ticket.CallTask, w.Notices)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts...)
			for _, s := range tt.steps {
				h.ok(s.at, s.name, s.req)
			}
			if tt.closeAt >= 0 {
				h.ok(tt.closeAt, ActionClose, withNote(sup, "end"))
			}
			h.run()
			h.completed()
			if tt.timeline != nil {
				h.wantTimeline(tt.timeline...)
			}
			for _, w := range h.writes {
				var want []string
				switch w.Event.Type {
				case "reminded":
					want = []string{activities.NoticeReminder}
				case "overdue":
					want = []string{activities.NoticeOverdue}
					if !w.Ticket.Overdue || w.Ticket.EscalationLevel != 1 {
						t.Errorf("overdue at %v: overdue %v level %d", w.at, w.Ticket.Overdue, w.Ticket.EscalationLevel)
					}
				case "escalated":
					want = []string{activities.NoticeEscalated}
					if !w.Ticket.Overdue || w.Ticket.EscalationLevel != 2 {
						t.Errorf("escalated at %v: overdue %v level %d", w.at, w.Ticket.Overdue, w.Ticket.EscalationLevel)
					}
				default:
					continue
				}
				wantNotices(t, w, want...)
				if w.Event.Actor != "system" {
					t.Errorf("%s by %q", w.Event.Type, w.Event.Actor)
				}
			}
			if tt.check != nil {
				tt.check(t, h)
			}
		})
	}
}

// sched is one scheduled action.
type sched struct {
	at   time.Duration
	name string
	req  ActionRequest
}

func TestReturn(t *testing.T) {
	tests := []struct {
		name  string
		steps []sched // before the return
	}{
		{"from awaiting_sign", nil},
		{"from rectifying", []sched{{h1, ActionSign, by(dept("D1"))}}},
		{"from rectifying, overdue, with a pending extension", []sched{{h1, ActionSign, by(dept("D1"))},
			{h1 + 6*day, ActionRequestExtension, extension(dept("D1"), 2)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			at := h1
			for _, s := range tt.steps {
				h.ok(s.at, s.name, s.req)
				at = s.at + h1
			}
			h.ok(at, ActionReturn, withNote(dept("D1"), "not ours"))
			// Nothing fires while nobody has it: re-dispatch ten days later.
			oldDept := h.act(at+5*day, ActionSign, by(dept("D1")))
			h.ok(at+10*day, ActionDispatch, dispatchTo("D2"))
			stillOld := h.act(at+10*day+h1, ActionSign, by(dept("D1")))
			h.ok(at+10*day+2*h1, ActionSign, by(dept("D2")))
			h.ok(at+10*day+3*h1, ActionClose, withNote(sup, "end"))
			h.run()
			h.completed()
			oldDept.rejected(t, CodeNotFound)
			stillOld.rejected(t, CodeNotFound)

			ret := h.find("returned", 0)
			h.wantTicket(ret, wantTicket{status: domain.StatusPendingDispatch, round: 1, due: -1})
			wantData(t, ret, "department_code", "D1")
			wantNotices(t, ret, activities.NoticeReturned)
			if ret.Event.DepartmentCode != "D1" || ret.Ticket.StageStartedAt != nil || ret.Ticket.PendingRequest != nil {
				t.Errorf("returned: event department %q, stage start %s, pending %+v",
					ret.Event.DepartmentCode, fmtTime(ret.Ticket.StageStartedAt), ret.Ticket.PendingRequest)
			}
			n := len(h.writes)
			if got := h.writes[n-4].Event.Type; got != "returned" {
				t.Errorf("event after the return before re-dispatch: %v", h.events())
			}
			d := h.writes[n-3]
			h.wantTicket(d, wantTicket{status: domain.StatusAwaitingSign, dept: "D2", round: 1, due: at + 10*day + day})
			wantData(t, d, "department_code", "D2")
			wantNotices(t, d, activities.NoticeDispatched)
			if d.Event.DepartmentCode != "D2" || d.Event.Note != "please handle" {
				t.Errorf("dispatched: event department %q note %q", d.Event.DepartmentCode, d.Event.Note)
			}
			h.wantTicket(h.writes[n-2], wantTicket{status: domain.StatusRectifying, dept: "D2", round: 1, due: at + 10*day + 2*h1 + 5*day})
		})
	}
}

func TestExtension(t *testing.T) {
	d1 := dept("D1")
	// Signed at 1h: the rectification stage starts then, due 1h+5d, reminder 1h+4d.
	const start = h1

	t.Run("approve moves the due from the same stage start", func(t *testing.T) {
		h := newHarness(t)
		h.ok(start, ActionSign, by(d1))
		h.ok(2*day, ActionRequestExtension, extension(d1, 3))
		h.ok(2*day+h1, ActionDecideExtension, decide(true))
		again := h.act(2*day+2*h1, ActionRequestExtension, extension(d1, 1))
		h.ok(10*day, ActionClose, withNote(sup, "end"))
		h.run()
		again.rejected(t, CodeInvalidTransition)
		h.wantTimeline(ev{0, "dispatched"}, ev{start, "signed"}, ev{2 * day, "extension_requested"},
			ev{2*day + h1, "extension_approved"}, ev{start + 7*day, "reminded"}, ev{start + 8*day, "overdue"}, ev{10 * day, "closed"})
		req := h.find("extension_requested", 0)
		p := req.Ticket.PendingRequest
		if p == nil || p.Type != domain.RequestExtension || p.WorkingDays != 3 || p.RequestedBy != "u-D1" ||
			!p.RequestedAt.Equal(t0.Add(2*day)) || p.Reason != "needs parts" {
			t.Errorf("pending request %+v", p)
		}
		h.wantTicket(req, wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: start + 5*day})
		wantData(t, req, "working_days", 3)
		ok := h.find("extension_approved", 0)
		h.wantTicket(ok, wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: start + 8*day})
		wantNotices(t, ok, activities.NoticeExtension)
		wantData(t, ok, "working_days", 3)
		if ok.Ticket.PendingRequest != nil {
			t.Errorf("pending request after the decision: %+v", ok.Ticket.PendingRequest)
		}
		if got, want := h.stages[len(h.stages)-1], (activities.StageInput{From: t0.Add(start), Days: 5 + 3}); !got.From.Equal(want.From) || got.Days != want.Days {
			t.Errorf("StageTimes for the extension: %+v, want %+v", got, want)
		}
	})

	t.Run("reject keeps the due", func(t *testing.T) {
		h := newHarness(t)
		h.ok(start, ActionSign, by(d1))
		h.ok(2*day, ActionRequestExtension, extension(d1, 3))
		h.ok(2*day+h1, ActionDecideExtension, decide(false))
		h.ok(10*day, ActionClose, withNote(sup, "end"))
		h.run()
		h.wantTimeline(ev{0, "dispatched"}, ev{start, "signed"}, ev{2 * day, "extension_requested"},
			ev{2*day + h1, "extension_rejected"}, ev{start + 4*day, "reminded"}, ev{start + 5*day, "overdue"},
			ev{start + 7*day, "escalated"}, ev{10 * day, "closed"})
		no := h.find("extension_rejected", 0)
		h.wantTicket(no, wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: start + 5*day})
		if no.Ticket.PendingRequest != nil || len(no.Notices) != 0 {
			t.Errorf("rejected: pending %+v notices %v", no.Ticket.PendingRequest, no.Notices)
		}
	})

	// approvedAt runs a ticket signed at start whose extension of days, requested
	// at req, is approved an hour later; closed on day 12.
	approvedAt := func(t *testing.T, req time.Duration, days int) *harness {
		h := newHarness(t)
		h.ok(start, ActionSign, by(d1))
		h.ok(req, ActionRequestExtension, extension(d1, days))
		h.ok(req+h1, ActionDecideExtension, decide(true))
		h.ok(start+12*day, ActionClose, withNote(sup, "end"))
		h.run()
		return h
	}

	t.Run("approve after the due clears overdue", func(t *testing.T) {
		h := approvedAt(t, start+5*day+h1, 2)
		h.wantTimeline(ev{0, "dispatched"}, ev{start, "signed"}, ev{start + 4*day, "reminded"}, ev{start + 5*day, "overdue"},
			ev{start + 5*day + h1, "extension_requested"}, ev{start + 5*day + 2*h1, "extension_approved"},
			ev{start + 6*day, "reminded"}, ev{start + 7*day, "overdue"}, ev{start + 9*day, "escalated"}, ev{start + 12*day, "closed"})
		h.wantTicket(h.find("extension_approved", 0), wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: start + 7*day})
	})

	t.Run("approve that still ends in the past keeps overdue", func(t *testing.T) {
		h := approvedAt(t, start+6*day+h1, 1)
		h.wantTicket(h.find("extension_approved", 0), wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1,
			due: start + 6*day, overdue: true, escalation: 1})
		// Level 2 follows the new due.
		h.wantTimeline(ev{0, "dispatched"}, ev{start, "signed"}, ev{start + 4*day, "reminded"}, ev{start + 5*day, "overdue"},
			ev{start + 6*day + h1, "extension_requested"}, ev{start + 6*day + 2*h1, "extension_approved"},
			ev{start + 8*day, "escalated"}, ev{start + 12*day, "closed"})
	})

	t.Run("a rejected request does not use up the round's extension", func(t *testing.T) {
		// ExtensionsPerRound counts approved extensions.
		h := newHarness(t)
		h.ok(start, ActionSign, by(d1))
		h.ok(2*day, ActionRequestExtension, extension(d1, 3))
		h.ok(2*day+h1, ActionDecideExtension, decide(false))
		h.ok(2*day+2*h1, ActionRequestExtension, extension(d1, 2))
		h.ok(2*day+3*h1, ActionClose, withNote(sup, "end"))
		h.run()
		h.wantEvents("dispatched", "signed", "extension_requested", "extension_rejected", "extension_requested", "closed")
		if w := h.write(-1); w.Ticket.PendingRequest != nil {
			t.Errorf("closing left a pending request: %+v", w.Ticket.PendingRequest)
		}
	})

	t.Run("a new round allows one again", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(d1))
		h.ok(2*h1, ActionRequestExtension, extension(d1, 2))
		h.ok(3*h1, ActionDecideExtension, decide(true))
		h.ok(4*h1, ActionResolve, withNote(d1, "done"))
		h.ok(5*h1, ActionLogCall, call(true, domain.Dissatisfied))
		h.ok(6*h1, ActionSign, by(d1))
		h.ok(7*h1, ActionRequestExtension, extension(d1, 2))
		h.ok(8*h1, ActionDecideExtension, decide(true))
		h.ok(9*h1, ActionClose, withNote(sup, "end"))
		h.run()
		w := h.find("extension_approved", 1)
		h.wantTicket(w, wantTicket{status: domain.StatusRectifying, dept: "D1", round: 2, due: 6*h1 + 7*day})
		if got := h.stages[len(h.stages)-1]; !got.From.Equal(t0.Add(6*h1)) || got.Days != 7 {
			t.Errorf("StageTimes for round 2's extension: %+v", got)
		}
	})

	t.Run("working days bounds", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(d1))
		zero := h.act(2*h1, ActionRequestExtension, extension(d1, 0))
		tooMany := h.act(3*h1, ActionRequestExtension, extension(d1, 16))
		negative := h.act(4*h1, ActionRequestExtension, extension(d1, -1))
		h.ok(5*h1, ActionRequestExtension, extension(d1, 15))
		h.ok(6*h1, ActionDecideExtension, decide(true))
		h.ok(7*h1, ActionClose, withNote(sup, "end"))
		h.run()
		zero.rejected(t, CodeInvalid)
		tooMany.rejected(t, CodeInvalid)
		negative.rejected(t, CodeInvalid)
		h.wantTicket(h.find("extension_approved", 0), wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: h1 + 20*day})
	})

	t.Run("no calendar data: the decision fails and changes nothing", func(t *testing.T) {
		h := newHarness(t)
		h.stageErr = func(in activities.StageInput) error {
			if in.Days == 8 {
				return temporal.NewNonRetryableApplicationError("no holiday data for 2027", activities.ErrTypeNoCalendarData, nil)
			}
			return nil
		}
		h.ok(start, ActionSign, by(d1))
		h.ok(2*h1, ActionRequestExtension, extension(d1, 3))
		failed := h.act(3*h1, ActionDecideExtension, decide(true))
		h.ok(4*h1, ActionDecideExtension, decide(false)) // the request is still pending
		h.ok(5*h1, ActionClose, withNote(sup, "end"))
		h.run()
		if !failed.accepted || !failed.completed || errCode(failed.err) != activities.ErrTypeNoCalendarData {
			t.Errorf("approval without calendar data: accepted %v completed %v err %v", failed.accepted, failed.completed, failed.err)
		}
		h.wantEvents("dispatched", "signed", "extension_requested", "extension_rejected", "closed")
		h.wantTicket(h.find("extension_rejected", 0), wantTicket{status: domain.StatusRectifying, dept: "D1", round: 1, due: start + 5*day})
		if v := h.find("extension_rejected", 0).Ticket.Version; v != 4 {
			t.Errorf("version after the failed approval: %d, want 4", v)
		}
	})

	t.Run("resolving drops a pending extension", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(d1))
		h.ok(2*h1, ActionRequestExtension, extension(d1, 2))
		h.ok(3*h1, ActionResolve, withNote(d1, "done"))
		moot := h.act(4*h1, ActionDecideExtension, decide(true))
		h.ok(5*h1, ActionClose, withNote(sup, "end"))
		h.run()
		moot.rejected(t, CodeInvalidTransition)
		if p := h.find("resolved", 0).Ticket.PendingRequest; p != nil {
			t.Errorf("resolved with a pending request %+v", p)
		}
	})
}

func TestAppeal(t *testing.T) {
	d1 := dept("D1")
	t.Run("rejected from awaiting_sign: the clock keeps running", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionAppeal, withNote(d1, "malicious rating"))
		h.ok(2*h1, ActionDecideAppeal, decide(false))
		h.ok(5*day, ActionClose, withNote(sup, "end"))
		h.run()
		h.wantTimeline(ev{0, "dispatched"}, ev{h1, "appealed"}, ev{2 * h1, "appeal_rejected"},
			ev{day, "overdue"}, ev{3 * day, "escalated"}, ev{5 * day, "closed"})
		a := h.find("appealed", 0)
		if p := a.Ticket.PendingRequest; p == nil || p.Type != domain.RequestAppeal || p.Reason != "malicious rating" {
			t.Errorf("pending request %+v", p)
		}
		h.wantTicket(h.find("appeal_rejected", 0), wantTicket{status: domain.StatusAwaitingSign, dept: "D1", round: 1, due: day})
	})

	t.Run("pending while overdue: the timers still fire", func(t *testing.T) {
		h := newHarness(t)
		h.ok(1*h1, ActionSign, by(d1))
		h.ok(2*h1, ActionAppeal, withNote(d1, "mistaken"))
		h.ok(h1+6*day, ActionDecideAppeal, decide(false))
		h.ok(h1+8*day, ActionClose, withNote(sup, "end"))
		h.run()
		h.wantTimeline(ev{0, "dispatched"}, ev{h1, "signed"}, ev{2 * h1, "appealed"}, ev{h1 + 4*day, "reminded"},
			ev{h1 + 5*day, "overdue"}, ev{h1 + 6*day, "appeal_rejected"}, ev{h1 + 7*day, "escalated"}, ev{h1 + 8*day, "closed"})
	})

	for _, tt := range []struct {
		name  string
		steps []sched
	}{
		{"upheld from awaiting_sign", nil},
		{"upheld from rectifying", []sched{{h1, ActionSign, by(d1)}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for _, s := range tt.steps {
				h.ok(s.at, s.name, s.req)
			}
			h.ok(2*h1, ActionAppeal, withNote(d1, "mistaken"))
			h.ok(3*h1, ActionDecideAppeal, decide(true))
			h.run()
			h.completed()
			w := h.write(-1)
			if w.Event.Type != "appeal_upheld" || !w.Exclude {
				t.Errorf("last write %s exclude %v, want appeal_upheld excluding the rating", w.Event.Type, w.Exclude)
			}
			h.wantTicket(w, wantTicket{status: domain.StatusClosed, resolution: domain.ResolutionAppealUpheld, dept: "D1", round: 1, due: -1})
			if w.Ticket.PendingRequest != nil || w.Ticket.ClosedAt == nil {
				t.Errorf("upheld: pending %+v closed at %s", w.Ticket.PendingRequest, fmtTime(w.Ticket.ClosedAt))
			}
		})
	}

	t.Run("decide without a pending appeal", func(t *testing.T) {
		h := newHarness(t)
		none := h.act(1*h1, ActionDecideAppeal, decide(true))
		h.reject(2*h1, ActionRequestExtension, extension(d1, 2), CodeInvalidTransition) // not signed yet
		h.ok(3*h1, ActionSign, by(d1))
		h.ok(4*h1, ActionRequestExtension, extension(d1, 2))
		wrongKind := h.act(5*h1, ActionDecideAppeal, decide(true))
		appealOnTop := h.act(6*h1, ActionAppeal, withNote(d1, "mistaken"))
		h.ok(7*h1, ActionDecideExtension, decide(false))
		h.ok(8*h1, ActionAppeal, withNote(d1, "mistaken"))
		second := h.act(9*h1, ActionAppeal, withNote(d1, "again"))
		extOnTop := h.act(10*h1, ActionRequestExtension, extension(d1, 2))
		wrongKind2 := h.act(11*h1, ActionDecideExtension, decide(true))
		h.ok(12*h1, ActionClose, withNote(sup, "end"))
		h.run()
		none.rejected(t, CodeInvalidTransition)
		wrongKind.rejected(t, CodeInvalidTransition)
		appealOnTop.rejected(t, CodeInvalidTransition)
		second.rejected(t, CodeInvalidTransition)
		extOnTop.rejected(t, CodeInvalidTransition)
		wrongKind2.rejected(t, CodeInvalidTransition)
		h.wantEvents("dispatched", "signed", "extension_requested", "extension_rejected", "appealed", "closed")
	})
}

func TestUrge(t *testing.T) {
	d1 := dept("D1")
	tests := []struct {
		name   string
		opts   []func(*Input)
		steps  []sched
		status domain.Status
	}{
		{"pending_dispatch", []func(*Input){undispatched}, nil, domain.StatusPendingDispatch},
		{"awaiting_sign", nil, nil, domain.StatusAwaitingSign},
		{"rectifying", nil, []sched{{h1, ActionSign, by(d1)}}, domain.StatusRectifying},
		{"following_up", nil, []sched{{h1, ActionSign, by(d1)}, {2 * h1, ActionResolve, withNote(d1, "done")}}, domain.StatusFollowingUp},
		{"awaiting_supervisor", []func(*Input){withPolicy(func(p *Policy) { p.MaxRounds = 1 })},
			[]sched{{h1, ActionSign, by(d1)}, {2 * h1, ActionResolve, withNote(d1, "done")}, {3 * h1, ActionLogCall, call(true, domain.Dissatisfied)}},
			domain.StatusAwaitingSupervisor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts...)
			for _, s := range tt.steps {
				h.ok(s.at, s.name, s.req)
			}
			h.ok(10*h1, ActionUrge, withNote(sup, "hurry"))
			h.ok(11*h1, ActionClose, withNote(sup, "end"))
			h.run()
			h.completed()
			before, urged := h.write(-3), h.write(-2)
			if urged.Event.Type != "urged" || urged.Ticket.Status != tt.status || urged.Event.Note != "hurry" {
				t.Fatalf("write %s status %s note %q", urged.Event.Type, urged.Ticket.Status, urged.Event.Note)
			}
			wantNotices(t, urged, activities.NoticeUrged)
			a, b := before.Ticket, urged.Ticket
			a.Version, a.UpdatedAt, b.Version, b.UpdatedAt = 0, time.Time{}, 0, time.Time{}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("urging changed the ticket:\nbefore %+v\nafter  %+v", a, b)
			}
		})
	}

	t.Run("closed", func(t *testing.T) {
		// Delivered in the same moment as the close, the urge is checked against the
		// closed state.
		h := newHarness(t)
		h.ok(h1, ActionClose, withNote(sup, "end"))
		late := h.act(h1, ActionUrge, withNote(sup, "hurry"))
		lateClose := h.act(h1, ActionClose, withNote(sup, "again"))
		h.run()
		h.completed()
		late.rejected(t, CodeInvalidTransition)
		lateClose.rejected(t, CodeInvalidTransition)
		h.wantEvents("dispatched", "closed")

		// After the run ended there is nothing to deliver to: the test environment
		// drops the Update without calling back (a server answers NotFound).
		var called bool
		cb := &testsuite.TestUpdateCallback{OnAccept: func() { called = true }, OnReject: func(error) { called = true },
			OnComplete: func(any, error) { called = true }}
		h.env.UpdateWorkflow(ActionUrge, "", cb, withNote(sup, "hurry"))
		if called || len(h.writes) != 2 {
			t.Errorf("an Update after the end was handled: called %v, writes %v", called, h.events())
		}
	})
}

func TestSearchAttributes(t *testing.T) {
	h := newHarness(t)
	h.ok(2*day, ActionUrge, withNote(sup, "hurry")) // changes nothing visible: no upsert
	h.ok(2*day+h1, ActionSign, by(dept("D1")))
	h.ok(2*day+2*h1, ActionClose, withNote(sup, "end"))
	h.run()
	h.completed()
	type sa struct {
		status, dept string
		overdue      bool
		due          string
	}
	var got []sa
	for _, w := range h.sas {
		got = append(got, sa{w.status, w.dept, w.overdue, fmtTime(w.due)})
	}
	want := []sa{
		{"awaiting_sign", "D1", false, fmtTime(ptrTime(day))},
		{"awaiting_sign", "D1", true, fmtTime(ptrTime(day))},
		{"rectifying", "D1", false, fmtTime(ptrTime(2*day + h1 + 5*day))},
		{"closed", "D1", false, "nil"},
	}
	switch {
	case harnessV3:
		// V3: no status or deadline; the department and the overdue flag when they
		// change (here the start set none, so the opening writes both).
		want = []sa{{"", "D1", false, "nil"}, {"", "", true, "nil"}, {"", "", false, "nil"}}
	case harnessV2:
		want = want[:3] // V2: the closed execution says it; no upsert at the close
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("search attributes:\n got %+v\nwant %+v", got, want)
	}
}

// Issue 18: a V2 ticket started as engine.Start starts it, with its search
// attributes and its sign stage computed: the opening computes nothing and
// upserts nothing, the sign stage's times are computed by the write itself (one
// local activity), and the deadline that moves inside an Update's write is armed
// in that same task.
func TestV2OpeningFromTheStart(t *testing.T) {
	h := newHarness(t)
	h.v2 = true
	due := ptrTime(day)
	h.in.Opening = &Opening{From: t0, Days: h.in.Policy.SignDays, Times: activities.StageTimes{DueAt: *due, Escalate2At: due.Add(2 * day)}}
	if err := h.env.SetTypedSearchAttributesOnStart(temporal.NewSearchAttributes(
		saStatus.ValueSet("awaiting_sign"), saDepartment.ValueSet("D1"), saOverdue.ValueSet(false), saDueAt.ValueSet(*due))); err != nil {
		t.Fatal(err)
	}
	h.ok(h1, ActionSign, by(dept("D1")))
	h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
	// The survey stage (2 days) is left to run out: its timer must be the one armed.
	h.run()
	if len(h.writes) < 4 || h.writes[0].Event.Type != "dispatched" || h.writes[0].due() != day {
		t.Fatalf("writes %v", h.events())
	}
	if got := h.stages; len(got) != 2 || got[0].Days != h.in.Policy.RectifyDays || got[1].Days != h.in.Policy.SurveyDays {
		t.Errorf("stages computed %+v, want the rectify and survey stages only (the sign stage came with the start)", got)
	}
	if h.writes[1].due() != h1+5*day || h.writes[2].due() != 2*h1+2*day {
		t.Errorf("deadlines written: sign %v, resolve %v", h.writes[1].due(), h.writes[2].due())
	}
	if h.writes[3].Event.Type != "survey_expired" || h.writes[3].at != 2*h1+2*day {
		t.Errorf("after the survey stage: %s at %v, want survey_expired at %v", h.writes[3].Event.Type, h.writes[3].at, 2*h1+2*day)
	}
	var statuses []string
	for _, w := range h.sas {
		statuses = append(statuses, w.status)
	}
	// The third: the survey ran out and the call task has no deadline.
	if want := []string{"rectifying", "following_up", "following_up"}; !reflect.DeepEqual(statuses, want) || h.sas[2].due != nil {
		t.Errorf("upserts %v, want %v: the start already said awaiting_sign", statuses, want)
	}
}

// A State in the input is how continue-as-new hands a ticket to the next run.
func resumedState() *State {
	started, due, remind, esc := t0.Add(-day), t0.Add(2*day), t0.Add(day), t0.Add(4*day)
	return &State{
		Ticket: domain.Ticket{Number: "T-1", RatingID: "R-1", Status: domain.StatusRectifying, DepartmentCode: "D1",
			Round: 2, StageStartedAt: &started, DueAt: &due, CreatedAt: t0.Add(-10 * day), Version: 7},
		CitizenReach: true, Remind: &remind, Escalate2: &esc, StageDays: 3, Seq: 7, Version: 7, Policy: DefaultPolicy,
	}
}

func TestResumeFromState(t *testing.T) {
	h := newHarness(t, func(in *Input) {
		*in = Input{Number: "T-1", RatingID: "R-1", Policy: DefaultPolicy, State: resumedState()}
	})
	q := h.query(h1)
	h.ok(2*day+h1, ActionRequestExtension, extension(dept("D1"), 2))
	h.ok(2*day+2*h1, ActionDecideExtension, decide(true))
	h.ok(2*day+3*h1, ActionResolve, withNote(dept("D1"), "done"))
	h.ok(2*day+4*h1, ActionLogCall, call(true, domain.Satisfied))
	h.run()
	h.completed()
	h.wantTimeline(ev{day, "reminded"}, ev{2 * day, "overdue"}, ev{2*day + h1, "extension_requested"},
		ev{2*day + 2*h1, "extension_approved"}, ev{2*day + 3*h1, "resolved"}, ev{2*day + 4*h1, "call_logged"})
	// The query's JSON leaves Ticket.Version out; State.Version carries it.
	if q.Ticket.Status != domain.StatusRectifying || q.Ticket.Round != 2 || q.Version != 7 {
		t.Errorf("queried state: %s round %d version %d", q.Ticket.Status, q.Ticket.Round, q.Version)
	}
	first := h.write(0)
	if first.Ticket.Version != 8 || first.Event.Seq != 8 || first.Event.Round != 2 {
		t.Errorf("first write after resuming: version %d seq %d round %d, want 8 8 2 (the stored ticket is at 7)",
			first.Ticket.Version, first.Event.Seq, first.Event.Round)
	}
	// The extension counts from the carried-over stage start and length.
	if got := h.stages[0]; !got.From.Equal(t0.Add(-day)) || got.Days != 5 {
		t.Errorf("StageTimes for the extension: %+v, want from t0-1d, 5 days", got)
	}
}

func TestContinueAsNew(t *testing.T) {
	// First run: dispatched, signed, then the server suggests continuing as new.
	h := newHarness(t)
	h.ok(h1, ActionSign, by(dept("D1")))
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, 2*h1)
	h.run()
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("workflow ended with %v, want continue-as-new", err)
	}
	var next Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	h.wantEvents("dispatched", "signed")
	last := h.write(-1)
	if next.State == nil || next.State.Ticket.Status != domain.StatusRectifying || next.State.Seq != last.Event.Seq {
		t.Fatalf("carried-over state %+v", next.State)
	}

	// Second run, from the serialized input: versions go on from the stored ticket's.
	h2 := newHarness(t, func(in *Input) { *in = next })
	h2.env.SetStartTime(t0.Add(3 * h1)) // the new run starts where the old one ended
	h2.ok(h1, ActionResolve, withNote(dept("D1"), "done"))
	h2.ok(2*h1, ActionLogCall, call(true, domain.Satisfied))
	h2.run()
	h2.completed()
	h2.wantEvents("resolved", "call_logged")
	if got := h2.write(0); got.Ticket.Version <= last.Ticket.Version || got.Event.Seq <= last.Event.Seq {
		t.Errorf("after continue-as-new: version %d seq %d, the stored ticket is at version %d seq %d",
			got.Ticket.Version, got.Event.Seq, last.Ticket.Version, last.Event.Seq)
	}
}

// A V2 write whose new deadline is earlier than the running timer (round 2's sign
// stage, 1 day, after the survey stage's 2) re-arms the timer in the same task.
func TestV2EarlierDeadlineRearmsTheTimer(t *testing.T) {
	h := newHarness(t)
	h.v2 = true
	h.ok(h1, ActionSign, by(dept("D1")))
	h.ok(2*h1, ActionResolve, withNote(dept("D1"), "done"))
	h.ok(3*h1, ActionAnswerSurvey, survey(1, domain.Dissatisfied))
	h.run()
	for _, w := range h.writes {
		if w.Event.Type == "overdue" {
			if w.at != 3*h1+day {
				t.Errorf("round 2 went overdue at %v, want %v", w.at, 3*h1+day)
			}
			return
		}
	}
	t.Errorf("round 2 never went overdue: %v", h.events())
}
