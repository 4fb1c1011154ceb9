package bench

import (
	"context"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/workflow"

	"rectify/workflows"
)

// BareLifecycle is the lifecycle baseline: a workflow that accepts the same three
// Updates a happy-path ticket gets (sign, resolve, log_call) and does nothing else,
// so what it costs is Temporal's own floor for one start and three Updates.
func BareLifecycle(ctx workflow.Context) error {
	done := false
	for _, name := range []string{workflows.ActionSign, workflows.ActionResolve, workflows.ActionLogCall} {
		last := name == workflows.ActionLogCall
		if err := workflow.SetUpdateHandler(ctx, name, func(ctx workflow.Context, q workflows.ActionRequest) error {
			done = done || last
			return nil
		}); err != nil {
			return err
		}
	}
	if err := workflow.Await(ctx, func() bool { return done }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// bareOpened counts BareOpen workflows that ran their first task.
var bareOpened atomic.Int64

func bareOpenActivity(context.Context) error {
	bareOpened.Add(1)
	return nil
}

// BareOpen is the opening baseline: a workflow whose first task runs one local
// activity (as a ticket's first task writes the ticket) and then waits for Updates.
func BareOpen(ctx workflow.Context) error {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	if err := workflow.ExecuteLocalActivity(lctx, bareOpenActivity).Get(ctx, nil); err != nil {
		return err
	}
	return BareLifecycle(ctx)
}
