package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"rectify/activities"
	"rectify/domain"
)

// acts is only used to name activity methods; the worker registers the real one.
var acts *activities.Activities

// Rectification is the life of one ticket: dispatch, sign, rectify, follow up, and
// round after round until the citizen is satisfied or a supervisor closes it.
// Department, call-center and supervisor actions arrive as Updates (see actions.go);
// deadlines are timers in the main loop below. Tickets opened since issue 18 run as
// RectificationV2; this type is kept for the workflows that started as it.
func Rectification(ctx workflow.Context, in Input) error {
	return rectify(ctx, in, 1)
}

// RectificationV2 is Rectification with fewer Temporal actions and history events
// per ticket (issue 18): its search attributes come with the start (engine.Start),
// so the first task upserts none; a stage's deadlines are computed by the write
// itself (Activities.Write) instead of a separate StageTimes local activity; the
// closing transition upserts nothing (the closed execution says it); and the
// opening stage's times may come in the input. A new workflow type instead of a
// workflow.GetVersion change because GetVersion itself costs a marker and a
// TemporalChangeVersion upsert (an action) in every new ticket's first task; old
// histories keep replaying as Rectification, and a worker without this type
// leaves a V2 task alone instead of running it as the old code.
func RectificationV2(ctx workflow.Context, in Input) error {
	return rectify(ctx, in, 2)
}

// RectificationV3 is RectificationV2 without workflow timers and with fewer search
// attributes (issue 18: at most 8 actions and 24 history events per happy-path
// ticket). Each write stores the ticket's next deadline as its wake_at
// (domain.NextDeadline); the deadline sweeper (engine.SweepDeadlines) signals
// SignalDeadline once it has passed, and the workflow then handles every deadline
// due by its own clock. Of the search attributes, RectifyTicket, RectifyDepartment
// and RectifyOverdue come with the start; the last two are upserted only when they
// change (a dispatch, transfer or return; overdue), so the happy path upserts
// none. RectifyStatus and RectifyDueAt are not set: a value set once and never
// updated would lie; rectify's pages and API say a ticket's status and deadline.
// A new type for the same reasons as V2.
func RectificationV3(ctx workflow.Context, in Input) error {
	return rectify(ctx, in, 3)
}

// SignalDeadline wakes a RectificationV3 workflow whose stored wake_at has passed.
// It carries nothing: the workflow handles what is due by workflow.Now, so a
// duplicate or early signal does nothing.
const SignalDeadline = "deadline"

func rectify(ctx workflow.Context, in Input, gen int) error {
	v2, v3 := gen >= 2, gen >= 3
	r := &rectification{mu: workflow.NewMutex(ctx), opened: in.State != nil, v2: v2, v3: v3}
	// Histories recorded before version 1 let Updates run before the opening; they
	// must replay as they ran. V2 was born after version 1.
	if !v2 && workflow.GetVersion(ctx, changeUpdatesWaitForOpen, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		r.opened = true
	}
	if in.State != nil {
		r.s = *in.State
		r.s.Ticket.Version = max(r.s.Ticket.Version, r.s.Version) // JSON does not carry Ticket.Version
	} else {
		r.s = initialState(in)
	}
	if v2 {
		r.seedSearchAttributes(ctx)
	}
	if err := r.registerHandlers(ctx); err != nil {
		return err
	}
	if in.State == nil {
		if err := r.open(ctx, in.Opening); err != nil {
			blockTask(r.s.Ticket.Number, "opening", err)
		}
		r.opened = true
	}
	if v3 {
		return r.runV3(ctx)
	}
	return r.run(ctx)
}

// Changes that alter the commands a history holds, for workflow.GetVersion. Keep
// each call until no running ticket can have a history from before it.
const changeUpdatesWaitForOpen = "updates-wait-for-open"

type rectification struct {
	s  State
	mu workflow.Mutex // one transition at a time: check, change, write
	// opened is set once the first transition is written. Updates wait for it: in a
	// workflow task retried after a worker crash, an Update could otherwise take
	// event number 1, which the lost attempt already wrote as the opening.
	opened bool
	// the running deadline timer, kept while the next deadline does not move
	timerAt     time.Time
	timer       workflow.Future
	cancelTimer workflow.CancelFunc
	// search attributes last written
	saStatus, saDept string
	saDue            time.Time
	saOverdue        bool
	saUnset          bool // V3: the start set no search attributes (tests): the first transition writes them
	pushing          int  // pushes to the 12345 platform still running (platform.go)
	v2               bool // RectificationV2 or V3
	v3               bool // RectificationV3: no timers, deadlines woken by SignalDeadline
}

