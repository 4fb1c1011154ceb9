package web

import "time"

// overdueDays is how many working days past due a deadline is at now, the one
// count the lists' light, the overdue board's buckets and its list all show. On
// the compressed demo clock (calendar.mode compressed) a working day lasts
// CompressedDay of wall time, so the days are counted on that clock: real
// calendar days would show a ticket already at 二级通报 (two working days late)
// as less than one day late.
func (w *Web) overdueDays(due, now time.Time) int {
	if !now.After(due) {
		return 0
	}
	if w.CompressedDay > 0 {
		return int(now.Sub(due) / w.CompressedDay)
	}
	n, err := w.Calendar.WorkingDaysBetween(due, now)
	if err != nil {
		return 0
	}
	return n
}

// overdueBucket is the overdue board's row for n working days late: the first
// holds tickets less than a full working day late, then 1, 2–3, 4–5, more.
func overdueBucket(n int) int {
	switch {
	case n < 1:
		return 0
	case n == 1:
		return 1
	case n <= 3:
		return 2
	case n <= 5:
		return 3
	}
	return 4
}
