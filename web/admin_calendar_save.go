package web

import (
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/services"
)

// adminCalendarSave stores the form's override (services.Admin.PutCalendarDay).
func (w *Web) adminCalendarSave(c echo.Context) error {
	form := map[string]string{}
	for _, f := range []string{"date", "kind", "name"} {
		form[f] = strings.TrimSpace(c.FormValue(f))
	}
	_, err := w.Services.Admin.PutCalendarDay(c.Request().Context(), sessionOf(c).User,
		services.CalendarDay{Date: form["date"], Kind: form["kind"], Name: form["name"]})
	if err != nil {
		res := w.refusal(c, err)
		return w.renderCalendar(c, res.Status, res.messages(langOf(c)), form)
	}
	return redirectDone(c, "/admin/calendar?year="+form["date"][:4], "admin.cal.saved", "") // a valid date: four digits
}
