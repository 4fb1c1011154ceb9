package web

import (
	"github.com/labstack/echo/v4"
)

// refusal is a service's error as the page says it (failed). A fault (5xx) is
// logged here, with the request's ID, as the API logs its own: the page shows
// only "internal error".
func (w *Web) refusal(c echo.Context, err error) apiResult {
	res := failed(err)
	if res.Status >= 500 {
		w.Log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path(), "err", err)
	}
	return res
}
