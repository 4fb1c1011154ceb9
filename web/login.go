package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type loginData struct {
	Username string
	Next     string
	Token    string // the form's CSRF token, mirrored in a cookie until there is a session
}

// loginPage shows the sign-in form; a signed-in user goes straight home.
func (w *Web) loginPage(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookieName); err == nil && ck.Value != "" {
		if ss, err := w.Store.SessionByToken(c.Request().Context(), ck.Value); err == nil {
			return c.Redirect(http.StatusSeeOther, homeOf(ss.User.Role))
		}
	}
	p := w.newPage(c, "login", nil)
	if c.QueryParam("expired") == "1" {
		p.Errors = []string{p.L.T("login.expired")}
	}
	return w.renderLogin(c, http.StatusOK, p, "", localPath(c.QueryParam("next")))
}

// renderLogin issues a fresh form token each time the form is shown.
func (w *Web) renderLogin(c echo.Context, status int, p *page, username, next string) error {
	tok := randomToken()
	setCookie(c, loginCookie, tok, "/login", 3600, http.SameSiteStrictMode)
	p.Title = p.L.T("login.title")
	p.Data = loginData{Username: username, Next: next, Token: tok}
	return w.render(c, status, "login", p)
}
