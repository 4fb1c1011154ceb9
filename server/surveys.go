package server

import (
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

// surveyToken resolves a token to its ticket; unknown, used, expired or of a
// round that is over is 410 Gone for the citizen (no difference is revealed).
func (s *Server) surveyToken(c echo.Context) (store.SurveyTokenInfo, error) {
	gone := domain.E(domain.KindGone, "survey_gone", "this survey link is no longer valid")
	hash, ok := parseSurveyToken(c.Param("token"))
	if !ok {
		return store.SurveyTokenInfo{}, gone
	}
	info, err := s.Store.LookupSurveyToken(c.Request().Context(), hash)
	if err == domain.ErrNotFound || (err == nil && (info.Used || info.Over || s.clock().After(info.ExpiresAt))) {
		return info, gone
	}
	return info, err
}

// parseSurveyToken checks what a survey link carries and returns the hash the
// token is stored under; ok is false for anything that cannot be a token, which
// is then not worth a database lookup.
func parseSurveyToken(raw string) (hash []byte, ok bool) {
	if !tokenPattern.MatchString(raw) {
		return nil, false
	}
	return activities.HashSurveyToken(raw), true
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
