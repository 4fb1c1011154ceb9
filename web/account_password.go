package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
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

// accountPasswordSave posts to the API's PATCH /api/v1/users/{me}, which checks the
// current password; other sessions of the user end, this one stays.
func (w *Web) accountPasswordSave(c echo.Context) error {
	l := langOf(c)
	if c.FormValue("password") != c.FormValue("confirm") {
		return w.renderPassword(c, http.StatusUnprocessableEntity, []string{l.T("account.password.mismatch")})
	}
	me := sessionOf(c).User.Username
	res := w.callAPI(c, http.MethodPatch, "/api/v1/users/"+url.PathEscape(me),
		map[string]string{"password": c.FormValue("password"), "current_password": c.FormValue("current")})
	if !res.ok() {
		return w.renderPassword(c, res.Status, res.messages(l))
	}
	w.Log.Info("password changed", "username", me)
	return redirectDone(c, "/account/password", "account.password.changed", "")
}
