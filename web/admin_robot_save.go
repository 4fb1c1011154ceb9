package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/services"
)

// adminRobotSave sets a department's robot from the form (services.Admin.PutRobot).
// The form never comes back with the address or secret typed: they are credentials.
func (w *Web) adminRobotSave(c echo.Context) error {
	code := strings.TrimSpace(c.FormValue("department_code"))
	in := services.RobotInput{Kind: c.FormValue("kind"), WebhookURL: strings.TrimSpace(c.FormValue("webhook_url")),
		Secret: strings.TrimSpace(c.FormValue("secret"))}
	l := langOf(c)
	if code == "" {
		return w.renderDepartmentsWith(c, http.StatusUnprocessableEntity, departmentsData{RobotForm: map[string]string{"kind": in.Kind},
			RobotErrors: []string{l.T("err.422"), l.T("admin.robot.dept") + "：" + l.T("err.required")}}, nil)
	}
	if _, err := w.Services.Admin.PutRobot(c.Request().Context(), sessionOf(c).User, code, in); err != nil {
		res := w.refusal(c, err)
		msgs := res.messages(l)
		for i, f := range res.Err.Fields { // the API's words, in the page's language where it has them
			if k := "admin.robot.err." + f.Field; known(k) && i+1 < len(msgs) {
				msgs[i+1] = l.Label("field", f.Field) + "：" + l.T(k)
			}
		}
		return w.renderDepartmentsWith(c, res.Status, departmentsData{RobotForm: map[string]string{"department_code": code, "kind": in.Kind},
			RobotErrors: msgs}, nil)
	}
	return redirectDone(c, "/admin/departments", "admin.robot.saved", "")
}

// adminRobotDelete removes a department's robot (services.Admin.DeleteRobot).
func (w *Web) adminRobotDelete(c echo.Context) error {
	if err := w.Services.Admin.DeleteRobot(c.Request().Context(), sessionOf(c).User, c.Param("code")); err != nil {
		res := w.refusal(c, err)
		return w.renderDepartmentsWith(c, res.Status, departmentsData{RobotErrors: res.messages(langOf(c))}, nil)
	}
	return redirectDone(c, "/admin/departments", "admin.robot.deleted", "")
}
