package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"rectify/domain"
	"rectify/store"
	"rectify/telemetry"
)

// actionRoute is the route whose requests are ticket actions.
const actionRoute = "/api/v1/tickets/:number/:action"

// instrument measures every request by its route template (never the raw path:
// ticket numbers and tokens would make a series each), continues the caller's
// trace (W3C traceparent) in a server span that the Temporal interceptor carries
// into the workflow, and puts the request ID on the context for log lines.
func (s *Server) instrument(next echo.HandlerFunc) echo.HandlerFunc {
	tracer := otel.Tracer("rectify/server")
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		route := s.routeLabel(c)
		ctx := telemetry.WithRequestID(req.Context(), c.Response().Header().Get(echo.HeaderXRequestID))
		ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(req.Header))
		ctx, span := tracer.Start(ctx, req.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("http.route", route)))
		c.SetRequest(req.WithContext(ctx))
		if err := next(c); err != nil {
			c.Error(err) // the status is final only once the error is written
		}
		status := c.Response().Status
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, strconv.Itoa(status))
		}
		span.End()
		d := time.Since(start)
		m := s.Ecosystem.Metrics
		m.ObserveHTTP(req.Method, route, status, d)
		if route == actionRoute {
			if _, known := domain.RuleOf(c.Param("action")); known {
				m.ObserveAction(c.Param("action"), "api", status, d)
			}
		}
		return nil
	}
}

// routeLabel is the request's route template, or "unmatched" for paths no route
// serves (scanners would otherwise mint a series per path).
func (s *Server) routeLabel(c echo.Context) string {
	s.routesOnce.Do(func() {
		s.routes = map[string]bool{}
		for _, r := range s.Echo.Routes() {
			s.routes[r.Method+" "+r.Path] = true
		}
	})
	p := c.Path()
	if s.routes[c.Request().Method+" "+p] {
		return p
	}
	return "unmatched"
}

// countIngested counts the ratings a request stored for the first time.
func (s *Server) countIngested(rs []store.NewRating, res []store.RatingResult) {
	m := s.Ecosystem.Metrics
	if m == nil {
		return
	}
	for i, r := range res {
		if r.Outcome == store.Created {
			m.RatingsIngested.WithLabelValues(string(rs[i].Channel), string(rs[i].Level)).Inc()
		}
	}
}

// routeCache is the set of registered routes, built on the first request: the
// pages (package web) register theirs after New.
type routeCache struct {
	routesOnce sync.Once
	routes     map[string]bool
}
