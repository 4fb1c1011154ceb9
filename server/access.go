package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"rectify/domain"
	"rectify/store"
)

// Taking access away: token lists and revocation, disabling users, password
// changes, and the admin audit log (README, "Security").

const sessionKey = "rectify.session_cookie" // the raw cookie of a session-authenticated request

// audit records an admin action. The action has happened when this runs; a
// failed audit write fails the request, so the caller hears that it is unrecorded.
func (s *Server) audit(c echo.Context, action, target string, detail any) error {
	return s.Store.Audit(c.Request().Context(), userOf(c).Username, action, target, detail)
}

type tokenIn struct {
	ExpiresInDays *int `json:"expires_in_days"`
}

// maxTokenDays bounds expires_in_days: ten years is "long-lived", not "forever".
const maxTokenDays = 3650

// createToken issues an API token; it is shown once and stored only hashed. The
// body is optional: {"expires_in_days": n} makes it expire.
func (s *Server) createToken(c echo.Context) error {
	ctx := c.Request().Context()
	b, err := readBody(c)
	if err != nil {
		return err
	}
	var in tokenIn
	if len(b) > 0 {
		if err := unmarshalStrict(b, &in); err != nil {
			return err
		}
	}
	var ttl time.Duration
	if d := in.ExpiresInDays; d != nil {
		if *d < 1 || *d > maxTokenDays {
			return domain.Invalid("invalid_token", []domain.FieldError{{Field: "expires_in_days",
				Message: "must be 1 to " + strconv.Itoa(maxTokenDays)}})
		}
		ttl = time.Duration(*d) * 24 * time.Hour
	}
	username := c.Param("username")
	if _, _, err := s.Store.GetUser(ctx, username); err != nil {
		return err
	}
	tok, err := newToken()
	if err != nil {
		return err
	}
	ti, err := s.Store.IssueToken(ctx, username, tok, ttl)
	if err != nil {
		return err
	}
	if err := s.audit(c, "token.create", "user:"+username, map[string]any{"token_id": ti.ID, "expires_at": ti.ExpiresAt}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"token": tok, "id": ti.ID, "created_at": ti.CreatedAt, "expires_at": ti.ExpiresAt})
}

// listTokens shows a user's live tokens: metadata only, never the token.
func (s *Server) listTokens(c echo.Context) error {
	ctx := c.Request().Context()
	if _, _, err := s.Store.GetUser(ctx, c.Param("username")); err != nil {
		return err
	}
	ts, err := s.Store.ListTokens(ctx, c.Param("username"))
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []store.TokenInfo{}
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": ts})
}

// revokeToken ends a token at once (the cache is cleared with it).
func (s *Server) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.ErrNotFound
	}
	username := c.Param("username")
	if err := s.Store.RevokeToken(c.Request().Context(), username, id); err != nil {
		return err
	}
	s.auth.clear()
	if err := s.audit(c, "token.revoke", "user:"+username, map[string]any{"token_id": id}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type userPatch struct {
	Disabled        *bool   `json:"disabled"`
	Password        *string `json:"password"`
	CurrentPassword *string `json:"current_password"`
}

// patchUser disables or enables a user and/or sets their password. An admin may
// change anyone; any other signed-in user may change only their own password, and
// must give the current one.
func (s *Server) patchUser(c echo.Context) error {
	ctx := c.Request().Context()
	me := userOf(c)
	username := c.Param("username")
	var in userPatch
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	admin := me.Role == domain.RoleAdmin
	if !admin && (username != me.Username || in.Disabled != nil) {
		return domain.ErrForbidden
	}
	_, hash, err := s.Store.GetUser(ctx, username)
	if err != nil {
		return err
	}
	var fs fieldErrors
	if in.Disabled == nil && in.Password == nil {
		fs.bad("(body)", "nothing to change: send disabled and/or password")
	}
	if in.Disabled != nil && *in.Disabled && username == me.Username {
		fs.bad("disabled", "you cannot disable yourself") // an admin locking out the last admin by mistake
	}
	if p := in.Password; p != nil && (len(*p) < 8 || len(*p) > 72) { // bcrypt reads at most 72 bytes
		fs.bad("password", "must be 8 to 72 bytes")
	}
	if !admin {
		if in.CurrentPassword == nil || bcrypt.CompareHashAndPassword([]byte(hash), []byte(*in.CurrentPassword)) != nil {
			fs.bad("current_password", "required, and must be your current password")
		}
	}
	if fs != nil {
		return domain.Invalid("invalid_user", fs)
	}
	if in.Password != nil {
		h, err := bcrypt.GenerateFromPassword([]byte(*in.Password), bcrypt.DefaultCost)
		if err != nil {
			return err
		}
		keep, _ := c.Get(sessionKey).(string) // the caller's own session stays signed in
		if err := s.Store.SetPassword(ctx, username, string(h), keep); err != nil {
			return err
		}
		if err := s.audit(c, "user.password", "user:"+username, nil); err != nil {
			return err
		}
	}
	if in.Disabled != nil {
		if err := s.Store.SetDisabled(ctx, username, *in.Disabled); err != nil {
			return err
		}
		s.auth.clear()
		action := "user.enable"
		if *in.Disabled {
			action = "user.disable"
		}
		if err := s.audit(c, action, "user:"+username, nil); err != nil {
			return err
		}
	}
	u, _, err := s.Store.GetUser(ctx, username)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// listAudit pages through the audit log, newest first.
func (s *Server) listAudit(c echo.Context) error {
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return domain.E(domain.KindBadRequest, "bad_parameter", "limit: must be 1 to 500")
		}
		limit = n
	}
	es, next, err := s.Store.ListAudit(c.Request().Context(), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	if es == nil {
		es = []store.AuditEntry{}
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": es, "next_cursor": nc})
}
