package web

import (
	"github.com/labstack/echo/v4"
)

// adminUserUnlock lifts a sign-in lockout early. The API has no such endpoint:
// lockouts are a property of password sign-in, which only the pages offer.
func (w *Web) adminUserUnlock(c echo.Context) error {
	if err := w.Services.Admin.UnlockUser(c.Request().Context(), sessionOf(c).User, c.Param("username")); err != nil {
		return w.fail(c, err)
	}
	w.Log.Info("sign-in lockout lifted", "username", c.Param("username"), "by", sessionOf(c).User.Username)
	return redirectDone(c, "/admin/users", "admin.user.unlocked", "")
}
