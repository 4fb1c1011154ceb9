package campaigns

import "time"

// What department users may learn of the call-back sampling (issue 15, item 15).
// Which of a department's cases the call center will call must stay unknown to
// it, or it could reach the citizen first. A department therefore sees its
// figures for one whole calendar month that has ended, never a day or a running
// month (two requests a day apart would give the day's picks by difference), and
// one month at a time (a range minus its parts would undo the suppression). In a
// month with fewer than MinCases finished cases the sampling figures are
// suppressed: with few cases, "2 picked" says too much about each. The
// department's own self-submitted ratings are shown regardless.

// MinCases is the fewest finished cases in a month for which a department sees
// its sampling figures.
const MinCases = 20

// DepartmentMonth is the month a department user's request is answered for:
// the month of to (a day, as statistics count them) if it has ended by today,
// else the last month that has. Both results are days: the first and the last.
func DepartmentMonth(to, today time.Time) (first, last time.Time) {
	month := func(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC) }
	current := month(today)
	m := month(to)
	if !m.Before(current) {
		m = current.AddDate(0, -1, 0)
	}
	return m, m.AddDate(0, 1, -1)
}

// ForDepartment returns f as a department user may see it: the sampling figures
// suppressed (zero, rates null, Suppressed set) when the month had fewer than
// MinCases finished cases.
func ForDepartment(f Figures) Figures {
	if f.Cases >= MinCases {
		return f
	}
	return Figures{DepartmentCode: f.DepartmentCode, Cases: f.Cases, Suppressed: true,
		CalledBack: SatisfactionOf(nil), SelfSubmitted: f.SelfSubmitted}
}
