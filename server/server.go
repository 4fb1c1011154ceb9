// Package server is rectify's HTTP API (echo v4): the contract of API.md, with one
// error handler that turns domain errors into the contract's error body.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"rectify/calendar"
	"rectify/domain"
	"rectify/engine"
	"rectify/services"
	"rectify/store"
)

// Deps are what the API needs.
type Deps struct {
	Store               *store.Store
	Engine              *engine.Engine
	Temporal            client.Client
	Calendar            *calendar.Calendar
	Log                 *slog.Logger
	BootstrapAdminToken string
	Now                 func() time.Time // nil: time.Now
	Ecosystem           Ecosystem        // metrics and webhooks (ecosystem.go)
	// Services is the application layer the handlers adapt; nil: built from the
	// fields above.
	Services *services.Services
}

// Server is the HTTP API.
type Server struct {
	Deps
	Echo  *echo.Echo
	auth  *tokenCache
	clock func() time.Time
	routeCache
}

// Body size limits: one rating is small; a batch holds up to 1000.
const (
	maxBody      = 256 << 10
	maxBatchBody = 16 << 20
)

// New builds the API.
func New(d Deps) *Server {
	s := &Server{Deps: d, Echo: echo.New(), auth: newTokenCache(30 * time.Second), clock: d.Now}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.Services == nil {
		s.Services = services.New(services.Deps{Store: d.Store, Engine: d.Engine, Calendar: d.Calendar, Log: d.Log, Now: d.Now})
	}
	// A revoked token, a disabled user or a new bound source, whether changed
	// through the API or a page, is seen by the next request.
	s.Services.Admin.OnAccessChange(func() { s.auth.clear(); s.Services.Ratings.SourcesChanged() })
	s.Services.Ratings.OnIngested(s.countIngested) // from the API, the pages and logged call-backs alike
	e := s.Echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(middleware.RequestID())
	// The peer address, never X-Forwarded-For, unless a deployment trusts a proxy
	// (see ClientIP): per-IP limits must not be dodged by a forged header.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(securityHeaders())
	e.Use(limitBodies)
	e.Use(routeDeadlines)
	e.Use(unescapeParams)
	e.Use(checkInput)
	e.Use(s.logRequests)
	e.Use(limitSurveys(NewRateLimiter(surveyRate, surveyBurst)))
	e.Use(strictAPI) // 405 with Allow, 415 (strict.go)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.ready)

	api := e.Group("/api/v1", s.authenticate)
	any := []domain.Role{domain.RoleAdmin, domain.RoleSupervisor, domain.RoleCallCenter, domain.RoleDepartment}
	admin := []domain.Role{domain.RoleAdmin}

	api.POST("/departments", s.createDepartment, allow(admin...), limit(maxBody))
	api.GET("/departments", s.listDepartments, allow(any...))
	api.POST("/users", s.createUser, allow(admin...), limit(maxBody))
	api.GET("/users", s.listUsers, allow(admin...))
	api.POST("/users/:username/tokens", s.createToken, allow(admin...), limit(maxBody))
	api.GET("/users/:username/tokens", s.listTokens, allow(admin...))
	api.DELETE("/users/:username/tokens/:id", s.revokeToken, allow(admin...))
	// Anyone signed in may change their own password; the handler checks who.
	api.PATCH("/users/:username", s.patchUser, allow(any...), limit(maxBody))
	api.GET("/audit", s.listAudit, allow(admin...))

	submitters := []domain.Role{domain.RoleChannel, domain.RoleCallCenter, domain.RoleAdmin}
	api.POST("/ratings", s.createRating, allow(submitters...), limit(maxBody))
	api.POST("/ratings/batch", s.createRatingBatch, allow(submitters...), limit(maxBatchBody))
	api.GET("/ratings/:id", s.getRating, allow(any...))

	api.GET("/tickets", s.listTickets, allow(any...))
	api.GET("/tickets/:number", s.getTicket, allow(any...))
	api.POST("/tickets/:number/:action", s.act, allow(any...), limit(maxBody))

	// The notice centre: each role its own notices (notices.go).
	api.GET("/notifications", s.listNotifications, allow(any...))
	api.POST("/notifications/read-all", s.markAllNoticesRead, allow(any...))
	api.POST("/notifications/:id/read", s.markNoticeRead, allow(any...))
	// Group robots, per department (robots.go).
	api.GET("/robots", s.listRobots, allow(admin...))
	api.GET("/departments/:code/robot", s.getRobot, allow(admin...))
	api.PUT("/departments/:code/robot", s.putRobot, allow(admin...), limit(maxBody))
	api.DELETE("/departments/:code/robot", s.deleteRobot, allow(admin...))

	// Satisfaction call-backs on finished cases (cases.go).
	s.routeCases(api)

	api.GET("/calendar/deadline", s.deadline, allow(any...))
	api.GET("/calendar/:year", s.calendarYear, allow(any...))
	api.PUT("/calendar/days/:date", s.putCalendarDay, allow(admin...), limit(maxBody))
	api.DELETE("/calendar/days/:date", s.deleteCalendarDay, allow(admin...))
	s.registerStats(api)
	s.registerTopics(api) // topics.go

	// The citizen's survey: the token is the credential. Its page, /s/{token}, is
	// package web's.
	e.POST("/api/v1/surveys/:token", s.answerSurvey, limit(maxBody))

	// Metrics, the OpenAPI document and its page, webhooks (ecosystem.go).
	s.routeEcosystem(e)
	return s
}

