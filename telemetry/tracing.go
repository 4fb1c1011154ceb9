package telemetry

import (
	"context"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// TracingOptions say where traces go.
type TracingOptions struct {
	Endpoint    string  // OTLP/gRPC collector URL; empty: tracing off
	ServiceName string  // service.name of every span
	SampleRatio float64 // of new traces; a sampled parent is always followed
	// Exporter replaces the OTLP exporter (tests record spans in memory).
	Exporter sdktrace.SpanExporter
}

var tracing struct {
	mu          sync.Mutex
	interceptor interceptor.Interceptor
}

// SetupTracing installs the process's tracer provider and W3C trace-context
// propagation, and prepares the Temporal tracing interceptor. Call it before
// dialing Temporal; the returned function flushes and stops the exporter.
// With no endpoint and no exporter it does nothing: tracing is off by default.
func SetupTracing(ctx context.Context, o TracingOptions) (shutdown func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	exp := o.Exporter
	if exp == nil {
		if o.Endpoint == "" {
			return noop, nil
		}
		exp, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(o.Endpoint))
		if err != nil {
			return noop, fmt.Errorf("tracing.otlp_endpoint: %w", err)
		}
	}
	name := o.ServiceName
	if name == "" {
		name = "rectify"
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(name))),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(o.SampleRatio))),
	)
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(prop)
	ic, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer: tp.Tracer("temporal-sdk-go"), TextMapPropagator: prop})
	if err != nil {
		return noop, err
	}
	tracing.mu.Lock()
	tracing.interceptor = ic
	tracing.mu.Unlock()
	return tp.Shutdown, nil
}
