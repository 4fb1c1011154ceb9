package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"rectify/activities"
	"rectify/domain"
)

// The test clock: a Monday morning in China Standard Time. Every action and every
// expected event is placed at an offset from t0.
var (
	cst = time.FixedZone("CST", 8*3600)
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
)

const day = 24 * time.Hour

// Actors.
var (
	sup = domain.Actor{Username: "sup", Role: domain.RoleSupervisor}
	cc  = domain.Actor{Username: "cc", Role: domain.RoleCallCenter}
)

func dept(code string) domain.Actor {
	return domain.Actor{Username: "u-" + code, Role: domain.RoleDepartment, DepartmentCode: code}
}

// Requests, named after what they say.
func by(a domain.Actor) ActionRequest { return ActionRequest{Actor: a} }

func withNote(a domain.Actor, note string) ActionRequest {
	return ActionRequest{Actor: a, Note: note}
}

func dispatchTo(code string) ActionRequest {
	return ActionRequest{Actor: sup, DepartmentCode: code, Note: "please handle"}
}

func extension(a domain.Actor, days int) ActionRequest {
	return ActionRequest{Actor: a, WorkingDays: days, Note: "needs parts"}
}

func decide(approve bool) ActionRequest {
	return ActionRequest{Actor: sup, Approve: approve, Note: "decided"}
}

func call(reached bool, level domain.Level) ActionRequest {
	return ActionRequest{Actor: cc, Reached: reached, Level: level, Note: "called"}
}

func survey(round int, level domain.Level) ActionRequest {
	return ActionRequest{Actor: domain.Actor{Username: "citizen", Role: "citizen"}, Round: round, Level: level,
		TokenHash: []byte(fmt.Sprintf("hash-of-round-%d", round))}
}

// fakeStageTimes is the calendar stand-in: calendar days instead of working days, so
// every deadline is easy to compute by hand.
func fakeStageTimes(_ context.Context, in activities.StageInput) (activities.StageTimes, error) {
	due := in.From.Add(time.Duration(in.Days) * day)
	st := activities.StageTimes{DueAt: due, Escalate2At: due.Add(2 * day)}
	if r := due.Add(-day); r.After(in.From) {
		st.RemindAt = &r
	}
	return st, nil
}

// write is one recorded Apply call, deep-copied: the workflow keeps its own pointers.
type write struct {
	at         time.Duration // Event.At - t0
	Event      domain.Event
	Ticket     domain.Ticket
	Notices    []string
	SendSurvey bool
	SurveyUsed []byte
	Exclude    bool
}

func (w write) due() time.Duration {
	if w.Ticket.DueAt == nil {
		return -1
	}
	return w.Ticket.DueAt.Sub(t0)
}

// saWrite is one recorded search-attribute upsert.
type saWrite struct {
	status, dept string
	overdue      bool
	due          *time.Time
}

// outcome is what became of one Update sent by the harness.
type outcome struct {
	name         string
	at           time.Duration
	sent         bool
	accepted     bool
	completed    bool
	rejectErr    error
	err          error
	writesAtSend int    // Apply calls recorded when the Update was sent
	want         string // checked by run: "ok", a rejection code, or "" (the test checks)
}

type harness struct {
	v2    bool // run RectificationV2 (as in TestMain's second pass)
	t     *testing.T
	suite testsuite.WorkflowTestSuite
	env   *testsuite.TestWorkflowEnvironment
	in    Input

	mu       sync.Mutex
	writes   []write
	stages   []activities.StageInput
	sas      []saWrite
	outcomes []*outcome
	// stageErr, when set, may fail a StageTimes call (e.g. a year without calendar data).
	stageErr func(activities.StageInput) error
	// V3: the wake_at the last write stored (activities.Change.Stored), which the
	// deadline sweeper reads, and the deadline signals the harness sent as it would.
	wake    *time.Time
	signals int
}

