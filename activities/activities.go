// Package activities holds the rectification workflow's side effects: computing
// deadlines on the working-day calendar and writing ticket transitions to Postgres.
// Every activity is idempotent, so Temporal may retry any of them.
package activities

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"rectify/calendar"
	"rectify/hotline"
	"rectify/notify"
	"rectify/store"
)

// ErrTypeNoCalendarData marks a deadline in a year without holiday data: retrying
// cannot help until an admin adds the data.
const ErrTypeNoCalendarData = "calendar_no_data"

// Activities holds the dependencies; the worker registers its methods.
type Activities struct {
	Store     *store.Store
	Schedule  calendar.Schedule
	Render    notify.Renderer
	SurveyTTL time.Duration   // how long a survey link stays valid (it dies earlier when its round ends)
	Platform  *hotline.Client // ticketing.mode external: where PushTicket sends work orders (platform.go); nil: builtin
	// AfterWrite, when set, runs after Apply's transaction committed and before Apply
	// returns; its error fails the attempt. Only tests set it, to fail an activity
	// half-way and show that the retry has no second effect.
	AfterWrite func(ctx context.Context, ch Change) error
	// StageStart, when set, may move the start a stage's times are counted from,
	// given the ticket's workflow ID. Only the demo seed of `rectify dev` uses it
	// (app/demodata.go), to count chosen stages as if they had begun working days
	// ago, so that a fresh demo has overdue tickets; it returns from unchanged for
	// every other ticket.
	StageStart func(workflowID string, from time.Time) time.Time
}

// StageTimes computes a stage's reminder, deadline and level-2 times.
func (a *Activities) StageTimes(ctx context.Context, in StageInput) (StageTimes, error) {
	from := in.From
	if a.StageStart != nil && activity.IsActivity(ctx) {
		from = a.StageStart(activity.GetInfo(ctx).WorkflowExecution.ID, from)
	}
	st, err := a.Schedule.Stage(from, in.Days)
	if errors.Is(err, calendar.ErrNoData) {
		return StageTimes{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNoCalendarData, err)
	}
	if err != nil {
		return StageTimes{}, err
	}
	return StageTimes{RemindAt: st.RemindAt, DueAt: st.DueAt, Escalate2At: st.Escalate2At}, nil
}

// Apply writes one transition with its event, messages and survey token.
func (a *Activities) Apply(ctx context.Context, ch Change) error {
	_, err := a.Write(ctx, ch)
	return err
}

// Write is Apply for workflows of type RectificationV2 and V3: when the change starts or
// extends a stage (ch.Stage), it also computes the stage's times, puts the deadline
// in the snapshot it writes, and returns them, so that a transition costs one local
// activity instead of two (StageTimes, then Apply). For V3 it also stores the
// ticket's wake_at (Change.Stored), which the deadline sweeper reads.
func (a *Activities) Write(ctx context.Context, ch Change) (StageTimes, error) {
	var times StageTimes
	if ch.Stage != nil {
		var err error
		if times, err = a.StageTimes(ctx, *ch.Stage); err != nil {
			return StageTimes{}, err
		}
	}
	return times, a.apply(ctx, ch, times)
}

func (a *Activities) apply(ctx context.Context, ch Change, times StageTimes) error {
	stored, wake := ch.Stored(times)
	sc := store.Change{Ticket: stored, Event: ch.Event, SurveyUsed: ch.SurveyUsed, ExcludeRating: ch.ExcludeRating,
		Wakes: ch.Clock != nil, WakeAt: wake}
	// The digest is of the workflow's input, not of what is generated here (the
	// survey token), so a retry of this same call is recognised as the same change.
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	sc.Digest = sum[:]
	sc.Replaced = func(r store.Replacement) {
		if !activity.IsActivity(ctx) {
			return // called directly (tests): no activity logger
		}
		activity.GetLogger(ctx).Warn("a lost workflow task's writes were replaced by the workflow's version",
			"ticket", ch.Ticket.Number, "from_seq", r.FromSeq, "events", r.Events, "types", r.Types,
			"retracted_messages", r.Retracted, "already_sent", r.AlreadySent, "surveys_withdrawn", r.SurveysWithdrawn)
	}
	notices := ch.Notices
	if ch.SendSurvey {
		tok, err := newSurveyToken(time.Now().Add(a.SurveyTTL))
		if err != nil {
			return err
		}
		sc.Survey = tok
		notices = append(notices, Notice{Kind: "survey"})
	}
	if len(notices) > 0 {
		key := fmt.Sprintf("%s:%d", ch.Ticket.Number, ch.Event.Seq)
		sc.Render = func(tc store.TicketContext, link string) (ns []store.Notification) {
			for _, n := range notices {
				ns = append(ns, a.Render.Render(n.Kind, key, tc, link)...)
			}
			return ns
		}
	}
	if err := a.Store.ApplyChange(ctx, sc); err != nil {
		return err
	}
	if a.AfterWrite != nil {
		return a.AfterWrite(ctx, ch)
	}
	return nil
}

// newSurveyToken makes a link credential with 256 random bits; only its hash is kept.
func newSurveyToken(expires time.Time) (*store.SurveyToken, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	raw := base64.RawURLEncoding.EncodeToString(b)
	return &store.SurveyToken{Raw: raw, Hash: HashSurveyToken(raw), ExpiresAt: expires}, nil
}

// HashSurveyToken is how survey tokens are looked up.
func HashSurveyToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}
