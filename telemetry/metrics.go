// Package telemetry is what rectify tells operators about itself: Prometheus
// metrics (its own and the Temporal SDK's), OpenTelemetry traces over OTLP, and the
// request and workflow IDs on structured log lines.
package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one system's series. Each system has its own registry, so tests can
// run several in one process; what belongs to the process (Go runtime, the Temporal
// SDK) lives in the process registry and is served alongside.
type Metrics struct {
	Registry *prometheus.Registry

	HTTPRequests    *prometheus.CounterVec   // method, route, status
	HTTPDuration    *prometheus.HistogramVec // method, route
	RatingsIngested *prometheus.CounterVec   // channel, level
	ActionDuration  *prometheus.HistogramVec // action, source, outcome
	Notifications   *prometheus.CounterVec   // channel, result
	PlatformPushes  *prometheus.CounterVec   // result
	Webhooks        *prometheus.CounterVec   // source, result
}

// Working-day deadlines make a slow action seconds, not minutes: the buckets go
// from 5ms to 30s.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// NewMetrics registers rectify's own series in a new registry.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { r.MustRegister(c) }
	m := &Metrics{
		Registry: r,
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_http_requests_total",
			Help: "HTTP requests by route template and status."}, []string{"method", "route", "status"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rectify_http_request_duration_seconds",
			Help: "HTTP request latency by route template.", Buckets: latencyBuckets}, []string{"method", "route"}),
		RatingsIngested: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_ratings_ingested_total",
			Help: "Ratings stored (first submissions, not idempotent repeats) by channel and level."}, []string{"channel", "level"}),
		ActionDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rectify_ticket_action_duration_seconds",
			Help:    "Ticket actions from request to written state, by action, source (api, web, webhook) and outcome (ok, rejected, error).",
			Buckets: latencyBuckets}, []string{"action", "source", "outcome"}),
		Notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_notifications_delivered_total",
			Help: "Outbox delivery attempts by channel (sms, department, supervisors, robot) and result (sent, failed, skipped: the robot was removed); a send waiting for a robot's rate limit is not counted."}, []string{"channel", "result"}),
		PlatformPushes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_platform_pushes_total",
			Help: "Work orders pushed to the external 12345 platform, by result (ok, retry, refused)."}, []string{"result"}),
		Webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rectify_webhooks_total",
			Help: "Webhook calls received, by source (12345, sms) and result."}, []string{"source", "result"}),
	}
	f(m.HTTPRequests)
	f(m.HTTPDuration)
	f(m.RatingsIngested)
	f(m.ActionDuration)
	f(m.Notifications)
	f(m.PlatformPushes)
	f(m.Webhooks)
	return m
}

// ObserveAction records one ticket action's latency; status is the HTTP status
// it was answered with.
func (m *Metrics) ObserveAction(action, source string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.ActionDuration.WithLabelValues(action, source, Outcome(status)).Observe(d.Seconds())
}

// Outcome buckets a status: ok (2xx), rejected (4xx: the caller's fault), error.
func Outcome(status int) string {
	switch {
	case status < 400:
		return "ok"
	case status < 500:
		return "rejected"
	}
	return "error"
}

// ObserveHTTP records one request.
func (m *Metrics) ObserveHTTP(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.HTTPRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.HTTPDuration.WithLabelValues(method, route).Observe(d.Seconds())
}

// Handler serves this system's series with the process's (Go runtime, Temporal SDK).
func (m *Metrics) Handler() http.Handler {
	g := prometheus.Gatherers{m.Registry, processRegistry()}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