// newHarness prepares a ticket dispatched to D1 with a reachable citizen and the
// default policy; opts change the input before the run.
func newHarness(t *testing.T, opts ...func(*Input)) *harness {
	t.Helper()
	h := &harness{t: t}
	h.in = Input{Number: "T-1", RatingID: "R-1", DepartmentCode: "D1", CitizenReach: true, CreatedAt: t0,
		Policy: DefaultPolicy}
	for _, o := range opts {
		o(&h.in)
	}
	h.suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	h.env = h.suite.NewTestWorkflowEnvironment()
	// The 1 s deadlock detector trips on a loaded 2-core CI machine (a goroutine
	// descheduled, not deadlocked); a real deadlock still fails within the minute.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	h.env.SetStartTime(t0)
	h.env.RegisterWorkflow(Rectification)
	h.env.RegisterWorkflow(RectificationV2)
	// acts is a nil *Activities: its method values name the local activities
	// "StageTimes" and "Apply", which is all the mocks need.
	stageTimes := func(ctx context.Context, in activities.StageInput) (activities.StageTimes, error) {
		h.mu.Lock()
		h.stages = append(h.stages, in)
		fail := h.stageErr
		h.mu.Unlock()
		if fail != nil {
			if err := fail(in); err != nil {
				return activities.StageTimes{}, err
			}
		}
		return fakeStageTimes(ctx, in)
	}
	// V2's write computes the stage and puts its deadline in the snapshot, as
	// Activities.Write does; V3's also stores the wake_at the sweeper reads.
	h.env.OnActivity(acts.Write, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, ch activities.Change) (activities.StageTimes, error) {
			var times activities.StageTimes
			if ch.Stage != nil {
				var err error
				if times, err = stageTimes(ctx, *ch.Stage); err != nil {
					return times, err
				}
			}
			var wake *time.Time
			ch.Ticket, wake = ch.Stored(times)
			h.mu.Lock()
			h.writes = append(h.writes, record(ch))
			h.mu.Unlock()
			if ch.Clock != nil {
				h.stored(wake)
			}
			return times, nil
		})
	h.env.OnActivity(acts.StageTimes, mock.Anything, mock.Anything).Return(stageTimes)
	h.env.OnActivity(acts.Apply, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, ch activities.Change) error {
			h.mu.Lock()
			h.writes = append(h.writes, record(ch))
			h.mu.Unlock()
			return nil
		})
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Return().Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		var w saWrite
		w.status, _ = sa.GetKeyword(saStatus)
		w.dept, _ = sa.GetKeyword(saDepartment)
		w.overdue, _ = sa.GetBool(saOverdue)
		if d, ok := sa.GetTime(saDueAt); ok {
			w.due = &d
		}
		h.mu.Lock()
		h.sas = append(h.sas, w)
		h.mu.Unlock()
	})
	return h
}

func record(ch activities.Change) write {
	t := ch.Ticket
	cp := func(p *time.Time) *time.Time {
		if p == nil {
			return nil
		}
		v := *p
		return &v
	}
	t.StageStartedAt, t.DueAt, t.ClosedAt = cp(t.StageStartedAt), cp(t.DueAt), cp(t.ClosedAt)
	if t.PendingRequest != nil {
		p := *t.PendingRequest
		t.PendingRequest = &p
	}
	t.Events = nil
	e := ch.Event
	if e.Data != nil {
		d := make(map[string]any, len(e.Data))
		for k, v := range e.Data {
			d[k] = v
		}
		e.Data = d
	}
	w := write{at: e.At.Sub(t0), Event: e, Ticket: t, SendSurvey: ch.SendSurvey, Exclude: ch.ExcludeRating,
		SurveyUsed: append([]byte(nil), ch.SurveyUsed...)}
	if ch.SurveyUsed == nil {
		w.SurveyUsed = nil
	}
	for _, n := range ch.Notices {
		w.Notices = append(w.Notices, n.Kind)
	}
	return w
}

