package domain_test

import (
	"testing"
	"time"

	"rectify/calendar"
	"rectify/domain"
)

// TestDeadlineOf pins the one rule for lights, countdowns and tabs: a to-sign
// ticket due at the end of the next working day is yellow (and so in 即将到期),
// a follow-up has no light whatever its due_at, and red starts at due_at even
// before the workflow flags it.
func TestDeadlineOf(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	cal := calendar.New(loc, 18*time.Hour)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc) // a Wednesday
	at := func(m time.Month, d, h int) *time.Time { t := time.Date(2026, m, d, h, 0, 0, 0, loc); return &t }
	if got, want := domain.DueSoonBy(cal, now), *at(11, 26, 18); !got.Equal(want) {
		t.Fatalf("DueSoonBy = %s, want %s", got, want)
	}
	fri := time.Date(2026, 11, 27, 15, 0, 0, 0, loc)
	if got, want := domain.DueSoonBy(cal, fri), *at(11, 30, 18); !got.Equal(want) {
		t.Errorf("DueSoonBy on a Friday = %s, want Monday's end %s", got, want)
	}
	tests := []struct {
		name  string
		t     domain.Ticket
		light domain.Light
		days  int
	}{
		{"pending dispatch", domain.Ticket{Status: domain.StatusPendingDispatch, DueAt: at(11, 26, 18)}, domain.LightNone, 0},
		{"survey window is not the department's", domain.Ticket{Status: domain.StatusFollowingUp, DueAt: at(12, 2, 18)}, domain.LightNone, 0},
		{"follow-up once overdue in rectifying", domain.Ticket{Status: domain.StatusFollowingUp, DueAt: at(11, 20, 18), Overdue: true}, domain.LightNone, 0},
		{"awaiting supervisor", domain.Ticket{Status: domain.StatusAwaitingSupervisor, DueAt: at(11, 20, 18)}, domain.LightNone, 0},
		{"closed", domain.Ticket{Status: domain.StatusClosed, DueAt: at(11, 20, 18)}, domain.LightNone, 0},
		{"no due", domain.Ticket{Status: domain.StatusRectifying}, domain.LightNone, 0},
		{"to sign, due end of tomorrow", domain.Ticket{Status: domain.StatusAwaitingSign, DueAt: at(11, 26, 18)}, domain.LightYellow, 1},
		{"due today", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 25, 18)}, domain.LightYellow, 0},
		{"due the day after tomorrow", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 27, 18)}, domain.LightGreen, 2},
		{"weekend not counted", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(12, 1, 18)}, domain.LightGreen, 4},
		{"past due, not flagged yet", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 25, 9)}, domain.LightRed, 0},
		{"flagged overdue", domain.Ticket{Status: domain.StatusAwaitingSign, DueAt: at(11, 23, 18), Overdue: true}, domain.LightRed, 2},
		{"overdue over a weekend", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 20, 18), Overdue: true}, domain.LightRed, 3},
	}
	for _, tt := range tests {
		got := domain.DeadlineOf(cal, tt.t, now)
		if got.Light != tt.light || (tt.light != domain.LightNone && got.Days != tt.days) {
			t.Errorf("%s: got %+v, want %s %d", tt.name, got, tt.light, tt.days)
		}
	}
	// Friday afternoon: Monday's deadline is the next working day's, so yellow.
	if got := domain.DeadlineOf(cal, domain.Ticket{Status: domain.StatusAwaitingSign, DueAt: at(11, 30, 18)}, fri); got.Light != domain.LightYellow || got.Days != 1 {
		t.Errorf("Friday, due Monday: got %+v, want yellow 1", got)
	}
}
