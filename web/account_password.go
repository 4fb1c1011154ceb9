package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/services"
)

// accountPassword is the self-service password page of every signed-in user.
func (w *Web) accountPassword(c echo.Context) error {
	return w.renderPassword(c, http.StatusOK, nil)
}

func (w *Web) renderPassword(c echo.Context, status int, errs []string) error {
	p := w.newPage(c, "password", nil)
	p.Title, p.Errors = p.L.T("account.password"), errs
	return w.render(c, status, "account_password", p)
}

// accountPasswordSave changes the user's own password (services.Admin.PatchUser,
// which checks the current one); other sessions of the user end, this one stays.
func (w *Web) accountPasswordSave(c echo.Context) error {
	l := langOf(c)
	if c.FormValue("password") != c.FormValue("confirm") {
		return w.renderPassword(c, http.StatusUnprocessableEntity, []string{l.T("account.password.mismatch")})
	}
	s := sessionOf(c)
	me := s.User.Username
	pw, current := c.FormValue("password"), c.FormValue("current")
	if _, err := w.Services.Admin.PatchUser(c.Request().Context(), s.User, me,
		services.UserPatch{Password: &pw, CurrentPassword: &current}, s.raw); err != nil {
		res := w.refusal(c, err)
		return w.renderPassword(c, res.Status, res.messages(l))
	}
	w.Log.Info("password changed", "username", me)
	return redirectDone(c, "/account/password", "account.password.changed", "")
}
