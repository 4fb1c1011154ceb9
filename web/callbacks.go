package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"rectify/services"
	"rectify/store"
)

// callbacksData is the call-back queue page.
type callbacksData struct {
	Rows   []store.Callback
	Pager  pager
	Window callingWindow
	All    bool              // resting call-backs (an unanswered call, waiting to be tried again) shown too
	Depts  map[string]string // department names by code
}

// deptNames maps department codes to names, for pages that show a code's name.
func (w *Web) deptNames(c echo.Context) (map[string]string, error) {
	ds, err := w.Store.ListDepartments(c.Request().Context())
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ds))
	for _, d := range ds {
		m[d.Code] = d.Name
	}
	return m, nil
}

// DeptName is a department's name, or its code when it has none.
func (d callbacksData) DeptName(code string) string { return nameOr(d.Depts, code) }

func nameOr(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return code
}

// callingWindow says whether citizens may be called now.
type callingWindow struct {
	Open    bool
	Until   time.Time
	Next    time.Time
	Problem bool // no holiday data for this year: nobody can say
}

// callbackQueue is the call center's satisfaction call-back queue (办件满意度回访):
// finished service cases the campaign released for a call, oldest case first.
// The list shows masked numbers (no reveal); the call page shows the one being called.
func (w *Web) callbackQueue(c echo.Context) error {
	d := callbacksData{All: c.QueryParam("all") == "1"}
	q, err := w.Services.Callbacks.Queue(c.Request().Context(), sessionOf(c).User,
		services.QueueQuery{All: d.All, Cursor: c.QueryParam("cursor"), Limit: w.Policy.PageSize})
	if err != nil {
		return w.fail(c, err)
	}
	d.Rows, d.Pager = q.Callbacks, pagerOf(c, q.Next)
	if d.Depts, err = w.deptNames(c); err != nil {
		return w.fail(c, err)
	}
	d.Window = callingWindow{Open: q.Window.Open, Problem: q.Window.Problem != ""}
	if t := q.Window.Until; t != nil {
		d.Window.Until = *t
	}
	if t := q.Window.Next; t != nil {
		d.Window.Next = *t
	}
	p := w.newPage(c, "callbacks", d)
	p.Title = p.L.T("cb.title")
	return w.render(c, 200, "callbacks", p)
}
