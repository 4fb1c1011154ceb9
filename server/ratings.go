package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/campaigns"
	"rectify/domain"
	"rectify/store"
)

// ratingIn is the body of POST /api/v1/ratings exactly as API.md names it.
type ratingIn struct {
	ID              string          `json:"id"`
	Channel         domain.Channel  `json:"channel"`
	Level           domain.Level    `json:"level"`
	RatedAt         *time.Time      `json:"rated_at,omitempty"`
	DepartmentCode  string          `json:"department_code"`
	ServiceItemCode string          `json:"service_item_code,omitempty"`
	StaffID         string          `json:"staff_id,omitempty"`
	HallCode        string          `json:"hall_code,omitempty"`
	CaseNo          string          `json:"case_no,omitempty"`
	RegionCode      string          `json:"region_code,omitempty"`
	Aspects         []string        `json:"aspects,omitempty"`
	Comment         string          `json:"comment,omitempty"`
	Citizen         *domain.Citizen `json:"citizen,omitempty"`
}

type ratingOut struct {
	ID           string `json:"id"`
	Negative     bool   `json:"negative"`
	TicketNumber string `json:"ticket_number,omitempty"`
}

var (
	regionPattern = regexp.MustCompile(`^[0-9]{6}$`)
	phonePattern  = regexp.MustCompile(`^\+?[0-9][0-9-]{5,19}$`)
)

const (
	maxComment   = domain.MaxComment // characters
	clockSkew    = 5 * time.Minute
	maxCodeRunes = 128
)

// validate checks a rating and returns it ready to store. now is the receive time.
func (in ratingIn) validate(now time.Time) (domain.Rating, error) {
	var fs fieldErrors
	bad, code := fs.bad, fs.code
	code("id", in.ID, true)
	if !in.Channel.Valid() {
		bad("channel", "must be one of web, hall, mobile, kiosk, hotline")
	}
	fs = append(fs, domain.CheckLevel(in.Level)...)
	ratedAt := now
	if in.RatedAt != nil {
		ratedAt = *in.RatedAt
		switch {
		case ratedAt.After(now.Add(clockSkew)):
			bad("rated_at", "must not be in the future")
		case ratedAt.Year() < 2000:
			bad("rated_at", "must be after 2000-01-01")
		}
	}
	code("department_code", in.DepartmentCode, true)
	code("service_item_code", in.ServiceItemCode, false)
	code("staff_id", in.StaffID, false)
	code("hall_code", in.HallCode, false)
	code("case_no", in.CaseNo, false)
	if in.RegionCode != "" && !regionPattern.MatchString(in.RegionCode) {
		bad("region_code", "must be a 6-digit administrative division code")
	}
	fs = append(fs, domain.CheckAnswer(in.Aspects, in.Comment)...)
	if c := in.Citizen; c != nil {
		if len([]rune(c.Name)) > 64 {
			bad("citizen.name", "at most 64 characters")
		}
		if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
			bad("citizen.phone", "must be a phone number of digits")
		}
	}
	if fs != nil {
		return domain.Rating{}, domain.Invalid("invalid_rating", fs)
	}
	aspects := in.Aspects
	if aspects == nil {
		aspects = []string{}
	}
	return domain.Rating{ID: in.ID, Channel: in.Channel, Level: in.Level, RatedAt: ratedAt, ReceivedAt: now,
		DepartmentCode: in.DepartmentCode, ServiceItemCode: in.ServiceItemCode, StaffID: in.StaffID,
		HallCode: in.HallCode, CaseNo: in.CaseNo, RegionCode: in.RegionCode, Aspects: aspects,
		Comment: in.Comment, Citizen: in.Citizen, Negative: in.Level.Negative()}, nil
}

// hash identifies the request's content: re-encoding the parsed struct makes key
// order and white space irrelevant, so only a real difference is a conflict.
func (in ratingIn) hash() []byte {
	b, _ := json.Marshal(in)
	h := sha256.Sum256(b)
	return h[:]
}

// parseRating decodes and validates one rating.
func parseRating(b []byte, now time.Time) (store.NewRating, error) {
	var in ratingIn
	if err := unmarshalStrict(b, &in); err != nil {
		return store.NewRating{}, err
	}
	r, err := in.validate(now)
	if err != nil {
		return store.NewRating{}, err
	}
	if strings.HasPrefix(in.ID, campaigns.CallbackRatingPrefix) {
		// Reserved for ratings given in call-backs (server/cases.go), so that no
		// channel can take the id a case's call-back will need.
		return store.NewRating{}, domain.Invalid("invalid_rating", []domain.FieldError{{Field: "id",
			Message: "the prefix " + campaigns.CallbackRatingPrefix + " is reserved for call-back ratings"}})
	}
	return store.NewRating{Rating: r, BodyHash: in.hash()}, nil
}

