package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// adminRobotSave posts the robot form to the API's PUT
// /api/v1/departments/{code}/robot. The form never comes back with the address
// or secret typed: they are credentials.
func (w *Web) adminRobotSave(c echo.Context) error {
	code := strings.TrimSpace(c.FormValue("department_code"))
	body := map[string]string{"kind": c.FormValue("kind"), "webhook_url": strings.TrimSpace(c.FormValue("webhook_url")),
		"secret": strings.TrimSpace(c.FormValue("secret"))}
	l := langOf(c)
	if code == "" {
		return w.renderDepartmentsWith(c, http.StatusUnprocessableEntity, departmentsData{RobotForm: map[string]string{"kind": body["kind"]},
			RobotErrors: []string{l.T("err.422"), l.T("admin.robot.dept") + "：" + l.T("err.required")}}, nil)
	}
	res := w.callAPI(c, http.MethodPut, "/api/v1/departments/"+url.PathEscape(code)+"/robot", body)
	if !res.ok() {
		msgs := res.messages(l)
		for i, f := range res.Err.Fields { // the API's words, in the page's language where it has them
			if k := "admin.robot.err." + f.Field; known(k) && i+1 < len(msgs) {
				msgs[i+1] = l.Label("field", f.Field) + "：" + l.T(k)
			}
		}
		return w.renderDepartmentsWith(c, res.Status, departmentsData{RobotForm: map[string]string{"department_code": code, "kind": body["kind"]},
			RobotErrors: msgs}, nil)
	}
	return redirectDone(c, "/admin/departments", "admin.robot.saved", "")
}

// adminRobotDelete posts to the API's DELETE /api/v1/departments/{code}/robot.
func (w *Web) adminRobotDelete(c echo.Context) error {
	res := w.callAPI(c, http.MethodDelete, "/api/v1/departments/"+url.PathEscape(c.Param("code"))+"/robot", nil)
	if !res.ok() {
		return w.renderDepartmentsWith(c, res.Status, departmentsData{RobotErrors: res.messages(langOf(c))}, nil)
	}
	return redirectDone(c, "/admin/departments", "admin.robot.deleted", "")
}
