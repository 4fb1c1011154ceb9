package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// adminCalendarDelete posts to the API's DELETE /api/v1/calendar/days/{date}.
func (w *Web) adminCalendarDelete(c echo.Context) error {
	date := c.Param("date")
	res := w.callAPI(c, http.MethodDelete, "/api/v1/calendar/days/"+url.PathEscape(date), nil)
	if !res.ok() {
		return w.renderCalendar(c, res.Status, res.messages(langOf(c)), nil)
	}
	year := ""
	if len(date) >= 4 {
		year = date[:4]
	}
	return redirectDone(c, "/admin/calendar?year="+url.QueryEscape(year), "admin.cal.deleted", "")
}
