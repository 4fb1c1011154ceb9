package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"rectify/campaigns"
	"rectify/domain"
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
// The list shows masked numbers; the call page shows the one being called.
func (w *Web) callbackQueue(c echo.Context) error {
	ctx := c.Request().Context()
	now := w.Now()
	d := callbacksData{All: c.QueryParam("all") == "1"}
	f := store.CallbackFilter{Cursor: c.QueryParam("cursor"), Limit: w.Policy.PageSize, DueBy: &now}
	if d.All {
		f.DueBy = nil
	}
	rows, next, err := w.Store.CallbackQueue(ctx, f)
	if err != nil {
		return w.fail(c, err)
	}
	for i := range rows {
		if p := rows[i].Applicant.Phone; p != "" {
			rows[i].Applicant.Phone = domain.MaskPhone(p)
		}
	}
	d.Rows, d.Pager = rows, pagerOf(c, next)
	if d.Depts, err = w.deptNames(c); err != nil {
		return w.fail(c, err)
	}
	rules, err := campaigns.CurrentRules(ctx, w.Store)
	if err != nil {
		return w.fail(c, err)
	}
	if win, err := rules.WindowAt(w.Calendar, now); err != nil {
		d.Window.Problem = true
	} else {
		d.Window = callingWindow{Open: win.Open, Until: win.Until, Next: win.Next}
	}
	p := w.newPage(c, "callbacks", d)
	p.Title = p.L.T("cb.title")
	return w.render(c, 200, "callbacks", p)
}
