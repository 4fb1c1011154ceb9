package integration

import (
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"rectify/config"
)

// day is the compressed length of one calendar day in the timer tests: long enough
// that a 50ms poll sees each escalation level, short enough for a quick suite.
const day = time.Second

// onCompressedClock maps a real time r of a stage that started at from onto the
// compressed clock, as the schedule does: from + (r-from)·day/24h, in whole ms.
func onCompressedClock(from, r time.Time) time.Time {
	ms := float64(r.Sub(from)) * float64(day) / float64(24*time.Hour) / float64(time.Millisecond)
	return from.Add(time.Duration(math.Round(ms)) * time.Millisecond)
}

// near reports whether got is within a few milliseconds of want (the database keeps
// microseconds, the workflow milliseconds).
func near(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -5*time.Millisecond && d < 5*time.Millisecond
}

// Issue 3 in compressed time: nobody signs, so the reminder goes out a working day
// before the deadline, the ticket turns overdue at it (level 1, supervisors told)
// and reaches level 2 two working days later. Weekends and holidays stretch the
// stage as in real time, so every wait is computed from the ticket's own times.
func TestUnsignedTicketGoesOverdueAndEscalates(t *testing.T) {
	t.Parallel()
	// Two sign days put the reminder (end of the first working day) after the
	// start at any time of day; with one, an evening start would have none.
	a, tm := setup(t, compressed(day), func(c *config.Config) { c.Rules.SignDays = 2 })
	number := a.negative(tm.channel, a.rating(a.id("overdue"), "very_dissatisfied", deptA))

	tk := a.dispatched(tm.supervisor, number)
	start, due := *tk.StageStartedAt, *tk.DueAt
	if want := onCompressedClock(start, a.deadline(start, 2)); !near(due, want) {
		t.Fatalf("due_at %s, want %s: 2 working days from %s on a %s-per-day clock", due, want, start, day)
	}
	remindAt := onCompressedClock(start, a.deadline(start, 1))
	level2At := onCompressedClock(start, a.deadline(start, 2+2))
	if time.Until(level2At) > time.Minute {
		t.Fatalf("level 2 is due at %s, over a minute away: compressed time is not in effect", level2At)
	}

	tk = a.waitTicket(tm.supervisor, number, "overdue", time.Until(due)+10*time.Second, func(v ticketView) bool { return v.Overdue })
	if tk.EscalationLevel != 1 || tk.Status != "awaiting_sign" {
		t.Fatalf("at the deadline: %s, want still awaiting_sign, overdue at escalation level 1", tk)
	}
	reminded, ok1 := tk.event("reminded")
	overdue, ok2 := tk.event("overdue")
	if !ok1 || !ok2 || reminded.Seq > overdue.Seq || reminded.Actor != "system" || overdue.Actor != "system" {
		t.Fatalf("events %v: want reminded, then overdue, both by the system", tk.eventTypes())
	}
	if reminded.At.Before(remindAt.Add(-5*time.Millisecond)) || overdue.At.Before(due.Add(-5*time.Millisecond)) {
		t.Fatalf("reminded at %s (due %s), overdue at %s (due %s): a timer fired early", reminded.At, remindAt, overdue.At, due)
	}
	ns := a.notifications(number)
	for _, want := range [][2]string{{"reminder", "department"}, {"overdue", "department"}, {"overdue", "supervisors"}} {
		if !hasNotification(ns, want[0], want[1]) {
			t.Errorf("no %s notification to %s among %+v", want[0], want[1], ns)
		}
	}

	var list struct {
		Tickets []ticketView `json:"tickets"`
	}
	a.do("GET", "/api/v1/tickets?overdue=true", tm.supervisor, nil).Want(t, http.StatusOK).Decode(t, &list)
	if !slices.ContainsFunc(list.Tickets, func(v ticketView) bool { return v.Number == number }) {
		t.Errorf("GET /tickets?overdue=true does not list %s", number)
	}

	tk = a.waitTicket(tm.supervisor, number, "escalation level 2", time.Until(level2At)+10*time.Second,
		func(v ticketView) bool { return v.EscalationLevel == 2 })
	escalated, ok := tk.event("escalated")
	if !ok || !tk.Overdue || escalated.At.Before(level2At.Add(-5*time.Millisecond)) {
		t.Fatalf("at level 2: %s (escalated at %s, due %s)", tk, escalated.At, level2At)
	}
	if !hasNotification(a.notifications(number), "escalated", "supervisors") {
		t.Errorf("no escalated notification to supervisors")
	}

	// Signing late starts the rectify stage with a clean slate.
	tk = a.mustAct(tm.deptA, number, "sign", nil)
	if tk.Status != "rectifying" || tk.Overdue || tk.EscalationLevel != 0 || tk.DueAt == nil || !tk.DueAt.After(time.Now()) {
		t.Fatalf("signed late: %s, want rectifying, not overdue, with a new deadline ahead", tk)
	}
}
