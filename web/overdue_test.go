package web

import (
	"testing"
	"time"

	"rectify/calendar"
)

// On the compressed demo clock a ticket at 二级通报 (two working days late) is
// counted as two days late, not "less than one" (issue 17 item 10), and the board's
// bucket is the one its light names.
func TestOverdueDaysAndBuckets(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	due := time.Date(2026, 11, 25, 18, 0, 0, 0, loc) // a Wednesday
	real := &Web{Deps: Deps{Calendar: calendar.New(loc, 18*time.Hour)}}
	demo := &Web{Deps: Deps{Calendar: calendar.New(loc, 18*time.Hour), CompressedDay: 2 * time.Second}}
	for _, c := range []struct {
		name   string
		w      *Web
		now    time.Time
		days   int
		bucket int
	}{
		{"not yet due", real, due.Add(-time.Hour), 0, 0},
		{"hours late", real, due.Add(2 * time.Hour), 0, 0},
		{"Thursday", real, due.Add(24 * time.Hour), 1, 1},
		{"next Monday", real, due.Add(5 * 24 * time.Hour), 3, 2},
		{"demo: 1.5s late", demo, due.Add(1500 * time.Millisecond), 0, 0},
		{"demo: level 2 after 4.1s", demo, due.Add(4100 * time.Millisecond), 2, 2},
		{"demo: 13s late", demo, due.Add(13 * time.Second), 6, 4},
	} {
		got := c.w.overdueDays(due, c.now)
		if got != c.days || overdueBucket(got) != c.bucket {
			t.Errorf("%s: %d days (bucket %d), want %d (bucket %d)", c.name, got, overdueBucket(got), c.days, c.bucket)
		}
	}
}
