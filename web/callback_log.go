package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// callbackLog posts the call form to the API's POST /api/v1/callbacks/{id}/log:
// done, back to the queue with a message (naming the ticket a negative answer
// opened); refused, the call page again with why.
func (w *Web) callbackLog(c echo.Context) error {
	id := c.Param("id")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
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
	body := map[string]any{"reached": form["reached"] == "true"}
	if n, err := strconv.Atoi(form["attempt"]); err == nil {
		body["attempt"] = n
	}
	if form["note"] != "" {
		body["note"] = form["note"]
	}
	if form["reached"] == "true" { // a call nobody answered has no verdict
		if form["level"] != "" {
			body["level"] = form["level"]
		}
		if len(params["aspects"]) > 0 {
			body["aspects"] = params["aspects"]
		}
		if form["comment"] != "" {
			body["comment"] = form["comment"]
		}
	}
	res := w.callAPI(c, http.MethodPost, fmt.Sprintf("/api/v1/callbacks/%s/log", id), body)
	if !res.ok() {
		if res.Status == http.StatusNotFound {
			return w.failStatus(c, http.StatusNotFound, "err.404")
		}
		return w.renderCallback(c, res.Status, res.messages(langOf(c)), form, aspects)
	}
	var out struct {
		Status       string `json:"status"`
		TicketNumber string `json:"ticket_number"`
	}
	_ = json.Unmarshal(res.Body, &out)
	switch {
	case out.TicketNumber != "":
		return redirectDone(c, "/callcenter/callbacks", "cb.logged.ticket", out.TicketNumber)
	case out.Status == "dropped":
		return redirectDone(c, "/callcenter/callbacks", "cb.logged.dropped", "")
	}
	return redirectDone(c, "/callcenter/callbacks", "cb.logged", "")
}
