package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// adminUserSave creates the form's user (services.Admin.CreateUser).
func (w *Web) adminUserSave(c echo.Context) error {
	form := map[string]string{}
	for _, f := range []string{"username", "role", "department_code", "display_name"} {
		form[f] = strings.TrimSpace(c.FormValue(f))
	}
	_, err := w.Services.Admin.CreateUser(c.Request().Context(), sessionOf(c).User, services.NewUser{Username: form["username"],
		Password: c.FormValue("password"), Role: domain.Role(form["role"]), DepartmentCode: form["department_code"],
		DisplayName: form["display_name"]})
	if err != nil {
		res := w.refusal(c, err)
		return w.renderUsers(c, res.Status, res.messages(langOf(c)), form, usersData{})
	}
	return redirectDone(c, "/admin/users", "admin.user.saved", "")
}
