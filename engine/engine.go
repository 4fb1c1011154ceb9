// Package engine connects the API to Temporal: it starts ticket workflows, sends
// them actions as Updates, and reconciles tickets whose workflow never started.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"rectify/activities"
	"rectify/calendar"
	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

// Engine starts and drives rectification workflows.
type Engine struct {
	Client    client.Client
	TaskQueue string
	Store     *store.Store
	Policy    workflows.Policy
	Log       *slog.Logger
	// Schedule, when set, computes a dispatched ticket's sign stage at the start, so
	// that its deadline is among the start's search attributes (no upsert for it).
	Schedule *calendar.Schedule
	// StageStart, when set, moves the opening stage's start as Activities.StageStart
	// moves the later ones (only the dev demo sets it, to seed overdue tickets).
	StageStart func(workflowID string, from time.Time) time.Time

	startOnce sync.Once
	starts    chan queuedStart // the start queue (Enqueue, RunStarts)
}

// queuedStart is a ticket to start, with the values (the trace) of the request
// that stored it, but not its cancellation.
type queuedStart struct {
	ctx context.Context
	t   store.TicketStart
}

// startQueueSize bounds the start queue; past it a start is left to the reconciler.
const startQueueSize = 1 << 16

func (e *Engine) queue() chan queuedStart {
	e.startOnce.Do(func() { e.starts = make(chan queuedStart, startQueueSize) })
	return e.starts
}

// Enqueue hands committed tickets to the start queue and returns at once: a
// rating's answer does not wait for Temporal. RunStarts drains the queue in this
// process right away; a start that is lost with the process (or that finds the
// queue full) is made by the reconciler, whose first pass runs when a process
// starts, or by the first action on the ticket (ActOnce).
// The start keeps ctx's values (its trace follows the rating's), not its end.
func (e *Engine) Enqueue(ctx context.Context, ts ...store.TicketStart) {
	q := e.queue()
	vals := context.WithoutCancel(ctx)
	for _, t := range ts {
		select {
		case q <- queuedStart{ctx: vals, t: t}:
		default:
			e.Log.Warn("start queue full: the reconciler will start the workflow", "ticket", t.Number)
		}
	}
}

// RunStarts drains the start queue, up to startsAtOnce starts at a time, until
// ctx ends.
func (e *Engine) RunStarts(ctx context.Context) {
	q := e.queue()
	sem := make(chan struct{}, startsAtOnce)
	for {
		select {
		case <-ctx.Done():
			return
		case qs := <-q:
			t := qs.t
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				sctx, cancel := context.WithTimeout(qs.ctx, 30*time.Second)
				defer cancel()
				stop := context.AfterFunc(ctx, cancel) // the process ends: leave it to the reconciler
				defer stop()
				if err := e.Start(sctx, t); err != nil && ctx.Err() == nil {
					e.Log.Warn("workflow start deferred to the reconciler", "ticket", t.Number,
						"workflow_id", workflows.WorkflowID(t.RatingID), "err", err)
				}
			}()
		}
	}
}

// startsAtOnce bounds the workflow starts RunStarts makes concurrently.
const startsAtOnce = 16

// Start makes sure the ticket's workflow exists. Starting twice is harmless: the
// workflow ID comes from the rating, and a running or finished one is kept.
func (e *Engine) Start(ctx context.Context, t store.TicketStart) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("engine.Start(%s): %w", t.Number, err)
		}
	}()
	in := workflows.Input{Number: t.Number, RatingID: t.RatingID, CitizenReach: t.CitizenReach,
		CreatedAt: t.CreatedAt, Policy: e.Policy}
	// The search attributes come with the start: they cost no action and share the
	// start's visibility write. RectificationV3 keeps only these three (see it).
	if t.Dispatched {
		in.DepartmentCode = t.DepartmentCode
	}
	sa := []temporal.SearchAttributeUpdate{
		temporal.NewSearchAttributeKeyKeyword(workflows.SATicket).ValueSet(t.Number),
		temporal.NewSearchAttributeKeyKeyword(workflows.SADepartment).ValueSet(in.DepartmentCode),
		temporal.NewSearchAttributeKeyBool(workflows.SAOverdue).ValueSet(false),
	}
	if t.Dispatched && e.Schedule != nil {
		// The sign stage, computed here, lets the first task's write compute nothing.
		from := time.Now()
		if e.StageStart != nil {
			from = e.StageStart(workflows.WorkflowID(t.RatingID), from)
		}
		if st, err := e.Schedule.Stage(from, e.Policy.SignDays); err == nil {
			in.Opening = &workflows.Opening{From: from, Days: e.Policy.SignDays, Times: activities.StageTimes{
				RemindAt: st.RemindAt, DueAt: st.DueAt, Escalate2At: st.Escalate2At}}
		} // else (no calendar data for the year): the workflow's first write computes it
	}
	_, err = e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.WorkflowID(t.RatingID),
		TaskQueue:                e.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    temporal.NewSearchAttributes(sa...),
	}, workflows.RectificationV3, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil // it ran and finished before: nothing to start
	}
	return err
}

