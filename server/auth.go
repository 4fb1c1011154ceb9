package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"rectify/domain"
)

const userKey = "rectify.user"

// Browser sessions (package web) are a cookie; a request authenticated by it must
// repeat the session's CSRF token in this header unless it only reads.
const (
	SessionCookie = "rectify_session"
	CSRFHeader    = "X-CSRF-Token"
)

// authenticate resolves the bearer token, or else the session cookie, to a user.
// Tokens are looked up by hash; a short cache keeps the lookup off the hot
// ingestion path.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if ck, err := c.Cookie(SessionCookie); err == nil && h == "" {
			return s.sessionAuth(c, ck.Value, next)
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return domain.ErrUnauthorized
		}
		if bt := s.BootstrapAdminToken; bt != "" && subtle.ConstantTimeCompare([]byte(token), []byte(bt)) == 1 {
			c.Set(userKey, domain.User{Username: "bootstrap-admin", Role: domain.RoleAdmin})
			return next(c)
		}
		u, ok := s.auth.get(token)
		if !ok {
			var (
				err     error
				expires time.Time
			)
			if u, expires, err = s.Store.UserByToken(c.Request().Context(), token); err != nil {
				return err
			}
			s.auth.put(token, u, expires)
		}
		c.Set(userKey, u)
		return next(c)
	}
}

func (s *Server) sessionAuth(c echo.Context, cookie string, next echo.HandlerFunc) error {
	ss, err := s.Store.SessionByToken(c.Request().Context(), cookie)
	if err != nil {
		return err
	}
	switch c.Request().Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if subtle.ConstantTimeCompare([]byte(c.Request().Header.Get(CSRFHeader)), []byte(ss.CSRFToken)) != 1 {
			return domain.E(domain.KindForbidden, "csrf_failed", "missing or wrong "+CSRFHeader+" header")
		}
	}
	c.Set(userKey, ss.User)
	c.Set(sessionKey, cookie)
	return next(c)
}

func userOf(c echo.Context) domain.User {
	u, _ := c.Get(userKey).(domain.User)
	return u
}

// allow lets only the given roles through; others get 403.
func allow(roles ...domain.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := userOf(c)
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return domain.ErrForbidden
		}
	}
}

type tokenCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedUser
}

type cachedUser struct {
	u       domain.User
	expires time.Time
}

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{ttl: ttl, m: map[string]cachedUser{}}
}

func (tc *tokenCache) get(token string) (domain.User, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	cu, ok := tc.m[token]
	if !ok || time.Now().After(cu.expires) {
		return domain.User{}, false
	}
	return cu.u, true
}

// put caches u for the cache's ttl, or until the token expires if sooner
// (tokenExpires zero: never).
func (tc *tokenCache) put(token string, u domain.User, tokenExpires time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.m) > 10_000 { // bounded: drop everything rather than track ages
		tc.m = map[string]cachedUser{}
	}
	until := time.Now().Add(tc.ttl)
	if !tokenExpires.IsZero() && tokenExpires.Before(until) {
		until = tokenExpires
	}
	tc.m[token] = cachedUser{u: u, expires: until}
}

// clear forgets every cached token: after a revocation, a disabled user or a
// password change, the next request of every token is checked in the database.
// Whole, because the cache is keyed by token and the change names a user.
func (tc *tokenCache) clear() {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.m = map[string]cachedUser{}
}