func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		return domain.E(domain.KindUnavailable, "database_unavailable", "database not reachable")
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return domain.E(domain.KindUnavailable, "temporal_unavailable", "Temporal not reachable")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// StatusOf is the HTTP status the contract gives err (see Answer).
func StatusOf(err error) int {
	status, _ := Answer(err)
	return status
}

// Answer is the one mapping of an error to the contract's status and body, for
// the API's error handler and the pages alike: a *domain.Error answers its
// kind's status with its code, message and fields; a Postgres data exception
// (SQLSTATE class 22: input that reached the database unchecked) is the
// caller's fault, 422 invalid_value; anything else is a fault, 500 "internal
// error", its cause never shown.
func Answer(err error) (status int, body domain.ErrorBody) {
	status = http.StatusInternalServerError
	if de, ok := domain.AsError(err); ok {
		status, body = de.Kind.HTTPStatus(), de.Body()
	} else if dataException(err) {
		status = http.StatusUnprocessableEntity
		body.Error.Code, body.Error.Message = "invalid_value", "a value is not acceptable"
	}
	if status == http.StatusInternalServerError {
		body.Error.Code, body.Error.Message, body.Error.Fields = "internal", "internal error", nil
	}
	return status, body
}

// errorBody is the body of every error answer.
type errorBody = domain.ErrorBody

// handleError is the one place errors become responses (Answer, and echo's own
// errors: unknown route, body too large). Faults are logged with the request
// ID and shown to the caller only as "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := Answer(err)
	_, known := domain.AsError(err)
	var he *echo.HTTPError
	switch {
	case !known && dataException(err):
		s.Log.Warn("input reached the database unchecked", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	case !known && errors.As(err, &he):
		status = he.Code
		body.Error.Code = map[int]string{404: "not_found", 405: "method_not_allowed", 413: "body_too_large",
			400: "bad_request", 415: "unsupported_media_type", 429: "rate_limited"}[status]
		if body.Error.Code == "" {
			body.Error.Code = "http_error"
		}
		body.Error.Message = http.StatusText(status)
		if status == http.StatusInternalServerError {
			body.Error.Code, body.Error.Message = "internal", "internal error"
		}
	case status >= http.StatusInternalServerError:
		s.Log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

// logRequests logs each request without its body or query: both may carry phones.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.Log.Debug("http", "method", c.Request().Method, "route", c.Path(), "status", c.Response().Status,
			"ms", time.Since(start).Milliseconds(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

// limit refuses bodies over n bytes with 413 before reading them whole.
func limit(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return domain.E(domain.KindTooLarge, "body_too_large", "request body over %d bytes", n)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, n)
			return next(c)
		}
	}
}