// stored is a V3 write's new wake_at: the harness sweeps as the deadline sweeper
// would, signalling the workflow at the instant the stored wake_at passes, if no
// later write moved it. A wake_at still past a minute after its signal is what
// would have the sweeper signal the ticket again and again: an error.
func (h *harness) stored(wake *time.Time) {
	h.mu.Lock()
	h.wake = wake
	h.mu.Unlock()
	if wake == nil {
		return
	}
	at := *wake
	h.env.RegisterDelayedCallback(func() { // on the test's main loop, where Now is exact
		h.env.RegisterDelayedCallback(func() { h.sweep(at) }, max(at.Sub(h.env.Now()), 0))
	}, 0)
}

func (h *harness) sweep(at time.Time) {
	h.mu.Lock()
	due := h.wake != nil && h.wake.Equal(at) && !at.After(h.env.Now())
	if due {
		h.signals++
	}
	h.mu.Unlock()
	if !due {
		return
	}
	h.env.SignalWorkflow(SignalDeadline, nil)
	h.env.RegisterDelayedCallback(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.wake != nil && h.wake.Equal(at) {
			h.t.Errorf("wake_at %s still stored a minute after its signal (events %v)", fmtTime(&at), h.events())
		}
	}, time.Minute)
}

// act sends Update name with req at t0+at.
func (h *harness) act(at time.Duration, name string, req ActionRequest) *outcome {
	h.t.Helper()
	o := &outcome{name: name, at: at}
	h.outcomes = append(h.outcomes, o)
	h.env.RegisterDelayedCallback(func() {
		o.sent = true
		o.writesAtSend = h.writeCount()
		h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
			OnAccept:   func() { o.accepted = true },
			OnReject:   func(err error) { o.rejectErr = err },
			OnComplete: func(_ any, err error) { o.completed, o.err = true, err },
		}, req)
	}, at)
	return o
}

// ok sends an Update that must succeed; run checks it.
func (h *harness) ok(at time.Duration, name string, req ActionRequest) *outcome {
	h.t.Helper()
	o := h.act(at, name, req)
	o.want = "ok"
	return o
}

// reject sends an Update that the validator must reject with code; run checks it.
func (h *harness) reject(at time.Duration, name string, req ActionRequest, code string) *outcome {
	h.t.Helper()
	o := h.act(at, name, req)
	o.want = code
	return o
}

// query reads the workflow's state at t0+at.
func (h *harness) query(at time.Duration) *State {
	h.t.Helper()
	s := &State{}
	h.env.RegisterDelayedCallback(func() {
		v, err := h.env.QueryWorkflow(QueryState)
		if err != nil {
			h.t.Errorf("query at %v: %v", at, err)
			return
		}
		if err := v.Get(s); err != nil {
			h.t.Errorf("query at %v: %v", at, err)
		}
	}, at)
	return s
}

// run executes the workflow to its end and checks what must hold for every run:
// each Update scheduled was sent, every write has a newer version and sequence
// number than the one before, and time never goes back.
func (h *harness) run() {
	h.t.Helper()
	switch {
	case h.v2:
		h.env.ExecuteWorkflow(RectificationV2, h.in)
	case harnessV3:
		if s := h.in.State; s != nil {
			// A resumed run: the run before it stored the wake_at.
			if at, kind := domain.NextDeadline(s.Ticket, s.Remind, s.Escalate2); kind != domain.DeadlineNone {
				h.stored(&at)
			}
		}
		h.env.ExecuteWorkflow(RectificationV3, h.in)
	case harnessV2:
		h.env.ExecuteWorkflow(RectificationV2, h.in)
	default:
		h.env.ExecuteWorkflow(Rectification, h.in)
	}
	for _, o := range h.outcomes {
		switch {
		case !o.sent:
			h.t.Errorf("%s at %v was never sent: the workflow ended first (events %v)", o.name, o.at, h.events())
		case o.want == "ok":
			o.ok(h.t)
		case o.want != "":
			o.rejected(h.t, o.want)
		}
	}
	for i := 1; i < len(h.writes); i++ {
		a, b := h.writes[i-1], h.writes[i]
		if b.Ticket.Version <= a.Ticket.Version {
			h.t.Errorf("write %d (%s): version %d after %d", i, b.Event.Type, b.Ticket.Version, a.Ticket.Version)
		}
		if b.Event.Seq <= a.Event.Seq {
			h.t.Errorf("write %d (%s): seq %d after %d", i, b.Event.Type, b.Event.Seq, a.Event.Seq)
		}
		if b.at < a.at {
			h.t.Errorf("write %d (%s) at %v before the previous one at %v", i, b.Event.Type, b.at, a.at)
		}
	}
}

