package campaigns_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"rectify/activities"
	"rectify/calendar"
	"rectify/campaigns"
	"rectify/workflows"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// campaignEnv runs the campaign workflow on the SDK's test clock with a fake
// release that answers "when next" exactly as the real activity does (the same
// campaigns rules on the real 2026 calendar), and records when it was called.
type campaignEnv struct {
	env   *testsuite.TestWorkflowEnvironment
	calls []time.Time
	fail  int // fail this many releases first
}

func newCampaignEnv(t *testing.T, start time.Time, rules campaigns.Rules) *campaignEnv {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	ce := &campaignEnv{env: s.NewTestWorkflowEnvironment()}
	ce.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute}) // see workflows/harness_test.go
	ce.env.SetStartTime(start)
	ce.env.RegisterWorkflow(workflows.Campaign)
	cal := calendar.New(shanghai, 18*time.Hour)
	var acts *activities.Activities
	ce.env.OnActivity(acts.ReleaseCallbacks, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReleaseInput) (activities.ReleaseResult, error) {
			now := ce.env.Now()
			ce.calls = append(ce.calls, now)
			if ce.fail > 0 {
				ce.fail--
				return activities.ReleaseResult{}, errors.New("database down")
			}
			w, err := rules.WindowAt(cal, now)
			if err != nil {
				return activities.ReleaseResult{}, err
			}
			next, err := rules.NextRelease(cal, w, now, in.Interval, false)
			return activities.ReleaseResult{Open: w.Open, NextAt: next}, err
		})
	return ce
}

// run runs the campaign until stop, then cancels it.
func (ce *campaignEnv) run(t *testing.T, in workflows.CampaignInput, stop time.Duration) {
	t.Helper()
	ce.env.RegisterDelayedCallback(ce.env.CancelWorkflow, stop)
	ce.env.ExecuteWorkflow(workflows.Campaign, in)
	if !ce.env.IsWorkflowCompleted() {
		t.Fatal("campaign did not stop")
	}
	var can *workflow.ContinueAsNewError
	if err := ce.env.GetWorkflowError(); err != nil && errors.As(err, &can) {
		t.Fatalf("unexpected continue-as-new: %v", err)
	}
}

func (ce *campaignEnv) want(t *testing.T, want ...time.Time) {
	t.Helper()
	if len(ce.calls) != len(want) {
		t.Fatalf("released at %v, want %v", fmtTimes(ce.calls), fmtTimes(want))
	}
	for i := range want {
		if !ce.calls[i].Equal(want[i]) {
			t.Fatalf("released at %v, want %v", fmtTimes(ce.calls), fmtTimes(want))
		}
	}
}

func fmtTimes(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.In(shanghai).Format("01-02 15:04:05")
	}
	return out
}

func TestCampaignReleasesEveryIntervalAndSleepsThroughTheNight(t *testing.T) {
	ce := newCampaignEnv(t, at("2026-03-02 19:50"), campaigns.Default()) // a Monday
	ce.run(t, workflows.CampaignInput{Interval: 5 * time.Minute, MaxSleep: 24 * time.Hour}, 13*time.Hour+20*time.Minute+time.Second)
	// 19:55 + 5m reaches the 20:00 close: the next release is Tuesday at nine.
	ce.want(t, at("2026-03-02 19:50"), at("2026-03-02 19:55"),
		at("2026-03-03 09:00"), at("2026-03-03 09:05"), at("2026-03-03 09:10"))
}

func TestCampaignSleepsThroughNationalDayToTheNextWorkingDay(t *testing.T) {
	ce := newCampaignEnv(t, at("2026-09-30 19:58"), campaigns.Default())
	ce.run(t, workflows.CampaignInput{Interval: 5 * time.Minute, MaxSleep: 30 * 24 * time.Hour},
		at("2026-10-08 09:01").Sub(at("2026-09-30 19:58")))
	ce.want(t, at("2026-09-30 19:58"), at("2026-10-08 09:00"))
}

func TestCampaignCallsOnTiaoxiuSaturday(t *testing.T) {
	ce := newCampaignEnv(t, at("2026-10-09 19:58"), campaigns.Default()) // Friday; Saturday 10-10 is worked
	ce.run(t, workflows.CampaignInput{Interval: 5 * time.Minute, MaxSleep: 30 * 24 * time.Hour}, 13*time.Hour+3*time.Minute)
	ce.want(t, at("2026-10-09 19:58"), at("2026-10-10 09:00"))
}

func TestCampaignLooksAgainAtLeastHourly(t *testing.T) {
	// A long sleep is cut into hours, so an admin's calendar override made at
	// night counts by the morning. Here nothing changes: it only looks again.
	ce := newCampaignEnv(t, at("2026-03-06 21:30"), campaigns.Default()) // Friday night
	ce.run(t, workflows.CampaignInput{Interval: 5 * time.Minute}, 3*time.Hour+time.Minute)
	ce.want(t, at("2026-03-06 21:30"), at("2026-03-06 22:30"), at("2026-03-06 23:30"), at("2026-03-07 00:30"))
}

func TestCampaignWakesOnSignal(t *testing.T) {
	ce := newCampaignEnv(t, at("2026-03-02 22:00"), campaigns.Default())
	// Asleep until Tuesday nine, woken at 22:10 (say the rules changed).
	ce.env.RegisterDelayedCallback(func() { ce.env.SignalWorkflow(workflows.SignalCampaignWake, nil) }, 10*time.Minute)
	ce.run(t, workflows.CampaignInput{Interval: 5 * time.Minute, MaxSleep: 24 * time.Hour}, 30*time.Minute)
	ce.want(t, at("2026-03-02 22:00"), at("2026-03-02 22:10"))
}

func TestCampaignSurvivesFailingReleases(t *testing.T) {
	ce := newCampaignEnv(t, at("2026-03-02 10:00"), campaigns.Default())
	ce.fail = 2
	ce.run(t, workflows.CampaignInput{Interval: 5 * time.Minute, MaxSleep: time.Hour}, 6*time.Minute)
	// Two failures retried (5s, then 10s later), then the usual pace.
	ce.want(t, at("2026-03-02 10:00"), at("2026-03-02 10:00").Add(5*time.Second),
		at("2026-03-02 10:00").Add(15*time.Second), at("2026-03-02 10:05").Add(15*time.Second))
}

func TestCampaignContinuesAsNew(t *testing.T) {
	ce := newCampaignEnv(t, at("2026-03-02 10:00"), campaigns.Default())
	ce.env.RegisterDelayedCallback(func() { ce.env.SetContinueAsNewSuggested(true) }, 7*time.Minute)
	ce.env.ExecuteWorkflow(workflows.Campaign, workflows.CampaignInput{Interval: 5 * time.Minute})
	var can *workflow.ContinueAsNewError
	if err := ce.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("err = %v, want continue-as-new", err)
	}
	// The 10:10 release is the new run's first.
	ce.want(t, at("2026-03-02 10:00"), at("2026-03-02 10:05"))
}
