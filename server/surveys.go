package server

import (
	"html/template"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"rectify/activities"
	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

// Survey tokens are 32 random bytes, base64url: anything else is not worth a lookup.
var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// surveyToken resolves a token to its ticket; unknown, used or expired is 410 Gone
// for the citizen (no difference is revealed).
func (s *Server) surveyToken(c echo.Context) (store.SurveyTokenInfo, error) {
	raw := c.Param("token")
	gone := domain.E(domain.KindGone, "survey_gone", "this survey link is no longer valid")
	if !tokenPattern.MatchString(raw) {
		return store.SurveyTokenInfo{}, gone
	}
	info, err := s.Store.LookupSurveyToken(c.Request().Context(), activities.HashSurveyToken(raw))
	if err == domain.ErrNotFound || (err == nil && (info.Used || s.clock().After(info.ExpiresAt))) {
		return info, gone
	}
	return info, err
}

func (s *Server) answerSurvey(c echo.Context) error {
	info, err := s.surveyToken(c)
	if err != nil {
		return err
	}
	var in struct {
		Level   domain.Level `json:"level"`
		Comment string       `json:"comment"`
	}
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if !in.Level.Valid() {
		return domain.Invalid("invalid_survey", []domain.FieldError{{Field: "level", Message: "must be one of the five levels"}})
	}
	if len([]rune(in.Comment)) > maxComment {
		return domain.Invalid("invalid_survey", []domain.FieldError{{Field: "comment", Message: "too long"}})
	}
	ref := store.TicketRef{Number: info.TicketNumber, RatingID: info.RatingID}
	q := workflows.ActionRequest{Actor: domain.Actor{Username: "citizen", Role: "citizen"}, Level: in.Level,
		Note: in.Comment, Round: info.Round, TokenHash: activities.HashSurveyToken(c.Param("token"))}
	if err := s.Engine.Act(c.Request().Context(), ref, workflows.ActionAnswerSurvey, q); err != nil {
		if de, ok := domain.AsError(err); ok && de.Code == "invalid_transition" {
			return domain.E(domain.KindGone, "survey_gone", "this survey link is no longer valid")
		}
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "answered"})
}

// surveyPage is a minimal phone page; the workbench issue replaces it with the
// full template.
func (s *Server) surveyPage(c echo.Context) error {
	info, err := s.surveyToken(c)
	if err != nil {
		if domain.KindOf(err) == domain.KindGone {
			return c.HTML(http.StatusGone, `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><p>该评价链接已失效。This survey link is no longer valid.</p>`)
		}
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'")
	return surveyTmpl.Execute(c.Response(), map[string]any{"Info": info, "Token": c.Param("token"), "Levels": levelLabels})
}

var levelLabels = []struct{ Value, Label string }{
	{"very_satisfied", "非常满意"}, {"satisfied", "满意"}, {"basically_satisfied", "基本满意"},
	{"dissatisfied", "不满意"}, {"very_dissatisfied", "非常不满意"},
}

var surveyTmpl = template.Must(template.New("survey").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>整改结果评价</title></head><body style="font-family:sans-serif;max-width:32rem;margin:auto;padding:1rem">
<h1>整改结果评价</h1>
<p>工单 {{.Info.TicketNumber}}，{{.Info.Department}} 的整改情况：</p>
<blockquote>{{.Info.Report}}</blockquote>
<form id="f"><fieldset><legend>您对整改结果是否满意？</legend>
{{range .Levels}}<p><label><input type="radio" name="level" value="{{.Value}}" required> {{.Label}}</label></p>{{end}}
</fieldset><p><label for="comment">意见（可选）</label><br><textarea id="comment" name="comment" rows="4" style="width:100%"></textarea></p>
<button type="submit">提交</button></form><p id="msg" role="status"></p>
<script>
document.getElementById('f').addEventListener('submit', async e => {
  e.preventDefault();
  const d = new FormData(e.target);
  const r = await fetch('/api/v1/surveys/{{.Token}}', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({level: d.get('level'), comment: d.get('comment') || ''})});
  document.getElementById('msg').textContent = r.ok ? '感谢您的评价！' : '提交失败：链接已失效或已评价。';
  if (r.ok) e.target.remove();
});
</script></body></html>`))

func (s *Server) listNotifications(c echo.Context) error {
	ns, err := s.Store.ListNotifications(c.Request().Context(), c.QueryParam("ticket_number"), 200)
	if err != nil {
		return err
	}
	for i := range ns {
		if ns[i].Channel == "sms" {
			ns[i].Recipient = domain.MaskPhone(ns[i].Recipient)
		}
	}
	if ns == nil {
		ns = []store.Notification{}
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": ns})
}
