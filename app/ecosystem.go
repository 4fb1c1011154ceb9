package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"rectify/config"
	"rectify/hotline"
	"rectify/notify"
	"rectify/server"
	"rectify/telemetry"
)

// How the system connects to what surrounds it (issue 8): metrics, tracing, the
// 12345 platform, the SMS gateway. README: "Integrations".

// SetupTracing starts OTLP tracing when tracing.otlp_endpoint is set; call it
// before DialTemporal, whose client then carries the tracing interceptor. The
// returned function flushes the last spans.
func SetupTracing(ctx context.Context, cfg config.Config) (func(context.Context) error, error) {
	return telemetry.SetupTracing(ctx, telemetry.TracingOptions{Endpoint: cfg.Tracing.OTLPEndpoint,
		ServiceName: cfg.Tracing.ServiceName, SampleRatio: cfg.Tracing.SampleRatio})
}

// newMetrics is the system's metrics, with the database gauges cached for 15s.
func newMetrics(st telemetry.Counter) *telemetry.Metrics {
	m := telemetry.NewMetrics()
	m.WatchStore(st, 15*time.Second)
	return m
}

// ecosystem is what the API needs of the integrations.
func (s *System) ecosystem() server.Ecosystem {
	e := server.Ecosystem{Metrics: s.Metrics}
	if s.Config.Ticketing.Mode == "external" {
		e.PlatformSecret = s.Config.Ticketing.WebhookSecret
	}
	if s.Config.SMS.Mode == "http" {
		e.SMSSecret = s.Config.SMS.Secret
	}
	return e
}

// platform is the 12345 platform's client in external mode, else nil.
func (s *System) platform() *hotline.Client {
	if s.Config.Ticketing.Mode != "external" {
		return nil
	}
	t := s.Config.Ticketing
	return hotline.New(t.ExternalURL, t.WebhookSecret, t.Timeout, s.Metrics)
}

// sender delivers the outbox: SMS through the gateway in http mode (dev: logged,
// and listed without survey links at GET /api/v1/notifications), notices to staff stay in the workbench.
func (s *System) sender() notify.Sender {
	dev := notify.LogSender{Log: s.Log}
	// Group robots are real endpoints in every mode: a department has one only
	// when an admin set its webhook.
	r := notify.Router{SMS: dev, Other: dev, Robot: notify.NewRobotSender(s.Store, 10*time.Second), Metrics: s.Metrics}
	if c := s.Config.SMS; c.Mode == "http" {
		r.SMS = notify.NewHTTPSender(c.URL, c.Secret, c.Timeout)
	} else if s.SMS != nil {
		r.SMS = s.SMS
	}
	return r
}

// ServeMetrics serves /metrics on metrics.addr until ctx ends, for processes
// without the HTTP API (`rectify worker`). No address: nothing to do.
func (s *System) ServeMetrics(ctx context.Context) error {
	addr := s.Config.Metrics.Addr
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.Metrics.Handler())
	srv := server.HTTPServer(addr, mux)
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	s.Log.Info("metrics listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
