package server

import (
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/store"
)

// Rating sources (issue 15, item 13). Rating ids are one global key, the
// idempotency key of API.md, so a source that could use any id could take another
// source's next id first (the real rating then gets 409) or probe whether it
// exists. A channel user may therefore be bound, at creation, to its channel and
// an id prefix no other source's prefix overlaps: it submits that channel with
// ids in its prefix only, and nobody else may use an id in its prefix. A channel
// user's retry counts only for its own rating: another's rating under the id is
// 409 whatever the body, so it never learns the ticket number.

// sourceRules is what one request's ratings are checked against.
type sourceRules struct {
	user     domain.User
	prefixes map[string]string // prefix -> username
}

func (s *Server) sourceRules(c echo.Context) (sourceRules, error) {
	m, err := s.sources.get(c, s.Store)
	return sourceRules{user: userOf(c), prefixes: m}, err
}

// check refuses a rating its submitter may not send, and marks it with its
// submitter.
func (r sourceRules) check(nr *store.NewRating) error {
	u := r.user
	nr.SubmittedBy = u.Username
	nr.OnlyOwn = u.Role == domain.RoleChannel
	var fs fieldErrors
	if u.Channel != "" && nr.Channel != u.Channel {
		fs.bad("channel", "this source submits channel "+string(u.Channel)+" only")
	}
	if u.RatingIDPrefix != "" && !strings.HasPrefix(nr.ID, u.RatingIDPrefix) {
		fs.bad("id", "must begin with "+u.RatingIDPrefix)
	}
	for p, owner := range r.prefixes {
		if owner != u.Username && strings.HasPrefix(nr.ID, p) {
			fs.bad("id", "in a prefix reserved for another source")
			break
		}
	}
	if fs != nil {
		return domain.Invalid("invalid_rating", fs)
	}
	return nil
}

// sourceCache keeps the prefixes for a few seconds: they change only when an admin
// creates a bound user, which clears it here (another API instance sees a new
// prefix within sourceTTL).
type sourceCache struct {
	mu sync.Mutex
	at time.Time
	m  map[string]string
}

const sourceTTL = 10 * time.Second

func (sc *sourceCache) get(c echo.Context, st *store.Store) (map[string]string, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.m != nil && time.Since(sc.at) < sourceTTL {
		return sc.m, nil
	}
	m, err := st.RatingIDPrefixes(c.Request().Context())
	if err != nil {
		return nil, err
	}
	sc.m, sc.at = m, time.Now()
	return m, nil
}

func (sc *sourceCache) clear() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.m = nil
}
