package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/calendar"
	"rectify/store"
)

type calendarData struct {
	Year      int
	Prev      int
	Next      int
	Source    string
	NoData    bool
	Days      []calendar.Day
	Overrides []store.CalendarOverride
	Form      map[string]string
}

// adminCalendar shows a year's holidays and adjusted working days, the overrides
// admins entered, and the form to enter one.
func (w *Web) adminCalendar(c echo.Context) error {
	return w.renderCalendar(c, http.StatusOK, nil, nil)
}

func (w *Web) renderCalendar(c echo.Context, status int, errs []string, form map[string]string) error {
	year, err := strconv.Atoi(c.QueryParam("year"))
	if err != nil || year < 1900 || year > 2200 {
		year = w.Now().In(w.Calendar.Location()).Year()
	}
	if form != nil && len(form["date"]) >= 4 {
		if y, err := strconv.Atoi(form["date"][:4]); err == nil && y >= 1900 && y <= 2200 {
			year = y
		}
	}
	d := calendarData{Year: year, Prev: year - 1, Next: year + 1, Form: form}
	days, source, err := w.Calendar.Year(year)
	if err != nil {
		d.NoData = true
	}
	d.Days, d.Source = days, source
	all, err := w.Store.ListCalendarOverrides(c.Request().Context())
	if err != nil {
		return w.fail(c, err)
	}
	for _, o := range all {
		if strings.HasPrefix(o.Date, strconv.Itoa(year)) {
			d.Overrides = append(d.Overrides, o)
		}
	}
	p := w.newPage(c, "calendar", nil)
	p.Title, p.Errors = p.L.T("admin.cal"), errs
	p.Data = d
	return w.render(c, status, "admin_calendar", p)
}
