package workflows

import (
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"rectify/activities"
)

// TicketingExternal is Policy.Ticketing when a province's 12345 platform runs the
// work orders: each dispatch is pushed there, and the platform's webhook sends the
// department's actions back as the usual Updates. Empty or "builtin": rectify's own
// workbench is the only one.
const TicketingExternal = "external"

// changePushPlatform guards the push: histories recorded before it have no marker
// and replay as before (they never ran in external mode anyway).
const changePushPlatform = "push-12345-platform"

// pushToPlatform sends a dispatched ticket to the 12345 platform. It does not wait:
// the Update that dispatched answers at once, and the push retries with backoff
// for as long as the platform is down (the platform dedupes on the key).
func (r *rectification) pushToPlatform(ctx workflow.Context, st step) {
	if r.s.Policy.Ticketing != TicketingExternal || !slices.Contains(st.notices, activities.NoticeDispatched) {
		return
	}
	if workflow.GetVersion(ctx, changePushPlatform, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	t := r.s.Ticket
	in := activities.PushInput{Number: t.Number, Seq: r.s.Seq, Round: t.Round, DepartmentCode: t.DepartmentCode, DueAt: t.DueAt}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
			MaximumInterval: 10 * time.Minute, NonRetryableErrorTypes: []string{activities.ErrTypePlatformRefused}},
	})
	f := workflow.ExecuteActivity(actx, acts.PushTicket, in)
	r.pushing++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { r.pushing-- }()
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("12345 platform refused the work order: an operator must resolve it",
				"ticket", in.Number, "seq", in.Seq, "err", err)
		}
	})
}
