package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
	"rectify/store"
)

type ratingOut struct {
	ID           string `json:"id"`
	Negative     bool   `json:"negative"`
	TicketNumber string `json:"ticket_number,omitempty"`
}

// The rating's fields are checked by services.Ratings; the call-back log
// (cases.go) checks a case's and an answer's by the same rules.
type ratingIn = services.RatingInput

const (
	clockSkew  = services.ClockSkew
	maxComment = services.MaxComment // characters
)

// parseRating decodes and checks one rating (services.RatingInput.Check).
func parseRating(b []byte, now time.Time) (store.NewRating, error) {
	var in services.RatingInput
	if err := unmarshalStrict(b, &in); err != nil {
		return store.NewRating{}, err
	}
	return in.Check(now)
}

func (s *Server) createRating(c echo.Context) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	var in services.RatingInput
	if err := unmarshalStrict(b, &in); err != nil {
		return err
	}
	nr, res, err := s.Services.Ratings.Submit(c.Request().Context(), userOf(c), in)
	if err != nil {
		return err
	}
	if res.Outcome == store.Duplicate {
		return c.JSON(http.StatusOK, out(nr, res))
	}
	return c.JSON(http.StatusCreated, out(nr, res))
}

func out(nr store.NewRating, r store.RatingResult) ratingOut {
	o := ratingOut{ID: nr.ID, Negative: nr.Negative}
	if r.Ticket != nil {
		o.TicketNumber = r.Ticket.Number
	}
	return o
}

type batchIn struct {
	Ratings []json.RawMessage `json:"ratings"`
}

type batchResult struct {
	ID           string        `json:"id"`
	Status       int           `json:"status"`
	TicketNumber string        `json:"ticket_number,omitempty"`
	Error        *errorPayload `json:"error,omitempty"`
}

type errorPayload struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  []domain.FieldError `json:"fields,omitempty"`
}

const maxBatch = 1000

// createRatingBatch answers one result per input, in order. Invalid items are
// refused one by one; the valid ones are stored in one transaction.
func (s *Server) createRatingBatch(c echo.Context) error {
	var in batchIn
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if err := batchSize("ratings", in.Ratings); err != nil {
		return err
	}
	now, u := s.clock(), userOf(c)
	results := make([]batchResult, len(in.Ratings))
	var (
		waves [][]store.NewRating // waves[k] holds the k-th occurrence of each id
		where [][]int             // waves[k][j] answers results[where[k][j]]
		seen  = map[string]int{}  // id -> occurrences so far
	)
	for i, raw := range in.Ratings {
		nr, err := parseRating(raw, now)
		if err == nil {
			err = s.Services.Ratings.Accept(c.Request().Context(), u, &nr)
		}
		if err != nil {
			results[i] = batchResult{ID: keyOf(raw, "id"), Status: http.StatusUnprocessableEntity, Error: payload(err)}
			continue
		}
		k := seen[nr.ID]
		seen[nr.ID]++
		if k == len(waves) {
			waves, where = append(waves, nil), append(where, nil)
		}
		waves[k], where[k] = append(waves[k], nr), append(where[k], i)
	}
	// An id repeated within the batch is judged against what is stored by its turn,
	// exactly as if it had been sent in a later request: 200 when it matches, 409 when not.
	for k, wave := range waves {
		res, err := s.Services.Ratings.Save(c.Request().Context(), wave)
		if err != nil {
			return err
		}
		for j, r := range res {
			results[where[k][j]] = batchOut(wave[j], r)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"results": results})
}

func batchOut(nr store.NewRating, r store.RatingResult) batchResult {
	br := batchResult{ID: nr.ID}
	switch r.Outcome {
	case store.Created:
		br.Status = http.StatusCreated
	case store.Duplicate:
		br.Status = http.StatusOK
	case store.Conflict:
		br.Status = http.StatusConflict
		br.Error = &errorPayload{Code: "rating_conflict", Message: "already submitted with a different body"}
		return br
	}
	if r.Ticket != nil {
		br.TicketNumber = r.Ticket.Number
	}
	return br
}

func payload(err error) *errorPayload {
	if de, ok := domain.AsError(err); ok {
		return &errorPayload{Code: de.Code, Message: de.Message, Fields: de.Fields}
	}
	return &errorPayload{Code: "invalid_rating", Message: "invalid rating"}
}

// keyOf pulls a batch item's key (a rating's id, a case's number) out of an item
// that failed to parse, so the caller can tell which one it was.
func keyOf(raw json.RawMessage, name string) string {
	var v map[string]any
	if json.Unmarshal(raw, &v) == nil {
		if s, ok := v[name].(string); ok {
			return s
		}
	}
	return ""
}

// batchSize checks a batch's list of items (field): present, at most maxBatch.
func batchSize(field string, items []json.RawMessage) error {
	switch {
	case items == nil:
		return domain.Invalid("invalid_batch", []domain.FieldError{{Field: field, Message: "required"}})
	case len(items) > maxBatch:
		return domain.Invalid("invalid_batch", []domain.FieldError{{Field: field,
			Message: fmt.Sprintf("at most %d per batch, got %d", maxBatch, len(items))}})
	}
	return nil
}

// getRating shows a rating (services.Ratings.Get); the phone is masked unless
// the caller may see it.
func (s *Server) getRating(c echo.Context) error {
	r, err := s.Services.Ratings.Get(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}