func initialState(in Input) State {
	t := domain.Ticket{Number: in.Number, RatingID: in.RatingID, Round: 1, CreatedAt: in.CreatedAt,
		Status: domain.StatusPendingDispatch}
	if in.DepartmentCode != "" {
		t.Status, t.DepartmentCode = domain.StatusAwaitingSign, in.DepartmentCode
	}
	return State{Ticket: t, CitizenReach: in.CitizenReach, Policy: in.Policy}
}

// open records that the workflow runs and starts the sign clock of a dispatched ticket.
// A V2 ticket's opening stage may come computed in the input (engine.Start), so
// that its deadline is among the search attributes of the start.
func (r *rectification) open(ctx workflow.Context, preset *Opening) error {
	if r.s.Ticket.Status != domain.StatusAwaitingSign {
		return r.transition(ctx, domain.SystemActor, func() (step, error) {
			return step{event: "opened"}, nil
		})
	}
	return r.transition(ctx, domain.SystemActor, func() (step, error) {
		st := step{event: "dispatched", stageDays: r.s.Policy.SignDays,
			note: r.s.Ticket.DepartmentCode, notices: []string{activities.NoticeDispatched}}
		if r.v2 && preset != nil && preset.Days == st.stageDays {
			st.preset = preset
		}
		return st, nil
	})
}

// run waits for the next deadline or for a change made by an Update, until closed.
func (r *rectification) run(ctx workflow.Context) error {
	for r.s.Ticket.Open() {
		at, kind := r.nextDeadline()
		r.armTimer(ctx, at)
		version := r.s.Ticket.Version
		err := workflow.Await(ctx, func() bool {
			return r.s.Ticket.Version != version || (r.timer != nil && r.timer.IsReady()) ||
				workflow.GetInfo(ctx).GetContinueAsNewSuggested() || r.deadlineMoved()
		})
		if err != nil {
			return err
		}
		if r.timer != nil && r.timer.IsReady() && r.s.Ticket.Version == version {
			r.timer, r.timerAt = nil, time.Time{}
			if err := r.onDeadline(ctx, kind); err != nil {
				blockTask(r.s.Ticket.Number, "handling a deadline", err)
			}
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && r.s.Ticket.Open() {
			return r.continueAsNew(ctx)
		}
	}
	// Answer Updates that are still being written before the run ends.
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// continueAsNew hands the ticket to a new run of the same type, once running
// Updates have written and answered (the state they leave is carried over). A
// push to the 12345 platform still retrying would be lost with this run.
func (r *rectification) continueAsNew(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && r.pushing == 0 }); err != nil {
		return err
	}
	s := r.s
	next := Rectification
	switch {
	case r.v3:
		next = RectificationV3
	case r.v2:
		next = RectificationV2
	}
	return workflow.NewContinueAsNewError(ctx, next, Input{
		Number: s.Ticket.Number, RatingID: s.Ticket.RatingID, Policy: s.Policy, State: &s})
}

