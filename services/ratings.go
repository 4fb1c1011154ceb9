package services

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"rectify/campaigns"
	"rectify/domain"
	"rectify/store"
)

// RatingInput is one rating exactly as API.md names its fields (the body of
// POST /api/v1/ratings, an item of a batch, the call center's phone rating).
type RatingInput struct {
	ID             string         `json:"id"`
	Channel        domain.Channel `json:"channel"`
	Level          domain.Level   `json:"level"`
	RatedAt        *time.Time     `json:"rated_at,omitempty"`
	DepartmentCode string         `json:"department_code"`
	domain.Service
	Aspects []string        `json:"aspects,omitempty"`
	Comment string          `json:"comment,omitempty"`
	Citizen *domain.Citizen `json:"citizen,omitempty"`
}

// A department value shaped like a code is taken as one without a lookup.
var deptCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

const (
	// ClockSkew is how far in the future a submitter's clock may be.
	ClockSkew = 5 * time.Minute
)

// Validate checks a rating's fields and returns it ready to store. now is the
// receive time.
func (in RatingInput) Validate(now time.Time) (domain.Rating, error) {
	var fs domain.FieldErrors
	bad, code := fs.Bad, fs.Code
	code("id", in.ID, true)
	if !in.Channel.Valid() {
		bad("channel", "must be one of web, hall, mobile, kiosk, hotline")
	}
	if !in.Level.Valid() {
		bad("level", "must be one of very_satisfied, satisfied, basically_satisfied, dissatisfied, very_dissatisfied")
	}
	ratedAt := now
	if in.RatedAt != nil {
		ratedAt = *in.RatedAt
		switch {
		case ratedAt.After(now.Add(ClockSkew)):
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
	fs.Region("region_code", in.RegionCode)
	for i, a := range in.Aspects {
		if !slices.Contains(domain.Aspects, a) {
			bad(fmt.Sprintf("aspects[%d]", i), "must be one of "+strings.Join(domain.Aspects, ", "))
		} else if slices.Index(in.Aspects, a) != i {
			bad(fmt.Sprintf("aspects[%d]", i), "repeated")
		}
	}
	if n := len([]rune(in.Comment)); n > MaxComment {
		bad("comment", fmt.Sprintf("at most %d characters, got %d", MaxComment, n))
	}
	if c := in.Citizen; c != nil {
		fs.Person("citizen", c.Name, c.Phone)
	}
	if fs != nil {
		return domain.Rating{}, domain.Invalid("invalid_rating", fs)
	}
	aspects := in.Aspects
	if aspects == nil {
		aspects = []string{}
	}
	return domain.Rating{ID: in.ID, Channel: in.Channel, Level: in.Level, RatedAt: ratedAt, ReceivedAt: now,
		DepartmentCode: in.DepartmentCode, Service: in.Service, Aspects: aspects,
		Comment: in.Comment, Citizen: in.Citizen, Negative: in.Level.Negative()}, nil
}

// hash identifies the rating's content: re-encoding the parsed struct makes key
// order and white space irrelevant, so only a real difference is a conflict.
func (in RatingInput) hash() []byte {
	b, _ := json.Marshal(in)
	h := sha256.Sum256(b)
	return h[:]
}

// Check checks a rating's fields and the ids reserved for call-backs, and
// returns it ready for Accept. now is the receive time.
func (in RatingInput) Check(now time.Time) (store.NewRating, error) {
	r, err := in.Validate(now)
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

// Accept checks a rating against its submitter u (their channel, their id
// prefix, the prefixes of other sources), marks it as theirs, and resolves its
// department given by name to the code.
func (s *Ratings) Accept(ctx context.Context, u domain.User, nr *store.NewRating) error {
	prefixes, err := s.sourcePrefixes(ctx)
	if err != nil {
		return err
	}
	if err := checkSource(u, prefixes, nr); err != nil {
		return err
	}
	return s.resolveDepartment(ctx, nr)
}

// checkSource refuses a rating its submitter may not send, and marks it with
// its submitter (server/sources.go tells why sources are bound).
func checkSource(u domain.User, prefixes map[string]string, nr *store.NewRating) error {
	nr.SubmittedBy = u.Username
	nr.OnlyOwn = u.Role == domain.RoleChannel
	var fs []domain.FieldError
	if u.Channel != "" && nr.Channel != u.Channel {
		fs = append(fs, domain.FieldError{Field: "channel", Message: "this source submits channel " + string(u.Channel) + " only"})
	}
	if u.RatingIDPrefix != "" && !strings.HasPrefix(nr.ID, u.RatingIDPrefix) {
		fs = append(fs, domain.FieldError{Field: "id", Message: "must begin with " + u.RatingIDPrefix})
	}
	for p, owner := range prefixes {
		if owner != u.Username && strings.HasPrefix(nr.ID, p) {
			fs = append(fs, domain.FieldError{Field: "id", Message: "in a prefix reserved for another source"})
			break
		}
	}
	if fs != nil {
		return domain.Invalid("invalid_rating", fs)
	}
	return nil
}

// sourceCache keeps the rating id prefixes of bound channel users for a few
// seconds: they change only when an admin creates a bound user, which clears
// it (SourcesChanged); another instance sees a new prefix within sourceTTL.
type sourceCache struct {
	mu sync.Mutex
	at time.Time
	m  map[string]string
}

const sourceTTL = 10 * time.Second

func (s *Ratings) sourcePrefixes(ctx context.Context) (map[string]string, error) {
	sc := &s.sources
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.m != nil && time.Since(sc.at) < sourceTTL {
		return sc.m, nil
	}
	m, err := s.Store.RatingIDPrefixes(ctx)
	if err != nil {
		return nil, err
	}
	sc.m, sc.at = m, time.Now()
	return m, nil
}

// SourcesChanged forgets the cached id prefixes: a bound channel user was created.
func (s *Ratings) SourcesChanged() {
	s.sources.mu.Lock()
	defer s.sources.mu.Unlock()
	s.sources.m = nil
}

// resolveDepartment stores a department given by its exact name under its
// code. An unknown department stays as sent: the ticket waits for dispatch (a
// channel may rate a department not registered yet). A value shaped like a
// code is taken as one without a lookup, so intake (the hot path, batches of
// hundreds) pays nothing for names.
func (s *Ratings) resolveDepartment(ctx context.Context, nr *store.NewRating) error {
	if deptCodePattern.MatchString(nr.DepartmentCode) {
		return nil
	}
	code, ok, err := s.Store.ResolveDepartment(ctx, nr.DepartmentCode)
	if err == nil && ok {
		nr.DepartmentCode = code
	}
	return err
}

// Save stores prepared ratings with their tickets and hands the new tickets to
// the start queue: it returns once they are committed, without waiting for
// Temporal (issue 18). The engine starts the workflows right after, in this
// process; if it dies first, the reconciler (or the first action on the
// ticket) starts them.
func (s *Ratings) Save(ctx context.Context, rs []store.NewRating) ([]store.RatingResult, error) {
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
	for _, r := range res {
		if r.Ticket != nil && !r.Ticket.WorkflowStarted {
			s.Engine.Enqueue(ctx, *r.Ticket)
		}
	}
	for _, f := range s.watch.list() {
		f(rs, res)
	}
	return res, nil
}

// OnIngested registers f to run after each Save, whoever saved (the API, a
// phone-rating page, a logged call-back): the API counts them in its metrics.
func (s *Ratings) OnIngested(f func([]store.NewRating, []store.RatingResult)) { s.watch.add(f) }

// Submit prepares and stores one rating u submits. A rating already stored
// under its id with the same content is a duplicate (Result.Outcome); with
// another content, 409 rating_conflict.
func (s *Ratings) Submit(ctx context.Context, u domain.User, in RatingInput) (store.NewRating, store.RatingResult, error) {
	nr, err := in.Check(s.Now())
	if err == nil {
		err = s.Accept(ctx, u, &nr)
	}
	if err != nil {
		return nr, store.RatingResult{}, err
	}
	res, err := s.Save(ctx, []store.NewRating{nr})
	if err != nil {
		return nr, store.RatingResult{}, err
	}
	if res[0].Outcome == store.Conflict {
		return nr, res[0], domain.E(domain.KindConflict, "rating_conflict", "rating %s was already submitted with a different body", nr.ID)
	}
	return nr, res[0], nil
}

// Get is one rating, if u may see it (domain.User.SeesRating: through its
// ticket, wherever the ticket is now). The phone is masked unless u's role
// reads phones, and then the reading is audited first: no audit row, no number.
func (s *Ratings) Get(ctx context.Context, u domain.User, id string) (domain.Rating, error) {
	r, err := s.Store.GetRating(ctx, id)
	if err != nil {
		return r, err
	}
	if !u.SeesRating(r) {
		return domain.Rating{}, domain.ErrNotFound
	}
	if r.Citizen != nil && r.Citizen.Phone != "" {
		if !u.Role.SeesPhones() {
			r.Citizen.Phone = domain.MaskPhone(r.Citizen.Phone)
		} else if err := s.Store.RecordPhoneReveal(ctx, r.ID, u.Username); err != nil {
			return domain.Rating{}, err
		}
	}
	return r, nil
}
