package engine

import (
	"context"
	"time"

	"rectify/store"
	"rectify/workflows"
)

// The deadline sweeper wakes RectificationV3 workflows, which keep no timers: each
// of a ticket's writes stores its next deadline as wake_at, and a pass signals
// SignalDeadline to the workflows of open tickets whose wake_at has passed. A
// deadline that passes costs one signal (an action); one that never passes (the
// happy path) costs nothing. Passes in several processes are harmless: a pass
// claims the tickets it signals (store.ClaimDueWakes), and a workflow handles only
// what is due by its own clock.
const (
	sweepBatch = 500
	// redeliverAfter is when a claimed ticket whose workflow wrote nothing (the
	// signal failed, or the workflow is stuck) is signalled again.
	redeliverAfter = time.Minute
)

// SweepDeadlines runs one pass: it signals the workflows of open tickets whose
// next deadline has passed, up to sweepBatch, and returns how many it signalled.
func (e *Engine) SweepDeadlines(ctx context.Context) (int, error) {
	due, err := e.Store.ClaimDueWakes(ctx, sweepBatch, redeliverAfter)
	if err != nil {
		return 0, err
	}
	return atOnce(due, func(d store.DueWake) error {
		err := e.Client.SignalWorkflow(ctx, workflows.WorkflowID(d.RatingID), "", workflows.SignalDeadline, nil)
		if isNotFound(err) {
			return nil // its run ended meanwhile: the closing write cleared wake_at
		}
		return err
	})
}

// RunDeadlineSweeper sweeps every interval until ctx ends; a pass that filled its
// batch is followed by another at once.
func (e *Engine) RunDeadlineSweeper(ctx context.Context, interval time.Duration) {
	for {
		n, err := e.SweepDeadlines(ctx)
		if err != nil && ctx.Err() == nil {
			e.Log.Warn("deadline sweeper", "err", err)
		}
		if n >= sweepBatch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