// runV3 is run without timers: it waits for a change made by an Update or for
// SignalDeadline, until closed. Each time it wakes it handles every deadline that
// is due by workflow.Now, each with its own write (which moves the stored wake_at
// on): after the signal, or after a write whose stage was already late (counted
// from the past: the demo seed; a resumed ticket), as a timer due at once would.
// A signal that finds nothing due (a duplicate, or a sweeper whose clock runs
// ahead) does nothing.
func (r *rectification) runV3(ctx workflow.Context) error {
	wake := workflow.GetSignalChannel(ctx, SignalDeadline)
	for r.s.Ticket.Open() {
		r.handleDue(ctx)
		if !r.s.Ticket.Open() {
			break
		}
		version := r.s.Ticket.Version
		err := workflow.Await(ctx, func() bool {
			return r.s.Ticket.Version != version || wake.Len() > 0 || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
		})
		if err != nil {
			return err
		}
		for wake.ReceiveAsync(nil) {
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() && r.s.Ticket.Open() {
			return r.continueAsNew(ctx)
		}
	}
	// Answer Updates that are still being written before the run ends.
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// handleDue handles the deadlines that have passed, oldest first: after a long
// silence a reminder, the overdue flag and the level-2 escalation may all be due.
// Each handling changes what nextDeadline returns (or an Update changed it while
// the handling waited for the mutex), so the loop ends.
func (r *rectification) handleDue(ctx workflow.Context) {
	for r.s.Ticket.Open() {
		at, kind := r.nextDeadline()
		if kind == deadlineNone || at.After(workflow.Now(ctx)) {
			return
		}
		version := r.s.Ticket.Version
		if err := r.onDeadline(ctx, kind); err != nil {
			blockTask(r.s.Ticket.Number, "handling a deadline", err)
		}
		if r.s.Ticket.Version == version {
			return // skipped: not reached with an exact clock, but never spin
		}
	}
}

// Deadline kinds, in the order they come within a stage.
const (
	deadlineNone      = domain.DeadlineNone
	deadlineRemind    = domain.DeadlineRemind
	deadlineDue       = domain.DeadlineDue
	deadlineEscalate2 = domain.DeadlineEscalate2
)

func (r *rectification) nextDeadline() (time.Time, domain.DeadlineKind) {
	return domain.NextDeadline(r.s.Ticket, r.s.Remind, r.s.Escalate2)
}

// deadlineMoved: in V2 a stage's times arrive with the write's result, after the
// version was raised, so the loop also wakes when the next deadline moves.
func (r *rectification) deadlineMoved() bool {
	if !r.v2 {
		return false
	}
	at, _ := r.nextDeadline()
	return !at.Equal(r.timerAt)
}

// armTimer keeps one timer for the next deadline, replacing it only when the
// deadline moved: an action that does not move it costs no timer events.
func (r *rectification) armTimer(ctx workflow.Context, at time.Time) {
	if r.timer != nil && at.Equal(r.timerAt) {
		return
	}
	if r.cancelTimer != nil {
		r.cancelTimer()
		r.timer, r.cancelTimer = nil, nil
	}
	r.timerAt = at
	if at.IsZero() {
		return
	}
	tctx, cancel := workflow.WithCancel(ctx)
	d := at.Sub(workflow.Now(ctx))
	if d < time.Millisecond {
		d = time.Millisecond // already due (e.g. after downtime): fire at once
	}
	r.timer, r.cancelTimer = workflow.NewTimer(tctx, d), cancel
}

// onDeadline handles a deadline that passed with nobody acting.
func (r *rectification) onDeadline(ctx workflow.Context, kind domain.DeadlineKind) error {
	return r.transition(ctx, domain.SystemActor, func() (step, error) {
		t := &r.s.Ticket
		// An Update may have moved the deadline while this waited for the mutex.
		if at, k := r.nextDeadline(); k != kind || at.After(workflow.Now(ctx)) {
			return step{}, errSkip
		}
		switch {
		case kind == deadlineRemind:
			r.s.Remind = nil
			return step{event: "reminded", notices: []string{activities.NoticeReminder}}, nil
		case kind == deadlineDue && t.Status == domain.StatusFollowingUp:
			// The SMS survey went unanswered: the call center takes over, with no deadline.
			t.CallTask, t.DueAt, r.s.Escalate2 = true, nil, nil
			return step{event: "survey_expired"}, nil
		case kind == deadlineDue:
			t.Overdue, t.EscalationLevel = true, 1
			return step{event: "overdue", notices: []string{activities.NoticeOverdue}}, nil
		case kind == deadlineEscalate2:
			t.EscalationLevel = 2
			return step{event: "escalated", notices: []string{activities.NoticeEscalated}}, nil
		}
		return step{}, errSkip
	})
}

// step is what one transition did, beyond the changes made to r.s directly.
type step struct {
	event      string
	note       string
	data       map[string]any
	stageDays  int // >0: a new stage starts now with this many working days
	extendBy   int // >0: the running stage's limit grows by this many working days
	noStage    bool
	notices    []string
	sendSurvey bool
	surveyUsed []byte
	exclude    bool
	preset     *Opening // V2: the stage's times, computed before the start
}

// errSkip means the transition turned out to have nothing to do.
var errSkip = temporal.NewApplicationError("nothing to do", "skip")

// transition applies one change under the mutex: decide (which checks the rules
// against the current state and changes it), compute new deadlines, then write the
// snapshot, its event and effects in one transaction. When decide fails, nothing
// has changed.
func (r *rectification) transition(ctx workflow.Context, actor domain.Actor, decide func() (step, error)) error {
	if err := r.mu.Lock(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()

	before := r.s
	st, err := decide()
	if err != nil {
		r.s = before
		if err == errSkip {
			return nil
		}
		return err
	}
	now := workflow.Now(ctx)
	t := &r.s.Ticket
	if p := t.PendingRequest; p != nil && p.RequestedAt.IsZero() {
		p.RequestedAt = now
	}
	var stage *activities.StageInput // V2: the write computes the stage's times
	if st.stageDays > 0 || st.extendBy > 0 {
		if st.stageDays > 0 {
			t.StageStartedAt, r.s.StageDays = &now, st.stageDays
			t.Overdue, t.EscalationLevel = false, 0
			if st.preset != nil {
				t.StageStartedAt = &st.preset.From
			}
		} else {
			r.s.StageDays += st.extendBy
		}
		switch {
		case st.preset != nil:
			r.setStage(now, st, st.preset.Times)
		case r.v2:
			stage = &activities.StageInput{From: *t.StageStartedAt, Days: r.s.StageDays}
		default:
			times, err := r.stageTimes(ctx, *t.StageStartedAt, r.s.StageDays)
			if err != nil {
				r.s = before
				return err
			}
			r.setStage(now, st, times)
		}
	}
	if st.noStage {
		t.StageStartedAt, t.DueAt, r.s.Remind, r.s.Escalate2, r.s.StageDays = nil, nil, nil, nil, 0
		t.Overdue, t.EscalationLevel = false, 0
	}
	if !t.Open() && t.ClosedAt == nil {
		t.ClosedAt = &now
		t.DueAt, r.s.Remind, r.s.Escalate2, t.PendingRequest = nil, nil, nil, nil
	}
	r.s.Seq++
	t.Version++
	r.s.Version = t.Version
	t.UpdatedAt = now
	ch := activities.Change{
		Ticket: *t,
		Event: domain.Event{Seq: r.s.Seq, Type: st.event, Actor: actor.Username, ActorRole: string(actor.Role),
			At: now, Note: st.note, DepartmentCode: t.DepartmentCode, Round: before.Ticket.Round, Data: st.data},
		SendSurvey: st.sendSurvey, SurveyUsed: st.surveyUsed, ExcludeRating: st.exclude,
	}
	if ch.Event.DepartmentCode == "" && st.data != nil {
		if d, ok := st.data["department_code"].(string); ok {
			ch.Event.DepartmentCode = d // a return names the department that returned it
		}
	}
	for _, k := range st.notices {
		ch.Notices = append(ch.Notices, activities.Notice{Kind: k})
	}
	if r.v3 {
		ch.Clock = &activities.Clock{Remind: r.s.Remind, Escalate2: r.s.Escalate2}
	}
	if r.v2 {
		ch.Stage, ch.Extend = stage, st.extendBy > 0
		var times activities.StageTimes
		err := workflow.ExecuteLocalActivity(localCtx(ctx), acts.Write, ch).Get(ctx, &times)
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeNoCalendarData {
			r.s = before // nothing was written: no deadline without the year's calendar
			return err
		}
		if err != nil {
			blockTask(t.Number, "writing", err) // as below
		}
		if stage != nil {
			r.setStage(now, st, times)
		}
	} else if err := workflow.ExecuteLocalActivity(localCtx(ctx), acts.Apply, ch).Get(ctx, nil); err != nil {
		// Apply retries for as long as the database is down, so this write can never
		// succeed: the state in memory is ahead of the database. Fail the workflow task
		// rather than run on; it is retried from history.
		blockTask(t.Number, "writing", err)
	}
	// A V2 ticket that closes ends its workflow now: the closed execution says so,
	// and its search attributes keep the last open state (see the README).
	switch {
	case r.v3 && t.Open():
		if err := r.upsertChangedSearchAttributes(ctx); err != nil {
			return err
		}
	case !r.v2 || t.Open():
		if err := r.upsertSearchAttributes(ctx); err != nil {
			return err
		}
	}
	r.pushToPlatform(ctx, st) // ticketing.mode external only
	return nil
}

// setStage takes a stage's computed times into the state.
func (r *rectification) setStage(now time.Time, st step, times activities.StageTimes) {
	t := &r.s.Ticket
	t.DueAt, r.s.Remind, r.s.Escalate2 = &times.DueAt, times.RemindAt, &times.Escalate2At
	if st.extendBy > 0 && times.DueAt.After(now) {
		t.Overdue, t.EscalationLevel = false, 0 // the extension gave time back
	}
	r.s.Remind = domain.StageReminder(r.s.Remind, t.Status, now)
}

func (r *rectification) stageTimes(ctx workflow.Context, from time.Time, days int) (activities.StageTimes, error) {
	var times activities.StageTimes
	err := workflow.ExecuteLocalActivity(localCtx(ctx), acts.StageTimes, activities.StageInput{From: from, Days: days}).Get(ctx, &times)
	return times, err
}

// localCtx runs ticket writes as local activities: they are short database
// transactions, and a local activity costs one history event instead of three.
// Retries go on while the database is down; every write is idempotent.
func localCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        200 * time.Millisecond,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeNoCalendarData},
		},
	})
}

