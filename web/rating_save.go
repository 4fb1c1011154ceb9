package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// ratingSave saves the phone rating (services.Ratings.Submit, as the API's
// POST /api/v1/ratings).
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
	in := services.RatingInput{ID: form["id"], Channel: domain.ChannelHotline, Level: domain.Level(form["level"]),
		DepartmentCode: dept, Comment: form["comment"], Aspects: params["aspects"], Service: domain.Service{
			ServiceItemCode: form["service_item_code"], CaseNo: form["case_no"], RegionCode: form["region_code"]}}
	anonymous := form["anonymous"] == "1"
	if anonymous || form["name"] != "" || form["phone"] != "" {
		in.Citizen = &domain.Citizen{Name: form["name"], Phone: form["phone"], Anonymous: anonymous}
	}
	_, res, err := w.Services.Ratings.Submit(c.Request().Context(), sessionOf(c).User, in)
	if err != nil {
		f := failed(err)
		if f.Status >= 500 {
			w.Log.Error("phone rating not saved", "err", err)
		}
		return w.renderRatingForm(c, f.Status, f.messages(langOf(c)), form, aspects)
	}
	if res.Ticket != nil {
		return redirectDone(c, "/callcenter/rating", "rating.ticket", res.Ticket.Number)
	}
	return redirectDone(c, "/callcenter/rating", "rating.saved", "")
}
