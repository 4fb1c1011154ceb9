package telemetry

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// The process registry holds what exists once per process: the Go runtime and the
// Temporal SDK's own metrics (temporal_*: polls, task latencies, schedule-to-start,
// sticky cache), which the SDK reports through OpenTelemetry's metric API; the
// OpenTelemetry Prometheus exporter turns them into Prometheus series here.
var process struct {
	once     sync.Once
	registry *prometheus.Registry
	handler  client.MetricsHandler
}

func initProcess() {
	process.once.Do(func() {
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		process.registry = r
		exp, err := otelprom.New(otelprom.WithRegisterer(r), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
		if err != nil {
			// Only a duplicate registration fails here, and the registry is new.
			panic("telemetry: Temporal SDK metrics exporter: " + err.Error())
		}
		meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp)).Meter("temporal-sdk-go")
		process.handler = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
			Meter: meter, UseMonotonicCounters: true,
			// A metric the exporter refuses must not take the worker down.
			OnError: func(error) {},
		})
	})
}

func processRegistry() *prometheus.Registry {
	initProcess()
	return process.registry
}

// TemporalMetrics is the metrics handler for Temporal clients and workers
// (client.Options.MetricsHandler); its series are served by every Metrics.Handler.
func TemporalMetrics() client.MetricsHandler {
	initProcess()
	return process.handler
}

// TemporalInterceptors are the client interceptors for client.Options: the
// OpenTelemetry tracing interceptor when tracing is on, so a span started by an
// HTTP request continues into the workflow it starts or updates and into the
// workflow's activities (workers built from the client inherit it). Nil when off.
func TemporalInterceptors() []interceptor.ClientInterceptor {
	tracing.mu.Lock()
	defer tracing.mu.Unlock()
	if tracing.interceptor == nil {
		return nil
	}
	return []interceptor.ClientInterceptor{tracing.interceptor}
}
