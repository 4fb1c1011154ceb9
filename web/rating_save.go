package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

// ratingSave posts the phone rating to the API's POST /api/v1/ratings.
func (w *Web) ratingSave(c echo.Context) error {
	form := map[string]string{}
	for _, f := range []string{"id", "level", "department_code", "comment", "name", "phone", "anonymous",
		"service_item_code", "case_no", "region_code"} {
		form[f] = strings.TrimSpace(c.FormValue(f))
	}
	params, _ := c.FormParams()
	aspects := map[string]bool{}
	for _, a := range params["aspects"] {
		aspects[a] = true
	}
	// The picker offers names; a department the directory does not know is
	// refused here, so a phone rating never silently waits for dispatch.
	dept := form["department_code"]
	if errs := w.resolveDeptField(c.Request().Context(), langOf(c), &dept); errs != nil {
		return w.renderRatingForm(c, http.StatusUnprocessableEntity, append([]string{langOf(c).T("err.422")}, errs...), form, aspects)
	}
	body := map[string]any{"id": form["id"], "channel": domain.ChannelHotline, "level": form["level"],
		"department_code": dept}
	for _, f := range []string{"comment", "service_item_code", "case_no", "region_code"} {
		if form[f] != "" {
			body[f] = form[f]
		}
	}
	if len(params["aspects"]) > 0 {
		body["aspects"] = params["aspects"]
	}
	anonymous := form["anonymous"] == "1"
	if anonymous || form["name"] != "" || form["phone"] != "" {
		body["citizen"] = domain.Citizen{Name: form["name"], Phone: form["phone"], Anonymous: anonymous}
	}
	res := w.callAPI(c, http.MethodPost, "/api/v1/ratings", body)
	if !res.ok() {
		return w.renderRatingForm(c, res.Status, res.messages(langOf(c)), form, aspects)
	}
	var out struct {
		TicketNumber string `json:"ticket_number"`
	}
	_ = json.Unmarshal(res.Body, &out)
	if out.TicketNumber != "" {
		return redirectDone(c, "/callcenter/rating", "rating.ticket", out.TicketNumber)
	}
	return redirectDone(c, "/callcenter/rating", "rating.saved", "")
}
