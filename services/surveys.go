package services

import (
	"context"
	"regexp"

	"rectify/activities"
	"rectify/domain"
	"rectify/store"
	"rectify/workflows"
)

// MaxComment is the longest comment a rating or a survey answer may carry, in
// characters.
const MaxComment = 2000

// Survey tokens are 32 random bytes, base64url: anything else is not worth a lookup.
var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// ParseSurveyToken checks what a survey link carries and returns the hash the
// token is stored under; ok is false for anything that cannot be a token, which
// is then not worth a database lookup.
func ParseSurveyToken(raw string) (hash []byte, ok bool) {
	if !tokenPattern.MatchString(raw) {
		return nil, false
	}
	return activities.HashSurveyToken(raw), true
}

// ErrSurveyGone is every survey link that no longer leads to a question:
// unknown, used, expired or of a round that is over look the same to the
// citizen (410), so no difference is revealed.
var ErrSurveyGone = domain.E(domain.KindGone, "survey_gone", "this survey link is no longer valid")

// Open finds the ticket a survey link asks about, or ErrSurveyGone.
func (s *Surveys) Open(ctx context.Context, token string) (store.SurveyTokenInfo, error) {
	hash, ok := ParseSurveyToken(token)
	if !ok {
		return store.SurveyTokenInfo{}, ErrSurveyGone
	}
	info, err := s.Store.LookupSurveyToken(ctx, hash)
	switch {
	case domain.KindOf(err) == domain.KindNotFound:
		return info, ErrSurveyGone
	case err != nil:
		return info, err
	case info.Used || info.Over || s.Now().After(info.ExpiresAt):
		return info, ErrSurveyGone
	}
	return info, nil
}

// SurveyAnswer is the citizen's answer.
type SurveyAnswer struct {
	Level   domain.Level `json:"level"`
	Comment string       `json:"comment"`
}

// Answer records the citizen's answer to the survey behind token through the
// ticket's workflow, which takes the first answer of the round (a call logged
// meanwhile wins, and the link is then gone).
func (s *Surveys) Answer(ctx context.Context, token string, a SurveyAnswer) error {
	info, err := s.Open(ctx, token)
	if err != nil {
		return err
	}
	if !a.Level.Valid() {
		return domain.Invalid("invalid_survey", []domain.FieldError{{Field: "level", Message: "must be one of the five levels"}})
	}
	if len([]rune(a.Comment)) > MaxComment {
		return domain.Invalid("invalid_survey", []domain.FieldError{{Field: "comment", Message: "too long"}})
	}
	ref := store.TicketRef{Number: info.TicketNumber, RatingID: info.RatingID}
	q := workflows.ActionRequest{Actor: domain.Actor{Username: "citizen", Role: "citizen"}, Level: a.Level,
		Note: a.Comment, Round: info.Round, TokenHash: activities.HashSurveyToken(token)}
	if err := s.Engine.Act(ctx, ref, workflows.ActionAnswerSurvey, q); err != nil {
		if de, ok := domain.AsError(err); ok && de.Code == "invalid_transition" {
			return ErrSurveyGone
		}
		return err
	}
	return nil
}
