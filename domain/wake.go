package domain

import "time"

// The deadline clock of a running ticket: which of its stage's times comes next.
// The workflow asks it what to handle when a deadline passes, and the ticket's
// write (activities.Write, RectificationV3) asks it what to store as the ticket's
// wake_at, the instant the deadline sweeper wakes the workflow (engine). Both
// use these functions, so the stored instant is exactly the one the workflow will
// find due: a wake never finds nothing to do, and what it does moves wake_at on.

// DeadlineKind names a stage's deadlines, in the order they come within a stage.
type DeadlineKind int

const (
	DeadlineNone      DeadlineKind = iota
	DeadlineRemind                 // 催办: one working day before the deadline
	DeadlineDue                    // the stage's deadline (overdue; a survey's end)
	DeadlineEscalate2              // level-2 escalation after an overdue stage
)

// NextDeadline is the ticket's next deadline, given the running stage's reminder
// and level-2 times (nil: none pending): the reminder while one is pending; else
// the due time until the stage is flagged overdue; then the level-2 escalation
// until it is reached.
func NextDeadline(t Ticket, remind, escalate2 *time.Time) (time.Time, DeadlineKind) {
	switch {
	case !t.Open():
	case remind != nil:
		return *remind, DeadlineRemind
	case t.DueAt != nil && !t.Overdue:
		return *t.DueAt, DeadlineDue
	case escalate2 != nil && t.EscalationLevel < 2:
		return *escalate2, DeadlineEscalate2
	}
	return time.Time{}, DeadlineNone
}

// StageReminder is the reminder a stage keeps when it starts (or is extended) at
// now: none in the past, and none for the survey stage (following_up), whose
// deadline is the citizen's: a 催办 would tell the department to act on nothing.
func StageReminder(remind *time.Time, status Status, now time.Time) *time.Time {
	if remind == nil || !remind.After(now) || status == StatusFollowingUp {
		return nil
	}
	return remind
}
