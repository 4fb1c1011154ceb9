package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

type departmentsData struct {
	Departments []domain.Department
	Pager       pager
	Form        map[string]string
	Robots      []services.RobotView // masked: the page never holds a robot's credentials
	Names       map[string]string    // department names by code, for the robots' table
	All         []domain.Department
	RobotForm   map[string]string
	RobotErrors []string
}

// adminDepartments lists departments, a page at a time, with the form to add one.
func (w *Web) adminDepartments(c echo.Context) error {
	return w.renderDepartments(c, http.StatusOK, nil, nil)
}

func (w *Web) renderDepartments(c echo.Context, status int, errs []string, form map[string]string) error {
	return w.renderDepartmentsWith(c, status, departmentsData{Form: form}, errs)
}

// renderDepartmentsWith renders the page with d's forms and messages; the lists
// are loaded here.
func (w *Web) renderDepartmentsWith(c echo.Context, status int, d departmentsData, errs []string) error {
	ctx := c.Request().Context()
	ds, next, err := w.Store.ListDepartmentsPage(ctx, c.QueryParam("cursor"), w.Policy.PageSize)
	if err != nil {
		return w.fail(c, err)
	}
	all, err := w.Store.ListDepartments(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	rs, err := w.Store.ListRobots(ctx)
	if err != nil {
		return w.fail(c, err)
	}
	d.Departments, d.Pager, d.All, d.Names = ds, pagerOf(c, next), all, map[string]string{}
	for _, x := range all {
		d.Names[x.Code] = x.Name
	}
	for _, r := range rs {
		d.Robots = append(d.Robots, services.ViewRobot(r))
	}
	p := w.newPage(c, "depts", nil)
	p.Title, p.Errors = p.L.T("admin.depts"), errs
	p.Data = d
	return w.render(c, status, "admin_departments", p)
}
