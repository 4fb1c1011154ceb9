package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// newIdemKey is a fresh Idempotency-Key for one render of an action form, so a
// double submit or a resubmit after a lost answer acts once.
func newIdemKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return hex.EncodeToString(b)
}

// afterAction is where a done action leads: back to the ticket while it is
// still the user's to see, else (a department returned it, it was dispatched
// elsewhere) to the user's inbox, with one message saying where it went.
func (w *Web) afterAction(c echo.Context, number, action string) error {
	u := sessionOf(c).User
	if _, err := w.Services.Tickets.Get(c.Request().Context(), u, number); err == nil {
		return redirectDone(c, "/tickets/"+url.PathEscape(number), "act.done", "")
	}
	key := "act.done.away"
	if action == domain.ActionReturn {
		key = "act.done.returned"
	}
	return redirectDone(c, homeOf(u.Role), key, number)
}

// actionForm reads an action form into the service's input, field by field of
// the rule table, and keeps what was entered, to show again if refused.
func actionForm(c echo.Context, action string) (services.ActionInput, map[string]string) {
	var in services.ActionInput
	form := map[string]string{"_action": action}
	for _, f := range domain.ActionFields() {
		v := c.FormValue(f.Name)
		if f.Type != domain.FieldBool {
			v = strings.TrimSpace(v)
		}
		if v != "" {
			form[f.Name] = v
			in.Set(f.Name, v)
		}
	}
	if in.Reached != nil && !*in.Reached {
		in.Level = nil // a call nobody answered has no verdict
	}
	in.IdempotencyKey = c.FormValue("_idem")
	return in, form
}

// ticketAction takes a ticket's action form (services.Tickets.Act, as the API's
// POST /api/v1/tickets/{number}/{action} does). Done: back to the ticket with
// a message. Refused: the ticket again, with the status and why.
func (w *Web) ticketAction(c echo.Context) error {
	number, action := c.Param("number"), c.Param("action")
	in, form := actionForm(c, action)
	res := apiResult{Status: http.StatusOK}
	start := time.Now()
	acted, err := w.Services.Tickets.Act(c.Request().Context(), sessionOf(c).User, number, action, in)
	switch {
	case err != nil:
		res = failed(err)
	case acted.Replayed:
		// The form was sent before under the same key: its first answer stands.
		res = apiResult{Status: acted.Answer.Status, Body: acted.Answer.Body}
		if !res.ok() {
			_ = json.Unmarshal(res.Body, &res)
		}
	}
	if _, known := domain.RuleOf(action); known {
		w.Metrics.ObserveAction(action, "web", res.Status, time.Since(start))
	}
	if res.ok() {
		return w.afterAction(c, number, action)
	}
	if res.Status == http.StatusNotFound && res.Err.Code != "unknown_action" {
		return w.fail(c, domain.ErrNotFound)
	}
	if res.Status >= 500 {
		w.Log.Error("ticket action failed", "ticket", number, "action", action, "err", err)
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
