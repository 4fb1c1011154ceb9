package domain

import "time"

// The deadline rule: one function decides a ticket's traffic light, its
// countdown and which of the inbox's 即将到期 / 已超期 tabs it belongs to, so a
// list, a tab count and the SQL behind it cannot disagree.
//
//   - Only a department's own stages carry a light: 待签收 (awaiting_sign) and
//     整改中 (rectifying). Every other status has none, even with a due_at: a
//     回访中 ticket's due_at is the citizen's survey window, not the department's.
//   - Red (已超期 tab): the workflow flagged the stage overdue, or its due_at has
//     passed. The countdown is the working days since due_at.
//   - Yellow (即将到期 tab): not red, and due_at is no later than the end of the
//     next working day (DueSoonBy). The countdown is 今日到期 or 剩余 1 个工作日.
//   - Green: everything later; the countdown is the working days left.

// Light is the colour of a ticket's deadline.
type Light string

const (
	LightNone   Light = "none"
	LightGreen  Light = "green"
	LightYellow Light = "yellow"
	LightRed    Light = "red"
)

// DepartmentClock reports whether s is a stage whose deadline is the
// department's: the only stages with a light.
func DepartmentClock(s Status) bool { return s == StatusAwaitingSign || s == StatusRectifying }

// DepartmentClockStatuses are the statuses DepartmentClock accepts, for SQL.
var DepartmentClockStatuses = []Status{StatusAwaitingSign, StatusRectifying}

// WorkingDays is what the rule needs of the working-day calendar.
type WorkingDays interface {
	// Shift is the end of the n-th working day after t's day.
	Shift(t time.Time, n int) (time.Time, error)
	// WorkingDaysBetween counts working days d with day(a) < d <= day(b).
	WorkingDaysBetween(a, b time.Time) (int, error)
}

// DueSoonBy is the end of the next working day after now: a stage due at or
// before it (and not yet overdue) is due soon.
func DueSoonBy(cal WorkingDays, now time.Time) time.Time {
	t, err := cal.Shift(now, 1)
	if err != nil {
		return now.Add(24 * time.Hour)
	}
	return t
}

// Deadline is a ticket's light with its countdown.
type Deadline struct {
	Light Light
	// Days is the working days overdue (red) or left (yellow, green); -1 when
	// the calendar could not count them (no data for the year).
	Days int
}

// DeadlineOf applies the rule to t at now.
func DeadlineOf(cal WorkingDays, t Ticket, now time.Time) Deadline {
	if !DepartmentClock(t.Status) || t.DueAt == nil {
		return Deadline{Light: LightNone}
	}
	due := *t.DueAt
	count := func(a, b time.Time) int {
		n, err := cal.WorkingDaysBetween(a, b)
		if err != nil {
			return -1
		}
		return n
	}
	switch {
	case t.Overdue || !now.Before(due):
		return Deadline{Light: LightRed, Days: count(due, now)}
	case !due.After(DueSoonBy(cal, now)):
		return Deadline{Light: LightYellow, Days: count(now, due)}
	}
	return Deadline{Light: LightGreen, Days: count(now, due)}
}
