package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// adminDepartmentSave registers the form's department (services.Admin.CreateDepartment).
func (w *Web) adminDepartmentSave(c echo.Context) error {
	form := map[string]string{"code": strings.TrimSpace(c.FormValue("code")), "name": strings.TrimSpace(c.FormValue("name"))}
	_, err := w.Services.Admin.CreateDepartment(c.Request().Context(), sessionOf(c).User,
		domain.Department{Code: form["code"], Name: form["name"]})
	if err != nil {
		res := w.refusal(c, err)
		return w.renderDepartments(c, res.Status, res.messages(langOf(c)), form)
	}
	return redirectDone(c, "/admin/departments", "admin.dept.saved", "")
}
