package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// adminDepartmentSave posts the form to the API's POST /api/v1/departments.
func (w *Web) adminDepartmentSave(c echo.Context) error {
	form := map[string]string{"code": strings.TrimSpace(c.FormValue("code")), "name": strings.TrimSpace(c.FormValue("name"))}
	res := w.callAPI(c, http.MethodPost, "/api/v1/departments", form)
	if !res.ok() {
		return w.renderDepartments(c, res.Status, res.messages(langOf(c)), form)
	}
	return redirectDone(c, "/admin/departments", "admin.dept.saved", "")
}
