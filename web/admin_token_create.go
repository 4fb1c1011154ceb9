package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// adminTokenCreate issues an API token (services.Admin.CreateToken) and answers
// with the page showing it: the token is in no URL, cookie or log.
func (w *Web) adminTokenCreate(c echo.Context) error {
	user := c.Param("username")
	tok, err := w.Services.Admin.CreateToken(c.Request().Context(), sessionOf(c).User, user, nil)
	if err != nil {
		res := w.refusal(c, err)
		return w.renderUsers(c, res.Status, res.messages(langOf(c)), nil, usersData{})
	}
	return w.renderUsers(c, http.StatusOK, nil, nil, usersData{NewToken: tok.Token, TokenUser: user})
}
