package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// adminUserSave posts the form to the API's POST /api/v1/users.
func (w *Web) adminUserSave(c echo.Context) error {
	form := map[string]string{}
	for _, f := range []string{"username", "role", "department_code", "display_name"} {
		form[f] = strings.TrimSpace(c.FormValue(f))
	}
	body := map[string]any{"username": form["username"], "password": c.FormValue("password"), "role": form["role"],
		"display_name": form["display_name"]}
	if form["department_code"] != "" {
		body["department_code"] = form["department_code"]
	}
	res := w.callAPI(c, http.MethodPost, "/api/v1/users", body)
	if !res.ok() {
		return w.renderUsers(c, res.Status, res.messages(langOf(c)), form, usersData{})
	}
	return redirectDone(c, "/admin/users", "admin.user.saved", "")
}
