package web

import (
	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

type board struct {
	*list
	ByDept         []store.OverdueRow
	Level1, Level2 int
	Total          int
	ByDays         []bucket
}

// bucket counts overdue tickets by working days past their deadline; Class
// colours its bar (later is redder).
type bucket struct {
	Label string
	Class string
	Count int
}

// supervisorBoard is the supervisors' workbench: the overdue board and the
// tickets that wait for a supervisor's decision.
func (w *Web) supervisorBoard(c echo.Context) error {
	ctx := c.Request().Context()
	defs := []tabDef{
		{key: "overdue", label: "sup.overdue", count: true,
			filter: store.WorkFilter{OpenOnly: true, Overdue: ptr(true), Order: store.DueFirst}},
		{key: "decisions", label: "sup.decisions", count: true,
			filter: store.WorkFilter{PendingRequest: true, Order: store.DueFirst}},
		{key: "awaiting", label: "sup.awaiting", count: true,
			filter: store.WorkFilter{Statuses: []domain.Status{domain.StatusAwaitingSupervisor}, Order: store.OldestFirst}},
	}
	byDept, err := w.Store.OverdueByDepartment(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	dues, err := w.Store.OverdueDeadlines(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	l := langOf(c)
	b := board{ByDept: byDept, ByDays: []bucket{{Label: l.T("sup.days.0"), Class: "late0"},
		{Label: l.T("sup.days.1"), Class: "late1"}, {Label: l.T("sup.days.2"), Class: "late2"},
		{Label: l.T("sup.days.4"), Class: "late3"}, {Label: l.T("sup.days.6"), Class: "late4"}}}
	for _, r := range byDept {
		b.Level1, b.Level2, b.Total = b.Level1+r.Level1, b.Level2+r.Level2, b.Total+r.Total
	}
	now := w.Now()
	for _, d := range dues {
		b.ByDays[overdueBucket(w.overdueDays(d.DueAt, now))].Count += d.Count
	}
	return w.showTabs(c, "sup", "sup.title", "supervisor", defs, func(l *list) any {
		b.list = l
		return b
	})
}
