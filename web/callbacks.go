package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// callbacksData is the call-back queue page.
type callbacksData struct {
	Rows   []store.Callback
	Pager  pager
	Window callingWindow
	All    bool // resting call-backs (an unanswered call, waiting to be tried again) shown too
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
	rules, err := w.Store.SamplingRules(ctx)
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
