package web

import (
	"github.com/labstack/echo/v4"
)

// logout ends the session on the server, not just in the browser.
func (w *Web) logout(c echo.Context) error {
	if err := w.Store.DeleteSession(c.Request().Context(), sessionOf(c).raw); err != nil {
		return w.fail(c, err)
	}
	clearCookie(c, sessionCookieName, "/")
	return redirectDone(c, "/login", "login.signedout", "")
}
