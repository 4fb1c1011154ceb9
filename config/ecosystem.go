package config

import (
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/spf13/viper"
)

// Ecosystem is how rectify connects to the systems around it: metrics scrapers,
// a tracing collector, a province's 12345 platform and an SMS gateway. It is
// squashed into Config, so its keys sit at the top level (metrics.addr, sms.url…).
type Ecosystem struct {
	Metrics struct {
		// Addr, when set, serves /metrics on its own listener: `rectify worker` has no
		// HTTP API, so this is how its Temporal SDK and outbox metrics are scraped.
		Addr string `mapstructure:"addr"`
	} `mapstructure:"metrics"`
	Tracing struct {
		// OTLPEndpoint is an OTLP/gRPC collector URL (http://otel:4317 plaintext,
		// https://… TLS); empty turns tracing off.
		OTLPEndpoint string  `mapstructure:"otlp_endpoint"`
		ServiceName  string  `mapstructure:"service_name"`
		SampleRatio  float64 `mapstructure:"sample_ratio"`
	} `mapstructure:"tracing"`
	Ticketing struct {
		Mode          string        `mapstructure:"mode"`           // builtin | external
		ExternalURL   string        `mapstructure:"external_url"`   // the 12345 platform's work-order endpoint
		WebhookSecret string        `mapstructure:"webhook_secret"` // HMAC key, both directions
		Timeout       time.Duration `mapstructure:"timeout"`        // one push attempt
	} `mapstructure:"ticketing"`
	SMS struct {
		Mode    string        `mapstructure:"mode"`   // dev | http
		URL     string        `mapstructure:"url"`    // the gateway's send endpoint
		Secret  string        `mapstructure:"secret"` // HMAC key, both directions
		Timeout time.Duration `mapstructure:"timeout"`
	} `mapstructure:"sms"`
	Worker struct {
		// StopTimeout is how long a stopping worker lets running activities finish.
		StopTimeout time.Duration `mapstructure:"stop_timeout"`
	} `mapstructure:"worker"`
	Shutdown struct {
		// Timeout is how long a stopping HTTP server drains in-flight requests.
		Timeout time.Duration `mapstructure:"timeout"`
	} `mapstructure:"shutdown"`
}

func ecosystemDefaults(v *viper.Viper) {
	v.SetDefault("metrics.addr", "")
	v.SetDefault("tracing.otlp_endpoint", "")
	v.SetDefault("tracing.service_name", "rectify")
	v.SetDefault("tracing.sample_ratio", 1.0)
	v.SetDefault("ticketing.mode", "builtin")
	v.SetDefault("ticketing.external_url", "")
	v.SetDefault("ticketing.webhook_secret", "")
	v.SetDefault("ticketing.timeout", "10s")
	v.SetDefault("sms.mode", "dev")
	v.SetDefault("sms.url", "")
	v.SetDefault("sms.secret", "")
	v.SetDefault("sms.timeout", "10s")
	v.SetDefault("worker.stop_timeout", "30s")
	v.SetDefault("shutdown.timeout", "15s")
}

// validate names the key of every bad value.
func (e Ecosystem) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if a := e.Metrics.Addr; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("metrics.addr", "must be host:port, got %q", a)
		}
	}
	if ep := e.Tracing.OTLPEndpoint; ep != "" && !httpURL(ep) {
		bad("tracing.otlp_endpoint", "must be an http:// or https:// URL, got %q", ep)
	}
	if r := e.Tracing.SampleRatio; r < 0 || r > 1 {
		bad("tracing.sample_ratio", "must be between 0 and 1, got %g", r)
	}
	// An outside service is either off (the built-in one) or reached at an
	// http(s) URL with a shared secret.
	outside := func(prefix, mode, off, on, urlKey, url, secretKey, secret string) {
		switch mode {
		case off:
		case on:
			if !httpURL(url) {
				bad(prefix+urlKey, "must be an http:// or https:// URL in %s mode", on)
			}
			if len(secret) < 16 {
				bad(prefix+secretKey, "must be at least 16 characters in %s mode", on)
			}
		default:
			bad(prefix+"mode", "must be %s or %s, got %q", off, on, mode)
		}
	}
	outside("ticketing.", e.Ticketing.Mode, "builtin", "external", "external_url", e.Ticketing.ExternalURL,
		"webhook_secret", e.Ticketing.WebhookSecret)
	outside("sms.", e.SMS.Mode, "dev", "http", "url", e.SMS.URL, "secret", e.SMS.Secret)
	for _, d := range []struct {
		key string
		d   time.Duration
	}{{"ticketing.timeout", e.Ticketing.Timeout}, {"sms.timeout", e.SMS.Timeout},
		{"worker.stop_timeout", e.Worker.StopTimeout}, {"shutdown.timeout", e.Shutdown.Timeout}} {
		if d.d <= 0 {
			bad(d.key, "must be positive")
		}
	}
	return errs
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
