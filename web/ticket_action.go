package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/server"
)

// newIdemKey is a fresh Idempotency-Key for one render of an action form, so a
// double submit or a resubmit after a lost answer acts once.
func newIdemKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

// Form fields of the action forms, by the type the API takes them in.
var (
	textFields = []string{"department_code", "note", "reason", "report", "comment", "level"}
	boolFields = []string{"approve", "uphold", "reached"}
)

// afterAction is where a done action leads: back to the ticket while it is
// still the user's to see, else (a department returned it, it was dispatched
// elsewhere) to the user's inbox, with one message saying where it went.
func (w *Web) afterAction(c echo.Context, number, action string) error {
	u := sessionOf(c).User
	t, err := w.Store.GetTicket(c.Request().Context(), number)
	if err == nil && u.SeesTicket(t.DepartmentCode) {
		return redirectDone(c, "/tickets/"+url.PathEscape(number), "act.done", "")
	}
	key := "act.done.away"
	if action == "return" {
		key = "act.done.returned"
	}
	return redirectDone(c, homeOf(u.Role), key, number)
}

// ticketAction posts a ticket's action form to the API's
// POST /api/v1/tickets/{number}/{action}. Done: back to the ticket with a
// message. Refused: the ticket again, with the API's status and why.
func (w *Web) ticketAction(c echo.Context) error {
	number, action := c.Param("number"), c.Param("action")
	body := map[string]any{}
	form := map[string]string{"_action": action}
	for _, f := range textFields {
		if v := strings.TrimSpace(c.FormValue(f)); v != "" {
			body[f], form[f] = v, v
		}
	}
	for _, f := range boolFields {
		if v := c.FormValue(f); v != "" {
			body[f], form[f] = v == "true", v
		}
	}
	if v := strings.TrimSpace(c.FormValue("working_days")); v != "" {
		form["working_days"] = v
		if n, err := strconv.Atoi(v); err == nil {
			body["working_days"] = n
		}
	}
	if body["reached"] == false {
		delete(body, "level") // a call nobody answered has no verdict
	}
	res := w.callAPIWith(c, http.MethodPost, "/api/v1/tickets/"+url.PathEscape(number)+"/"+url.PathEscape(action), body,
		http.Header{server.IdempotencyHeader: {c.FormValue("_idem")}})
	if res.ok() {
		return w.afterAction(c, number, action)
	}
	if res.Status == http.StatusNotFound && res.Err.Code != "unknown_action" {
		return w.fail(c, domain.ErrNotFound)
	}
	// A number revealed on this page stays revealed on the refused form's page:
	// shown again, so audited again, as a click on 查看完整号码 would be.
	reveal := false
	if c.FormValue("_revealed") == "1" && sessionOf(c).User.Role.SeesPhones() {
		ref, err := w.Store.GetTicketRef(c.Request().Context(), number)
		if err != nil {
			return w.fail(c, err)
		}
		if err := w.Store.RecordPhoneReveal(c.Request().Context(), ref.RatingID, sessionOf(c).User.Username); err != nil {
			return w.fail(c, err)
		}
		reveal = true
	}
	return w.renderTicket(c, res.Status, res.messages(langOf(c)), reveal, form)
}
