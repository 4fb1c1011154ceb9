package web

import (
	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

type callCenterData struct {
	*list
	Departments []domain.Department
}

// callCenter is the 12345 workbench: calls to make, surveys out, tickets to dispatch.
func (w *Web) callCenter(c echo.Context) error {
	following := []domain.Status{domain.StatusFollowingUp}
	defs := []tabDef{
		{key: "calls", label: "call.calls", help: "call.help.calls", count: true,
			filter: store.WorkFilter{Statuses: following, CallTask: ptr(true), Order: store.DueFirst}},
		{key: "sms", label: "call.sms", help: "call.help.sms", count: true,
			filter: store.WorkFilter{Statuses: following, CallTask: ptr(false), Order: store.DueFirst}},
		{key: "dispatch", label: "call.dispatch", help: "call.help.disp", count: true,
			filter: store.WorkFilter{Statuses: []domain.Status{domain.StatusPendingDispatch}, Order: store.OldestFirst}},
	}
	ds, err := w.Store.ListDepartments(c.Request().Context())
	if err != nil {
		return w.fail(c, err)
	}
	return w.showTabs(c, "call", "call.title", "callcenter", defs, func(l *list) any {
		return callCenterData{list: l, Departments: ds}
	})
}