// seedSearchAttributes learns what the start set (engine.Start), or what the run
// before a continue-as-new left, so that only a change is upserted.
func (r *rectification) seedSearchAttributes(ctx workflow.Context) {
	sa := workflow.GetTypedSearchAttributes(ctx)
	r.saStatus, _ = sa.GetKeyword(saStatus)
	r.saDept, _ = sa.GetKeyword(saDepartment)
	r.saDue, _ = sa.GetTime(saDueAt)
	r.saOverdue, _ = sa.GetBool(saOverdue)
	if _, ok := sa.GetKeyword(saStatus); !ok {
		r.saStatus = "-" // never set: the first transition writes them all
	}
	if _, ok := sa.GetKeyword(saDepartment); !ok && r.v3 {
		r.saUnset = true
	}
}

// upsertChangedSearchAttributes (V3) upserts RectifyDepartment and RectifyOverdue
// when they changed, and nothing else: neither changes on the happy path.
func (r *rectification) upsertChangedSearchAttributes(ctx workflow.Context) error {
	t := r.s.Ticket
	var updates []temporal.SearchAttributeUpdate
	if t.DepartmentCode != r.saDept || r.saUnset {
		updates = append(updates, saDepartment.ValueSet(t.DepartmentCode))
	}
	if t.Overdue != r.saOverdue || r.saUnset {
		updates = append(updates, saOverdue.ValueSet(t.Overdue))
	}
	if len(updates) == 0 {
		return nil
	}
	r.saDept, r.saOverdue, r.saUnset = t.DepartmentCode, t.Overdue, false
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

func (r *rectification) upsertSearchAttributes(ctx workflow.Context) error {
	t := r.s.Ticket
	var due time.Time
	if t.DueAt != nil {
		due = *t.DueAt
	}
	if string(t.Status) == r.saStatus && t.DepartmentCode == r.saDept && due.Equal(r.saDue) && t.Overdue == r.saOverdue {
		return nil
	}
	r.saStatus, r.saDept, r.saDue, r.saOverdue = string(t.Status), t.DepartmentCode, due, t.Overdue
	updates := []temporal.SearchAttributeUpdate{
		saStatus.ValueSet(string(t.Status)),
		saDepartment.ValueSet(t.DepartmentCode),
		saOverdue.ValueSet(t.Overdue),
	}
	if t.DueAt != nil {
		updates = append(updates, saDueAt.ValueSet(due))
	} else {
		updates = append(updates, saDueAt.ValueUnset())
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

var (
	saStatus     = temporal.NewSearchAttributeKeyKeyword(SAStatus)
	saDepartment = temporal.NewSearchAttributeKeyKeyword(SADepartment)
	saDueAt      = temporal.NewSearchAttributeKeyTime(SADueAt)
	saOverdue    = temporal.NewSearchAttributeKeyBool(SAOverdue)
)

// blockTask fails the current workflow task. The SDK's default panic policy blocks
// the workflow and retries the task, so a ticket whose deadline cannot be computed
// (no holiday data for the year) waits, visible in Temporal's UI and the worker's
// log, until an admin adds the data, instead of failing for good.
func blockTask(number, doing string, err error) {
	panic(fmt.Sprintf("ticket %s: %s: %v", number, doing, err))
}

// rejection is how an Update's validator says no: its type is the stable error code
// the HTTP layer maps to a status.
func rejection(code, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), code)
}