func (s *Server) createRating(c echo.Context) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	nr, err := parseRating(b, s.clock())
	if err != nil {
		return err
	}
	src, err := s.sourceRules(c)
	if err != nil {
		return err
	}
	if err := src.check(&nr); err != nil {
		return err
	}
	if err := s.resolveRatingDepartment(c.Request().Context(), &nr); err != nil {
		return err
	}
	res, err := s.storeRatings(c.Request().Context(), []store.NewRating{nr})
	if err != nil {
		return err
	}
	switch res[0].Outcome {
	case store.Conflict:
		return domain.E(domain.KindConflict, "rating_conflict", "rating %s was already submitted with a different body", nr.ID)
	case store.Duplicate:
		return c.JSON(http.StatusOK, out(nr, res[0]))
	}
	return c.JSON(http.StatusCreated, out(nr, res[0]))
}

func out(nr store.NewRating, r store.RatingResult) ratingOut {
	o := ratingOut{ID: nr.ID, Negative: nr.Negative}
	if r.Ticket != nil {
		o.TicketNumber = r.Ticket.Number
	}
	return o
}

// resolveRatingDepartment stores a department given by its exact name under
// its code. An unknown department stays as sent: the ticket waits for
// dispatch (a channel may rate a department not registered yet).
// A value shaped like a code is taken as one without a lookup, so intake (the
// hot path, batches of hundreds) pays nothing for names.
func (s *Server) resolveRatingDepartment(ctx context.Context, nr *store.NewRating) error {
	if codePattern.MatchString(nr.DepartmentCode) {
		return nil
	}
	code, ok, err := s.departmentCode(ctx, nr.DepartmentCode)
	if err == nil && ok {
		nr.DepartmentCode = code
	}
	return err
}

// storeRatings stores ratings with their tickets and hands the new tickets to the
// start queue: the answer is sent once they are committed, without waiting for
// Temporal (issue 18). The engine starts the workflows right after, in this
// process; if it dies first, the reconciler (or the first action on the ticket)
// starts them.
func (s *Server) storeRatings(ctx context.Context, rs []store.NewRating) ([]store.RatingResult, error) {
	var (
		res []store.RatingResult
		err error
	)
	if len(rs) == 1 {
		// A single rating shares a transaction with concurrent requests (group commit).
		var r store.RatingResult
		r, err = s.Store.CreateRating(ctx, rs[0])
		res = []store.RatingResult{r}
	} else {
		res, err = s.Store.CreateRatings(ctx, rs)
	}
	if err != nil {
		return nil, err
	}
	s.countIngested(rs, res)
	for _, r := range res {
		if r.Ticket != nil && !r.Ticket.WorkflowStarted {
			s.Engine.Enqueue(ctx, *r.Ticket)
		}
	}
	return res, nil
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
	if in.Ratings == nil {
		return domain.Invalid("invalid_batch", []domain.FieldError{{Field: "ratings", Message: "required"}})
	}
	if len(in.Ratings) > maxBatch {
		return domain.Invalid("invalid_batch", []domain.FieldError{{Field: "ratings",
			Message: fmt.Sprintf("at most %d per batch, got %d", maxBatch, len(in.Ratings))}})
	}
	now := s.clock()
	src, err := s.sourceRules(c)
	if err != nil {
		return err
	}
	results := make([]batchResult, len(in.Ratings))
	var (
		waves [][]store.NewRating // waves[k] holds the k-th occurrence of each id
		where [][]int             // waves[k][j] answers results[where[k][j]]
		seen  = map[string]int{}  // id -> occurrences so far
	)
	for i, raw := range in.Ratings {
		nr, err := parseRating(raw, now)
		if err == nil {
			err = src.check(&nr)
		}
		if err == nil {
			err = s.resolveRatingDepartment(c.Request().Context(), &nr)
		}
		if err != nil {
			results[i] = batchResult{ID: idOf(raw), Status: http.StatusUnprocessableEntity, Error: payload(err)}
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
		res, err := s.storeRatings(c.Request().Context(), wave)
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

// idOf pulls the id out of an item that failed to parse, so the caller can tell
// which one it was.
func idOf(raw json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &v) == nil {
		if s, ok := v.ID.(string); ok {
			return s
		}
	}
	return ""
}

// getRating shows a rating; the phone is masked unless the caller may see it.
func (s *Server) getRating(c echo.Context) error {
	u := userOf(c)
	r, err := s.Store.GetRating(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if !u.SeesRating(r) {
		return domain.ErrNotFound
	}
	if r.Citizen != nil && r.Citizen.Phone != "" {
		if !u.Role.SeesPhones() {
			r.Citizen.Phone = domain.MaskPhone(r.Citizen.Phone)
		} else if err := s.Store.RecordPhoneReveal(c.Request().Context(), r.ID, u.Username); err != nil {
			return err // no audit row, no number
		}
	}
	return c.JSON(http.StatusOK, r)
}
