package web

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"rectify/store"
)

// tabDef is one section of a workbench: its filter, and whether its count is
// shown on the tab.
type tabDef struct {
	key, label, help string
	filter           store.WorkFilter
	count            bool
}

// showTabs renders a workbench of tabbed ticket lists; the `tab` parameter picks
// the section, the first by default.
func (w *Web) showTabs(c echo.Context, nav, title, view string, defs []tabDef, extra func(*list) any) error {
	ctx := c.Request().Context()
	p := w.newPage(c, nav, nil)
	p.Title = p.L.T(title)
	active := defs[0]
	for _, d := range defs {
		if d.key == c.QueryParam("tab") {
			active = d
		}
	}
	var l list
	l.Tab = active.key
	for _, d := range defs {
		t := tab{Key: d.key, Label: p.L.T(d.label), Active: d.key == active.key, Count: -1,
			URL: c.Request().URL.Path + "?" + url.Values{"tab": {d.key}}.Encode()}
		if d.count {
			n, err := w.Store.CountWork(ctx, d.filter)
			if err != nil {
				return w.fail(c, err)
			}
			t.Count = n
		}
		l.Tabs = append(l.Tabs, t)
	}
	if active.help != "" {
		l.Help = p.L.T(active.help)
	}
	var err error
	if l.Rows, l.Pager, err = w.loadList(c, p.L, active.filter); err != nil {
		return w.fail(c, err)
	}
	p.Data = &l
	if extra != nil {
		p.Data = extra(&l)
	}
	return w.render(c, 200, view, p)
}
