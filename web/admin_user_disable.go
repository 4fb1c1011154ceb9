package web

import (
	"github.com/labstack/echo/v4"

	"rectify/services"
)

// adminUserDisable disables (disabled=true) or enables a user
// (services.Admin.PatchUser).
func (w *Web) adminUserDisable(c echo.Context) error {
	s := sessionOf(c)
	disabled := c.FormValue("disabled") == "true"
	if _, err := w.Services.Admin.PatchUser(c.Request().Context(), s.User, c.Param("username"),
		services.UserPatch{Disabled: &disabled}, s.raw); err != nil {
		res := w.refusal(c, err)
		return w.renderUsers(c, res.Status, res.messages(langOf(c)), nil, usersData{})
	}
	key := "admin.user.enabled"
	if disabled {
		key = "admin.user.disabled"
	}
	return redirectDone(c, "/admin/users", key, "")
}
