package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

type ratingData struct {
	ID          string
	Form        map[string]string
	Aspects     map[string]bool
	Levels      []domain.Level
	AllAspects  []string
	Departments []domain.Department
}

// ratingForm is the call center's form for a rating given by phone (channel
// hotline). Its id is fixed when the form is shown, so submitting it twice
// registers one rating: the API treats the id as the idempotency key.
func (w *Web) ratingForm(c echo.Context) error {
	return w.renderRatingForm(c, http.StatusOK, nil, nil, nil)
}

func (w *Web) renderRatingForm(c echo.Context, status int, errs []string, form map[string]string, aspects map[string]bool) error {
	ds, err := w.Store.ListDepartments(c.Request().Context())
	if err != nil {
		return w.fail(c, err)
	}
	p := w.newPage(c, "rating", nil)
	p.Title = p.L.T("rating.title")
	p.Errors = errs
	d := ratingData{Form: form, Aspects: aspects, Levels: domain.Levels, AllAspects: domain.Aspects, Departments: ds}
	if form != nil {
		d.ID = form["id"]
	}
	if d.ID == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		d.ID = "HOTLINE-" + w.Now().In(w.Calendar.Location()).Format("20060102") + "-" + strings.ToUpper(hex.EncodeToString(b))
	}
	p.Data = d
	return w.render(c, status, "rating", p)
}
