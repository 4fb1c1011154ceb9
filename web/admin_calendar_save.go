package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// adminCalendarSave posts the form to the API's PUT /api/v1/calendar/days/{date}.
func (w *Web) adminCalendarSave(c echo.Context) error {
	form := map[string]string{}
	for _, f := range []string{"date", "kind", "name"} {
		form[f] = strings.TrimSpace(c.FormValue(f))
	}
	res := w.callAPI(c, http.MethodPut, "/api/v1/calendar/days/"+url.PathEscape(form["date"]),
		map[string]string{"kind": form["kind"], "name": form["name"]})
	if !res.ok() {
		return w.renderCalendar(c, res.Status, res.messages(langOf(c)), form)
	}
	return redirectDone(c, "/admin/calendar?year="+url.QueryEscape(form["date"][:4]), "admin.cal.saved", "")
}
