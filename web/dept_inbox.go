package web

import (
	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// deptInbox is a department's workbench: its tickets split by what needs doing.
func (w *Web) deptInbox(c echo.Context) error {
	dept, _ := sessionOf(c).User.TicketScope() // the page is for department users only
	now := w.Now()
	f := func(f store.WorkFilter) store.WorkFilter {
		f.DepartmentCode = dept
		return f
	}
	defs := []tabDef{
		{key: "to_sign", label: "dept.to_sign", count: true,
			filter: f(store.WorkFilter{Statuses: []domain.Status{domain.StatusAwaitingSign}, Order: store.DueFirst})},
		{key: "rectifying", label: "dept.rectifying", count: true,
			filter: f(store.WorkFilter{Statuses: []domain.Status{domain.StatusRectifying}, Order: store.DueFirst})},
		{key: "due_soon", label: "dept.due_soon", count: true,
			filter: f(store.WorkFilter{Light: domain.LightYellow, Now: now, Soon: domain.DueSoonBy(w.Calendar, now), Order: store.DueFirst})},
		{key: "overdue", label: "dept.overdue", count: true,
			filter: f(store.WorkFilter{Light: domain.LightRed, Now: now, Order: store.DueFirst})},
		{key: "following", label: "dept.following",
			filter: f(store.WorkFilter{Statuses: []domain.Status{domain.StatusFollowingUp}, Order: store.NewestFirst})},
		{key: "closed", label: "dept.closed",
			filter: f(store.WorkFilter{Statuses: []domain.Status{domain.StatusClosed}, Order: store.NewestFirst})},
	}
	for i := range defs {
		defs[i].help = "dept.help"
	}
	return w.showTabs(c, "dept", "dept.title", "dept", defs, nil)
}
