package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rectify/domain"
	"rectify/services"
)

// Taking access away: token lists and revocation, disabling users, password
// changes, and the admin audit log (README, "Security"). The rules are
// services.Admin's; these handlers parse and render.

const sessionKey = "rectify.session_cookie" // the raw cookie of a session-authenticated request

// audit records an admin action. The action has happened when this runs; a
// failed audit write fails the request, so the caller hears that it is unrecorded.
func (s *Server) audit(c echo.Context, action, target string, detail any) error {
	return s.Store.Audit(c.Request().Context(), userOf(c).Username, action, target, detail)
}

// createToken issues an API token; it is shown once and stored only hashed. The
// body is optional: {"expires_in_days": n} makes it expire.
func (s *Server) createToken(c echo.Context) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	var in struct {
		ExpiresInDays *int `json:"expires_in_days"`
	}
	if len(b) > 0 {
		if err := unmarshalStrict(b, &in); err != nil {
			return err
		}
	}
	tok, err := s.Services.Admin.CreateToken(c.Request().Context(), userOf(c), c.Param("username"), in.ExpiresInDays)
	return answer(c, http.StatusCreated, tok, err)
}

// listTokens shows a user's live tokens: metadata only, never the token.
func (s *Server) listTokens(c echo.Context) error {
	ts, err := s.Services.Admin.Tokens(c.Request().Context(), userOf(c), c.Param("username"))
	return answer(c, http.StatusOK, map[string]any{"tokens": ts}, err)
}

// revokeToken ends a token at once (the token cache is cleared with it: New
// registers the cache with services.Admin.OnAccessChange).
func (s *Server) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	return answerEmpty(c, s.Services.Admin.RevokeToken(c.Request().Context(), userOf(c), c.Param("username"), id))
}

// patchUser disables or enables a user and/or sets their password
// (services.Admin.PatchUser says who may). The caller's own session stays signed in.
func (s *Server) patchUser(c echo.Context) error {
	var in services.UserPatch
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	keep, _ := c.Get(sessionKey).(string)
	u, err := s.Services.Admin.PatchUser(c.Request().Context(), userOf(c), c.Param("username"), in, keep)
	return answer(c, http.StatusOK, u, err)
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
	es, next, err := s.Services.Admin.AuditLog(c.Request().Context(), userOf(c), c.QueryParam("cursor"), limit)
	if err != nil {
		return err
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": es, "next_cursor": nc})
}