func (h *harness) writeCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.writes)
}

// completed asserts the workflow ended without error.
func (h *harness) completed() {
	h.t.Helper()
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatalf("workflow did not complete; events %v", h.events())
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
}

// ev is an event type at an offset from t0, for timelines.
type ev struct {
	at  time.Duration
	typ string
}

func (e ev) String() string { return fmt.Sprintf("%v %s", e.at, e.typ) }

func (h *harness) timeline() []ev {
	var out []ev
	for _, w := range h.writes {
		out = append(out, ev{w.at, w.Event.Type})
	}
	return out
}

func (h *harness) events() []string {
	var out []string
	for _, w := range h.writes {
		out = append(out, w.Event.Type)
	}
	return out
}

// wantTimeline compares the whole sequence of events written with their times.
func (h *harness) wantTimeline(want ...ev) {
	h.t.Helper()
	got := h.timeline()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		h.t.Errorf("timeline:\n got %v\nwant %v", got, want)
	}
}

// wantEvents compares the sequence of event types written.
func (h *harness) wantEvents(want ...string) {
	h.t.Helper()
	if got := h.events(); strings.Join(got, ",") != strings.Join(want, ",") {
		h.t.Errorf("events:\n got %v\nwant %v", got, want)
	}
}

// write returns the i-th write (negative: from the end).
func (h *harness) write(i int) write {
	h.t.Helper()
	if i < 0 {
		i += len(h.writes)
	}
	if i < 0 || i >= len(h.writes) {
		h.t.Fatalf("no write %d; events %v", i, h.events())
	}
	return h.writes[i]
}

// find returns the n-th (from 0) write of event type typ.
func (h *harness) find(typ string, n int) write {
	h.t.Helper()
	for _, w := range h.writes {
		if w.Event.Type == typ {
			if n == 0 {
				return w
			}
			n--
		}
	}
	h.t.Fatalf("no %q event #%d; events %v", typ, n, h.events())
	return write{}
}

// ok asserts the Update was accepted and completed without error.
func (o *outcome) ok(t *testing.T) {
	t.Helper()
	switch {
	case !o.sent:
		t.Errorf("%s at %v: never sent", o.name, o.at)
	case o.rejectErr != nil:
		t.Errorf("%s at %v: rejected: %v", o.name, o.at, o.rejectErr)
	case !o.accepted || !o.completed:
		t.Errorf("%s at %v: accepted=%v completed=%v", o.name, o.at, o.accepted, o.completed)
	case o.err != nil:
		t.Errorf("%s at %v: failed: %v", o.name, o.at, o.err)
	}
}

// rejected asserts the validator rejected the Update with code. That nothing was
// written for it shows in the tests' event sequences and write counts.
func (o *outcome) rejected(t *testing.T, code string) {
	t.Helper()
	if !o.sent {
		t.Errorf("%s at %v: never sent", o.name, o.at)
		return
	}
	if o.rejectErr == nil {
		t.Errorf("%s at %v: accepted=%v err=%v, want rejected with %s", o.name, o.at, o.accepted, o.err, code)
		return
	}
	if o.accepted || o.completed {
		t.Errorf("%s at %v: rejected but also accepted=%v completed=%v", o.name, o.at, o.accepted, o.completed)
	}
	if got := errCode(o.rejectErr); got != code {
		t.Errorf("%s at %v: rejected with %q (%v), want %q", o.name, o.at, got, o.rejectErr, code)
	}
}

func errCode(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Type()
	}
	return "<not an application error>"
}

func ptrTime(d time.Duration) *time.Time {
	v := t0.Add(d)
	return &v
}

func eqTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func fmtTime(p *time.Time) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("t0+%v", p.Sub(t0))
}
