package web

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// adminTokenCreate issues an API token through POST /api/v1/users/{username}/tokens
// and answers with the page showing it: the token is in no URL, cookie or log.
func (w *Web) adminTokenCreate(c echo.Context) error {
	user := c.Param("username")
	res := w.callAPI(c, http.MethodPost, "/api/v1/users/"+url.PathEscape(user)+"/tokens", nil)
	if !res.ok() {
		return w.renderUsers(c, res.Status, res.messages(langOf(c)), nil, usersData{})
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(res.Body, &out); err != nil {
		return w.fail(c, err)
	}
	return w.renderUsers(c, http.StatusOK, nil, nil, usersData{NewToken: out.Token, TokenUser: user})
}
