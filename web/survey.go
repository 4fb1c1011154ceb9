package web

import (
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"rectify/activities"
	"rectify/domain"
	"rectify/store"
)

// Survey tokens are 32 random bytes, base64url: anything else is not worth a lookup.
var surveyTokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

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
		info, ok, err := w.surveyInfo(c)
		if err != nil {
			return w.fail(c, err)
		}
		if !ok {
			d.Gone, status = true, http.StatusGone
		}
		d.Info = info
	}
	p.Data = d
	return w.render(c, status, "survey", p)
}

// surveyInfo finds the token's ticket; unknown, used, expired and of a round
// that is over look the same.
func (w *Web) surveyInfo(c echo.Context) (store.SurveyTokenInfo, bool, error) {
	raw := c.Param("token")
	if !surveyTokenPattern.MatchString(raw) {
		return store.SurveyTokenInfo{}, false, nil
	}
	info, err := w.Store.LookupSurveyToken(c.Request().Context(), activities.HashSurveyToken(raw))
	switch {
	case domain.KindOf(err) == domain.KindNotFound:
		return info, false, nil
	case err != nil:
		return info, false, err
	}
	return info, !info.Used && !info.Over && w.Now().Before(info.ExpiresAt), nil
}

// surveyAnswer posts the answer to the API's POST /api/v1/surveys/{token}, so a
// phone without JavaScript answers exactly as the API would be called.
func (w *Web) surveyAnswer(c echo.Context) error {
	d := surveyData{Level: c.FormValue("level"), Comment: c.FormValue("comment")}
	if !surveyTokenPattern.MatchString(c.Param("token")) {
		d.Gone = true
		return w.renderSurvey(c, http.StatusGone, d, nil)
	}
	res := w.callAPI(c, http.MethodPost, "/api/v1/surveys/"+c.Param("token"),
		map[string]string{"level": d.Level, "comment": d.Comment})
	l := langOf(c)
	switch {
	case res.ok():
		d.Done = true
		return w.renderSurvey(c, http.StatusOK, d, nil)
	case res.Status == http.StatusGone:
		// The API's word is final: never the form again, whatever the
		// token's row says by now.
		d.Gone = true
		return w.renderSurvey(c, http.StatusGone, d, nil)
	case res.Status == http.StatusUnprocessableEntity && len(res.Err.Fields) > 0 && res.Err.Fields[0].Field == "level":
		return w.renderSurvey(c, res.Status, d, []string{l.T("survey.choose")})
	}
	return w.renderSurvey(c, res.Status, d, res.messages(l))
}
