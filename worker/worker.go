// Package worker runs rectify's Temporal worker: the rectification workflow, its
// activities, and the outbox dispatcher that delivers notifications.
package worker

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"rectify/activities"
	"rectify/notify"
	"rectify/store"
	"rectify/workflows"
)

// New returns a worker polling the rectify task queue. cacheSize bounds the ticket
// workflows kept in memory; an evicted one is rebuilt from history on its next task.
func New(c client.Client, taskQueue string, acts *activities.Activities, cacheSize int, opts ...Option) sdkworker.Worker {
	sdkworker.SetStickyWorkflowCacheSize(cacheSize)
	var o sdkworker.Options
	for _, f := range opts {
		f(&o)
	}
	w := sdkworker.New(c, taskQueue, o)
	w.RegisterWorkflow(workflows.Rectification)
	w.RegisterWorkflow(workflows.RectificationV2)
	w.RegisterWorkflow(workflows.RectificationV3)
	w.RegisterWorkflow(workflows.Campaign)
	w.RegisterActivity(acts)
	return w
}

// Deliver runs the outbox dispatcher until ctx ends: due messages go to sender, at
// least once; a failing gateway only delays them.
func Deliver(ctx context.Context, st *store.Store, sender notify.Sender, log *slog.Logger) {
	for {
		n, err := st.DeliverDue(ctx, 256, sender.Send)
		if err != nil && ctx.Err() == nil {
			log.Warn("outbox delivery", "err", err)
		}
		wait := time.Second
		if n == 256 {
			wait = 0 // more are waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Option adjusts the worker's options.
type Option func(*sdkworker.Options)

// StopTimeout lets running activities finish for up to d when the worker stops
// (SIGTERM, a rolling deploy): the worker stops polling at once, and an activity
// still running after d is cancelled and retried by Temporal on another worker.
// Workflow tasks are short and need no grace: their state is in history.
func StopTimeout(d time.Duration) Option {
	return func(o *sdkworker.Options) { o.WorkerStopTimeout = d }
}
