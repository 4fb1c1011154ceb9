package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// switchLang remembers the chosen language for a year and goes back.
func (w *Web) switchLang(c echo.Context) error {
	l := Zh
	if c.Param("lang") == string(En) {
		l = En
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: c.Scheme() == "https", SameSite: http.SameSiteLaxMode})
	next := c.QueryParam("next")
	signIn := next == "/login" || strings.HasPrefix(next, "/login?")
	if localPath(next) == "" && !signIn {
		next = "/"
	}
	return c.Redirect(http.StatusSeeOther, next)
}
