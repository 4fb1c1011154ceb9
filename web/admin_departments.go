package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

type departmentsData struct {
	Departments []domain.Department
	Pager       pager
	Form        map[string]string
}

// adminDepartments lists departments, a page at a time, with the form to add one.
func (w *Web) adminDepartments(c echo.Context) error {
	return w.renderDepartments(c, http.StatusOK, nil, nil)
}

func (w *Web) renderDepartments(c echo.Context, status int, errs []string, form map[string]string) error {
	ds, next, err := w.Store.ListDepartmentsPage(c.Request().Context(), c.QueryParam("cursor"), w.Policy.PageSize)
	if err != nil {
		return w.fail(c, err)
	}
	p := w.newPage(c, "depts", nil)
	p.Title, p.Errors = p.L.T("admin.depts"), errs
	p.Data = departmentsData{Departments: ds, Pager: pagerOf(c, next), Form: form}
	return w.render(c, status, "admin_departments", p)
}