// Act sends one action to a ticket's workflow and waits until it is written.
// Rejections come back as domain errors with the workflow's own code.
func (e *Engine) Act(ctx context.Context, ref store.TicketRef, action string, req workflows.ActionRequest) error {
	return e.ActOnce(ctx, ref, action, "", req)
}

// ActOnce is Act with an Update ID: Temporal applies an Update ID once per run, so
// a retry of the same request (after a lost answer) waits for the first outcome
// instead of acting twice. An empty updateID lets the SDK choose a fresh one.
func (e *Engine) ActOnce(ctx context.Context, ref store.TicketRef, action, updateID string, req workflows.ActionRequest) error {
	err := e.update(ctx, ref, action, updateID, req)
	if isNotFound(err) && ref.Status != domain.StatusClosed {
		// The ticket exists but its workflow does not (a crash between the two
		// stores): start it now rather than wait for the reconciler.
		ts, serr := e.Store.TicketStartOf(ctx, ref.Number)
		if serr != nil {
			return serr
		}
		if serr := e.Start(ctx, ts); serr != nil {
			return unavailable(serr)
		}
		err = e.update(ctx, ref, action, updateID, req)
	}
	return e.translate(ref, action, err)
}

func (e *Engine) update(ctx context.Context, ref store.TicketRef, action, updateID string, req workflows.ActionRequest) error {
	h, err := e.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		UpdateID:     updateID,
		WorkflowID:   workflows.WorkflowID(ref.RatingID),
		UpdateName:   action,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

func (e *Engine) translate(ref store.TicketRef, action string, err error) error {
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case workflows.CodeInvalidTransition:
			return &domain.Error{Kind: domain.KindConflict, Code: "invalid_transition", Message: appErr.Message()}
		case workflows.CodeNotFound:
			return domain.ErrNotFound
		case workflows.CodeInvalid:
			return &domain.Error{Kind: domain.KindInvalid, Code: "invalid_action", Message: appErr.Message(),
				Fields: fieldOf(appErr.Message())}
		case workflows.CodeGone:
			return &domain.Error{Kind: domain.KindGone, Code: "survey_gone", Message: appErr.Message()}
		case "calendar_no_data":
			return &domain.Error{Kind: domain.KindInvalid, Code: "calendar_no_data", Message: appErr.Message()}
		}
	}
	if isNotFound(err) {
		// The workflow finished: the ticket is closed and takes no more actions.
		return &domain.Error{Kind: domain.KindConflict, Code: "invalid_transition", Message: "the ticket is closed"}
	}
	e.Log.Error("ticket action failed", "ticket", ref.Number, "action", action, "err", err)
	return unavailable(err)
}

func fieldOf(msg string) []domain.FieldError {
	for i := 0; i < len(msg); i++ {
		if msg[i] == ':' {
			return []domain.FieldError{{Field: msg[:i], Message: strings.TrimSpace(msg[i+1:])}}
		}
	}
	return nil
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

func unavailable(err error) error {
	return &domain.Error{Kind: domain.KindUnavailable, Code: "temporal_unavailable",
		Message: "the workflow service did not answer; retry shortly", Err: err}
}

// Reconcile starts the workflows of tickets that have waited longer than minAge
// for theirs: the process that stored them died before starting them. Up to
// startsAtOnce starts run at once.
func (e *Engine) Reconcile(ctx context.Context, minAge time.Duration) (started int, err error) {
	ts, err := e.Store.UnstartedTickets(ctx, minAge, 500)
	if err != nil {
		return 0, err
	}
	return atOnce(ts, func(t store.TicketStart) error { return e.Start(ctx, t) })
}

// atOnce calls f for each item, up to startsAtOnce at a time, and counts the
// calls that succeeded; err is the first failure.
func atOnce[T any](items []T, f func(T) error) (ok int, err error) {
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, startsAtOnce)
	)
	for _, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ferr := f(it)
			mu.Lock()
			defer mu.Unlock()
			if ferr != nil {
				if err == nil {
					err = ferr
				}
				return
			}
			ok++
		}()
	}
	wg.Wait()
	return ok, err
}

// RunReconciler reconciles at start and then every interval until ctx ends. The
// first pass takes every unstarted ticket, however young: a process that starts
// may be the one that was killed after answering their ratings (their starts were
// in its queue); a ticket whose start another process still has queued is started
// twice, which is harmless.
func (e *Engine) RunReconciler(ctx context.Context, interval, minAge time.Duration) {
	age := time.Duration(0)
	for {
		n, err := e.Reconcile(ctx, age)
		age = minAge
		if err != nil && ctx.Err() == nil {
			e.Log.Warn("reconciler", "err", err)
		} else if n > 0 {
			e.Log.Info("reconciler started workflows of stranded tickets", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
