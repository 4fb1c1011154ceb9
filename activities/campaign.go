package activities

import (
	"context"
	"rectify/campaigns"
	"time"

	"go.temporal.io/sdk/activity"
)

// ReleaseInput asks for one release of sampled cases into the call-back queue.
type ReleaseInput struct {
	Interval time.Duration // the campaign's pace while calls are allowed
}

// ReleaseResult says what a release did and when the campaign should release next.
type ReleaseResult struct {
	Open         bool // calls were allowed: the release ran
	Released     int
	Skipped      int
	Full         bool // every team reached its daily cap
	RulesVersion int
	NextAt       time.Time
}

// ReleaseCallbacks releases waiting cases into the call-back queue when citizens
// may be called now (calling hours on a calling day, by the working-day
// calendar), within each team's daily cap, and says when to come back: after the
// interval, or at the next window when calls are not allowed or the caps are
// reached. It is idempotent: a released case is never released again, and the
// caps count what is already in the queue.
func (a *Activities) ReleaseCallbacks(ctx context.Context, in ReleaseInput) (res ReleaseResult, err error) {
	now := time.Now()
	rules, err := campaigns.CurrentRules(ctx, a.Store)
	if err != nil {
		return res, err
	}
	res.RulesVersion = rules.Version
	cal := a.Schedule.Cal
	w, err := rules.WindowAt(cal, now)
	if err != nil {
		// Most likely a year without holiday data: say so loudly, and let Temporal
		// retry until an admin adds the data.
		activity.GetLogger(ctx).Error("call-back campaign cannot tell when calls are allowed", "err", err)
		return res, err
	}
	if w.Open {
		sum, err := campaigns.ReleaseCallbacks(ctx, a.Store, rules, now, cal.Location())
		if err != nil {
			return res, err
		}
		res.Open, res.Released, res.Skipped, res.Full = true, sum.Released, sum.Skipped, sum.Full
	}
	res.NextAt, err = rules.NextRelease(cal, w, now, in.Interval, res.Full)
	return res, err
}
