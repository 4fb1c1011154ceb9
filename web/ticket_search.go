package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

type searchData struct {
	Rows        []row
	Pager       pager
	Q, Status   string
	Dept        string
	Overdue     bool
	Statuses    []domain.Status
	Departments []domain.Department
	DeptFixed   bool // a department user sees only their own
}

// ticketSearch finds tickets by number, status, department and lateness.
func (w *Web) ticketSearch(c echo.Context) error {
	u := sessionOf(c).User
	p := w.newPage(c, "tickets", nil)
	p.Title = p.L.T("search.title")
	d := searchData{Q: strings.TrimSpace(c.QueryParam("q")), Status: c.QueryParam("status"),
		Dept: c.QueryParam("dept"), Overdue: c.QueryParam("overdue") == "1", Statuses: domain.Statuses}
	if d.Dept != "" {
		p.Errors = w.resolveDeptField(c.Request().Context(), p.L, &d.Dept)
	}
	f := store.WorkFilter{Query: d.Q, DepartmentCode: d.Dept, Order: store.NewestFirst}
	if s := domain.Status(d.Status); s.Valid() {
		f.Statuses = []domain.Status{s}
	}
	if d.Overdue {
		f.OpenOnly, f.Overdue = true, ptr(true)
	}
	if dept, all := u.TicketScope(); !all {
		f.DepartmentCode, d.Dept, d.DeptFixed = dept, dept, true
	}
	var err error
	if d.Rows, d.Pager, err = w.loadList(c, p.L, f); err != nil {
		return w.fail(c, err)
	}
	if !d.DeptFixed {
		if d.Departments, err = w.Store.ListDepartments(c.Request().Context()); err != nil {
			return w.fail(c, err)
		}
	}
	p.Data = d
	return w.render(c, 200, "tickets", p)
}
