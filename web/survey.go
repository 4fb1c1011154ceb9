package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
	"rectify/store"
)

type surveyData struct {
	Info    store.SurveyTokenInfo
	Token   string
	Levels  []domain.Level
	Level   string
	Comment string
	Done    bool
	Gone    bool
}

// Content reports whether the answer was a satisfied one: the thanks then say
// nothing about passing it on, since there is nothing left to follow up.
func (d surveyData) Content() bool {
	l := domain.Level(d.Level)
	return l.Valid() && !l.Negative()
}

// surveyPage is the citizen's follow-up survey, opened from the SMS link on a
// phone: no sign-in, the token is the credential.
func (w *Web) surveyPage(c echo.Context) error {
	return w.renderSurvey(c, http.StatusOK, surveyData{}, nil)
}

func (w *Web) renderSurvey(c echo.Context, status int, d surveyData, errs []string) error {
	p := w.newPage(c, "survey", nil)
	p.Title, p.Errors, p.Brand = p.L.T("survey.title"), errs, w.ServiceName
	d.Token, d.Levels = c.Param("token"), domain.Levels
	if !d.Done && !d.Gone {
		info, err := w.Services.Surveys.Open(c.Request().Context(), d.Token)
		switch {
		case domain.KindOf(err) == domain.KindGone:
			d.Gone, status = true, http.StatusGone
		case err != nil:
			return w.fail(c, err)
		}
		d.Info = info
	}
	p.Data = d
	return w.render(c, status, "survey", p)
}

// surveyAnswer takes the survey form (services.Surveys.Answer, as the API's
// POST /api/v1/surveys/{token}), so a phone without JavaScript answers exactly
// as the API would be called.
func (w *Web) surveyAnswer(c echo.Context) error {
	d := surveyData{Level: c.FormValue("level"), Comment: c.FormValue("comment")}
	err := w.Services.Surveys.Answer(c.Request().Context(), c.Param("token"),
		services.SurveyAnswer{Level: domain.Level(d.Level), Comment: d.Comment})
	res := failed(err)
	l := langOf(c)
	switch {
	case err == nil:
		d.Done = true
		return w.renderSurvey(c, http.StatusOK, d, nil)
	case res.Status == http.StatusGone:
		// The service's word is final: never the form again, whatever the
		// token's row says by now.
		d.Gone = true
		return w.renderSurvey(c, http.StatusGone, d, nil)
	case res.Status == http.StatusUnprocessableEntity && len(res.Err.Fields) > 0 && res.Err.Fields[0].Field == "level":
		return w.renderSurvey(c, res.Status, d, []string{l.T("survey.choose")})
	}
	if res.Status >= 500 {
		w.Log.Error("survey answer failed", "err", err)
	}
	return w.renderSurvey(c, res.Status, d, res.messages(l))
}
