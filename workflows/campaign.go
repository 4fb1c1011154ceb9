package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"rectify/activities"
)

// CampaignWorkflowID names the satisfaction call-back campaign of a deployment. It
// is fixed per task queue, so starting it again (every worker start does) finds the
// running one instead of adding a second.
func CampaignWorkflowID(taskQueue string) string { return "campaign:callbacks:" + taskQueue }

// SignalCampaignWake makes the campaign release now, e.g. after the rules changed.
const SignalCampaignWake = "wake"

// CampaignInput paces the campaign; zero fields take the defaults.
type CampaignInput struct {
	Interval time.Duration // between releases while calls are allowed (default 5m)
	MaxSleep time.Duration // longest sleep, so calendar overrides made meanwhile count (default 1h)
}

func (in CampaignInput) withDefaults() CampaignInput {
	if in.Interval <= 0 {
		in.Interval = 5 * time.Minute
	}
	if in.MaxSleep <= 0 {
		in.MaxSleep = time.Hour
	}
	return in
}

// campaignReleasesPerRun bounds one run's history (about 8 events a release);
// the campaign then continues as new with the same input.
const campaignReleasesPerRun = 500

// minCampaignSleep keeps a release that says "again now" from spinning.
const minCampaignSleep = time.Second

// Campaign is the satisfaction call-back campaign: a workflow that never ends,
// releasing sampled cases into the call-back queue within calling hours and the
// teams' daily caps. Each release (an activity) says when the next is due; the
// campaign sleeps until then, or until woken by SignalCampaignWake.
func Campaign(ctx workflow.Context, in CampaignInput) error {
	in = in.withDefaults()
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		// Unlimited attempts: a database outage or a year without holiday data only
		// pauses the campaign; it resumes by itself once they are fixed.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2,
			MaximumInterval: 10 * time.Minute},
	})
	wake := workflow.GetSignalChannel(ctx, SignalCampaignWake)
	for i := 0; i < campaignReleasesPerRun && !workflow.GetInfo(ctx).GetContinueAsNewSuggested(); i++ {
		var res activities.ReleaseResult
		if err := workflow.ExecuteActivity(ctx, acts.ReleaseCallbacks, activities.ReleaseInput{Interval: in.Interval}).Get(ctx, &res); err != nil {
			return err
		}
		sleep := min(max(res.NextAt.Sub(workflow.Now(ctx)), minCampaignSleep), in.MaxSleep)
		tctx, cancel := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddFuture(workflow.NewTimer(tctx, sleep), func(workflow.Future) {})
		sel.AddReceive(wake, func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		cancel()
		drainWakes(wake) // any number of wake-ups while asleep mean one release
	}
	drainWakes(wake)
	return workflow.NewContinueAsNewError(ctx, Campaign, in)
}

func drainWakes(ch workflow.ReceiveChannel) {
	for ch.ReceiveAsync(nil) {
	}
}
