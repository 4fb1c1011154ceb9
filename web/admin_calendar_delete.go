package web

import (
	"net/url"

	"github.com/labstack/echo/v4"
)

// adminCalendarDelete removes a day's override (services.Admin.DeleteCalendarDay).
func (w *Web) adminCalendarDelete(c echo.Context) error {
	date := c.Param("date")
	if err := w.Services.Admin.DeleteCalendarDay(c.Request().Context(), sessionOf(c).User, date); err != nil {
		res := w.refusal(c, err)
		return w.renderCalendar(c, res.Status, res.messages(langOf(c)), nil)
	}
	year := ""
	if len(date) >= 4 {
		year = date[:4]
	}
	return redirectDone(c, "/admin/calendar?year="+url.QueryEscape(year), "admin.cal.deleted", "")
}
