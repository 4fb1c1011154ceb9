package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rectify/services"
)

// answerSurvey records a citizen's answer (services.Surveys.Answer). A link that
// is gone is 410 whatever the body: its state is judged before the body's form.
func (s *Server) answerSurvey(c echo.Context) error {
	ctx, token := c.Request().Context(), c.Param("token")
	var in services.SurveyAnswer
	if err := decodeStrict(c, &in); err != nil {
		if _, oerr := s.Services.Surveys.Open(ctx, token); oerr != nil {
			return oerr
		}
		return err
	}
	if err := s.Services.Surveys.Answer(ctx, token, in); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "answered"})
}
