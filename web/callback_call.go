package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// callbackData is the page of one call-back: the case, the number to call, and
// the form that logs the call.
type callbackData struct {
	CB         store.Callback
	Next       int // the number of the call being logged: a form sent twice logs one call
	Form       map[string]string
	Aspects    map[string]bool
	Levels     []domain.Level
	AllAspects []string
	Depts      map[string]string // department names by code
}

// DeptName is a department's name, or its code when it has none.
func (d callbackData) DeptName(code string) string { return nameOr(d.Depts, code) }

// callbackCall shows one call-back to the operator making the call.
func (w *Web) callbackCall(c echo.Context) error {
	return w.renderCallback(c, http.StatusOK, nil, nil, nil)
}

func (w *Web) renderCallback(c echo.Context, status int, errs []string, form map[string]string, aspects map[string]bool) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return w.fail(c, domain.ErrNotFound)
	}
	cb, err := w.Store.GetCallback(c.Request().Context(), id)
	if err != nil {
		return w.fail(c, err)
	}
	if cb.Applicant.Phone != "" {
		if err := w.Store.RecordCaseReveals(c.Request().Context(), []string{cb.CaseNo}, sessionOf(c).User.Username); err != nil {
			return w.fail(c, err) // no audit row, no number
		}
	}
	if form == nil {
		form = map[string]string{}
	}
	names, err := w.deptNames(c)
	if err != nil {
		return w.fail(c, err)
	}
	p := w.newPage(c, "callbacks", callbackData{CB: cb, Next: cb.Attempts + 1, Form: form, Aspects: aspects,
		Levels: domain.Levels, AllAspects: domain.Aspects, Depts: names})
	p.Title = p.L.T("cb.call.title", cb.CaseNo)
	p.Errors = errs
	return w.render(c, status, "callback", p)
}
