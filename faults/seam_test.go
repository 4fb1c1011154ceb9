package faults

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"rectify/activities"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/store"
)

// pgEvents is the event trail as Postgres has it: "seq:type:actor@at".
func pgEvents(t *testing.T, st *store.Store, number string) ([]string, domain.Ticket) {
	t.Helper()
	got, err := st.GetTicket(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range got.Events {
		out = append(out, fmt.Sprintf("%d:%s:%s@%s", e.Seq, e.Type, e.Actor, e.At.UTC().Format(time.RFC3339Nano)))
	}
	return out, got
}

// Issue 16 item 1, at the store: a lost workflow task wrote seq 2 (an urge, with
// its message) and seq 3; the retried task took another path and writes seq 2 as
// the deadline it met meanwhile. The workflow's version wins: event 2 is the
// deadline's, event 3 is gone, the urge's unsent message is retracted, the
// snapshot is the workflow's, and the statistics see the trail once.
func TestLostAttemptReplacedByWorkflowVersion(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t)
	number := newTicket(t, st, "SEAM-1", "13900000002")
	acts := storeActivities(st, nil)
	t0 := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	at := func(m int) *time.Time { v := t0.Add(time.Duration(m) * time.Minute); return &v }
	tk := func(v int, status domain.Status, overdue bool, upd int) domain.Ticket {
		return domain.Ticket{Number: number, RatingID: "SEAM-1", Status: status, DepartmentCode: dept, Round: 1,
			StageStartedAt: at(0), DueAt: at(60), Overdue: overdue, CreatedAt: t0, UpdatedAt: *at(upd), Version: v}
	}
	ev := func(seq int, typ, actor string, m int) domain.Event {
		return domain.Event{Seq: seq, Type: typ, Actor: actor, At: *at(m), Round: 1, DepartmentCode: dept}
	}
	apply := func(ch activities.Change) {
		t.Helper()
		if err := acts.Apply(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	// What the workflow keeps: the opening.
	apply(activities.Change{Ticket: tk(1, domain.StatusAwaitingSign, false, 0), Event: ev(1, "dispatched", "system", 0),
		Notices: []activities.Notice{{Kind: activities.NoticeDispatched}}})
	// The lost attempt: an urge and a sign, committed, never recorded in history.
	apply(activities.Change{Ticket: tk(2, domain.StatusAwaitingSign, false, 59), Event: ev(2, "urged", "sup", 59),
		Notices: []activities.Notice{{Kind: activities.NoticeUrged}}})
	apply(activities.Change{Ticket: tk(3, domain.StatusRectifying, false, 59), Event: ev(3, "signed", "scjg", 59)})
	// The retried task: the deadline fired first, and the Update was not redelivered.
	want := activities.Change{Ticket: tk(2, domain.StatusAwaitingSign, true, 61), Event: ev(2, "overdue", "system", 61),
		Notices: []activities.Notice{{Kind: activities.NoticeOverdue}}}
	want.Ticket.EscalationLevel = 1
	apply(want)
	apply(want) // and its own retry changes nothing

	evs, got := pgEvents(t, st, number)
	if w := []string{"1:dispatched:system@2026-12-01T01:00:00Z", "2:overdue:system@2026-12-01T02:01:00Z"}; !slices.Equal(evs, w) {
		t.Errorf("events: got %v, want %v", evs, w)
	}
	if got.Version != 2 || got.Status != domain.StatusAwaitingSign || !got.Overdue || got.EscalationLevel != 1 ||
		!got.UpdatedAt.Equal(*at(61)) {
		t.Errorf("snapshot: got version %d %s overdue=%v level %d updated %s; want the workflow's version 2",
			got.Version, got.Status, got.Overdue, got.EscalationLevel, got.UpdatedAt)
	}
	ns, err := st.ListNotifications(ctx, number, 100)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range ns {
		kinds = append(kinds, n.Kind)
	}
	slices.Sort(kinds)
	kinds = slices.Compact(kinds)
	if slices.Contains(kinds, activities.NoticeUrged) || !slices.Contains(kinds, activities.NoticeOverdue) {
		t.Errorf("queued message kinds %v: want the overdue notices and no urge", kinds)
	}
	var overdue int
	if err := st.Pool().QueryRow(ctx, `SELECT coalesce(sum(overdue), 0) FROM stats_delta WHERE department_code = $1`, dept).
		Scan(&overdue); err != nil {
		t.Fatal(err)
	}
	if overdue != 1 {
		t.Errorf("statistics count the ticket overdue %d times, want 1", overdue)
	}
	if n := store.Replacements(); n < 1 {
		t.Errorf("replacements counted: %d, want at least 1", n)
	}
}
