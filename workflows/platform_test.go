package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"rectify/activities"
	"rectify/domain"
)

func external(in *Input) { in.Policy.Ticketing = TicketingExternal }

// recordPushes mocks PushTicket; fail, when set, answers a push instead.
func (h *harness) recordPushes(fail func(activities.PushInput) error) *[]activities.PushInput {
	var pushes []activities.PushInput
	h.env.OnActivity(acts.PushTicket, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PushInput) error {
			h.mu.Lock()
			pushes = append(pushes, in)
			h.mu.Unlock()
			if fail != nil {
				return fail(in)
			}
			return nil
		})
	return &pushes
}

func fmtPushes(ps []activities.PushInput) string {
	s := ""
	for _, p := range ps {
		s += fmt.Sprintf("[%s#%d round %d %s due %s] ", p.Number, p.Seq, p.Round, p.DepartmentCode, fmtTime(p.DueAt))
	}
	return s
}

func TestExternalPushesEveryDispatch(t *testing.T) {
	h := newHarness(t, external)
	pushes := h.recordPushes(nil)
	h.ok(h1, ActionReturn, withNote(dept("D1"), "not ours"))
	h.ok(2*h1, ActionDispatch, dispatchTo("D2"))
	h.ok(3*h1, ActionSign, by(dept("D2")))
	h.ok(4*h1, ActionResolve, withNote(dept("D2"), "fixed"))
	h.ok(5*h1, ActionAnswerSurvey, survey(1, domain.Dissatisfied)) // reopens: round 2, same department
	h.ok(6*h1, ActionClose, withNote(sup, "done"))
	h.run()
	h.completed()
	h.wantEvents("dispatched", "returned", "dispatched", "signed", "resolved", "survey_answered", "closed")
	// Sequence numbers are the dispatch events': the idempotency keys of the pushes.
	want := fmt.Sprintf("[T-1#1 round 1 D1 due %s] [T-1#3 round 1 D2 due %s] [T-1#6 round 2 D2 due %s] ",
		fmtTime(ptrTime(day)), fmtTime(ptrTime(2*h1+day)), fmtTime(ptrTime(5*h1+day)))
	if got := fmtPushes(*pushes); got != want {
		t.Errorf("pushes:\n got %s\nwant %s", got, want)
	}
}

func TestBuiltinPushesNothing(t *testing.T) {
	h := newHarness(t)
	pushes := h.recordPushes(nil)
	h.ok(h1, ActionSign, by(dept("D1")))
	h.ok(2*h1, ActionClose, withNote(sup, "done"))
	h.run()
	h.completed()
	if len(*pushes) != 0 {
		t.Errorf("builtin mode pushed %s", fmtPushes(*pushes))
	}
}

// A push that keeps failing retries in the background: the Updates after it are
// answered, and a refused push does not fail the ticket.
func TestExternalPushFailureDoesNotBlockActions(t *testing.T) {
	h := newHarness(t, external)
	attempts := 0
	pushes := h.recordPushes(func(in activities.PushInput) error {
		attempts++
		if attempts < 3 {
			return fmt.Errorf("platform down")
		}
		return temporal.NewNonRetryableApplicationError("refused", activities.ErrTypePlatformRefused, nil)
	})
	h.ok(10*time.Minute, ActionSign, by(dept("D1")))
	h.ok(20*time.Minute, ActionClose, withNote(sup, "done"))
	h.run()
	h.completed()
	h.wantEvents("dispatched", "signed", "closed")
	if len(*pushes) != 3 {
		t.Errorf("push attempts = %d, want 3 (two retries, then refused)", len(*pushes))
	}
}
