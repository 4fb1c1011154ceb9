package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// callbackLog logs the call form's call (services.Callbacks.Log): done, back to
// the queue with a message (naming the ticket a negative answer opened);
// refused, the call page again with why.
func (w *Web) callbackLog(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.failStatus(c, http.StatusNotFound, "err.404")
	}
	form := map[string]string{}
	for _, f := range []string{"reached", "attempt", "level", "comment", "note"} {
		form[f] = strings.TrimSpace(c.FormValue(f))
	}
	params, _ := c.FormParams()
	aspects := map[string]bool{}
	for _, a := range params["aspects"] {
		aspects[a] = true
	}
	reached := form["reached"] == "true"
	in := services.CallLog{Reached: &reached, Note: form["note"]}
	if n, err := strconv.Atoi(form["attempt"]); err == nil {
		in.Attempt = n
	}
	if reached { // a call nobody answered has no verdict
		in.Level, in.Aspects, in.Comment = domain.Level(form["level"]), params["aspects"], form["comment"]
	}
	out, err := w.Services.Callbacks.Log(c.Request().Context(), sessionOf(c).User, id, in)
	if err != nil {
		res := w.refusal(c, err)
		if res.Status == http.StatusNotFound {
			return w.failStatus(c, http.StatusNotFound, "err.404")
		}
		return w.renderCallback(c, res.Status, res.messages(langOf(c)), form, aspects)
	}
	switch {
	case out.TicketNumber != "":
		return redirectDone(c, "/callcenter/callbacks", "cb.logged.ticket", out.TicketNumber)
	case out.Status == "dropped":
		return redirectDone(c, "/callcenter/callbacks", "cb.logged.dropped", "")
	}
	return redirectDone(c, "/callcenter/callbacks", "cb.logged", "")
}
