package domain

import (
	"testing"
	"time"
)

func TestNextDeadline(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := t0.Add(time.Duration(h) * time.Hour); return &v }
	open := func(s Status, due *time.Time, overdue bool, level int) Ticket {
		return Ticket{Status: s, DueAt: due, Overdue: overdue, EscalationLevel: level}
	}
	cases := []struct {
		name              string
		t                 Ticket
		remind, escalate2 *time.Time
		want              *time.Time
		kind              DeadlineKind
	}{
		{"reminder first", open(StatusRectifying, at(48), false, 0), at(24), at(96), at(24), DeadlineRemind},
		{"then the due time", open(StatusRectifying, at(48), false, 0), nil, at(96), at(48), DeadlineDue},
		{"then level 2", open(StatusRectifying, at(48), true, 1), nil, at(96), at(96), DeadlineEscalate2},
		{"level 2 reached", open(StatusRectifying, at(48), true, 2), nil, at(96), nil, DeadlineNone},
		{"no stage", open(StatusPendingDispatch, nil, false, 0), nil, nil, nil, DeadlineNone},
		{"survey window", open(StatusFollowingUp, at(48), false, 0), nil, at(96), at(48), DeadlineDue},
		{"closed", open(StatusClosed, at(48), false, 0), at(24), at(96), nil, DeadlineNone},
	}
	for _, c := range cases {
		got, kind := NextDeadline(c.t, c.remind, c.escalate2)
		if kind != c.kind || (c.want == nil) != got.IsZero() || (c.want != nil && !got.Equal(*c.want)) {
			t.Errorf("%s: got %v kind %d, want %v kind %d", c.name, got, kind, c.want, c.kind)
		}
	}
}

// Handling each deadline as it comes moves the next one on, so the sweeper that
// reads the stored instant never finds the same one due twice.
func TestNextDeadlineMovesOnOnceHandled(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	remind, due, esc := t0.Add(24*time.Hour), t0.Add(48*time.Hour), t0.Add(96*time.Hour)
	tk := Ticket{Status: StatusAwaitingSign, DueAt: &due}
	r, e := &remind, &esc
	var seen []DeadlineKind
	for range 5 {
		_, kind := NextDeadline(tk, r, e)
		if kind == DeadlineNone {
			break
		}
		if len(seen) > 0 && seen[len(seen)-1] == kind {
			t.Fatalf("%v due again after it was handled", kind)
		}
		seen = append(seen, kind)
		switch kind { // as the workflow's onDeadline handles each
		case DeadlineRemind:
			r = nil
		case DeadlineDue:
			tk.Overdue, tk.EscalationLevel = true, 1
		case DeadlineEscalate2:
			tk.EscalationLevel = 2
		}
	}
	if len(seen) != 3 {
		t.Errorf("deadlines handled %v, want reminder, due, level 2", seen)
	}
}

func TestStageReminder(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	if StageReminder(&later, StatusRectifying, now) == nil {
		t.Error("a reminder ahead was dropped")
	}
	if StageReminder(&now, StatusRectifying, now) != nil || StageReminder(&earlier, StatusAwaitingSign, now) != nil {
		t.Error("a reminder at or before now was kept")
	}
	if StageReminder(&later, StatusFollowingUp, now) != nil {
		t.Error("the survey stage kept a reminder")
	}
	if StageReminder(nil, StatusRectifying, now) != nil {
		t.Error("nil became a reminder")
	}
}
