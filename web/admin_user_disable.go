package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// adminUserDisable disables (disabled=true) or enables a user through the API's
// PATCH /api/v1/users/{username}.
func (w *Web) adminUserDisable(c echo.Context) error {
	user := c.Param("username")
	disabled := c.FormValue("disabled") == "true"
	res := w.callAPI(c, http.MethodPatch, "/api/v1/users/"+url.PathEscape(user), map[string]bool{"disabled": disabled})
	if !res.ok() {
		return w.renderUsers(c, res.Status, res.messages(langOf(c)), nil, usersData{})
	}
	key := "admin.user.enabled"
	if disabled {
		key = "admin.user.disabled"
	}
	return redirectDone(c, "/admin/users", key, "")
}
