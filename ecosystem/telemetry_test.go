package ecosystem

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	temporalclient "go.temporal.io/sdk/client"

	"rectify/app"
	"rectify/config"
	"rectify/internal/testdb"
	"rectify/internal/testenv"
	"rectify/telemetry"
)

// instrumented builds a system as `rectify dev` does, with the Temporal client
// carrying the SDK metrics handler and (when tracing is set up) the tracing
// interceptor; testenv.NewSystem uses the test server's plain client.
func instrumented(t *testing.T) (*app.System, client) {
	t.Helper()
	st, dbURL := testdb.NewWithURL(t)
	cfg, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL, cfg.Auth.BootstrapAdminToken = dbURL, testenv.AdminToken
	cfg.Temporal.Address, cfg.Temporal.Namespace = ts.GetFrontendHostPort(), ts.GetDefaultNamespace()
	cfg.Temporal.TaskQueue = "rectify-" + dbURL[strings.LastIndex(dbURL, "_")+1:]
	cfg.DataDir = t.TempDir()
	tc := ts.NewClientWithOptions(temporalclient.Options{MetricsHandler: telemetry.TemporalMetrics(),
		Interceptors: telemetry.TemporalInterceptors()})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sys, err := app.Build(context.Background(), cfg, st, tc, log)
	if err != nil {
		t.Fatal(err)
	}
	w := sys.NewWorker()
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(testenv.Contract(t, sys.NewServer().Echo))
	sys.Config.HTTP.BaseURL = srv.URL
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); srv.Close(); w.Stop() })
	sys.RunBackground(ctx)
	return sys, client{t, srv.URL}
}

// A rating's trace follows the HTTP request (continuing the caller's
// traceparent) into the workflow it starts and the workflow's activities.
// Runs before the metrics test: tracing is set up once per process.
func TestTraceFollowsRatingIntoWorkflow(t *testing.T) {
	t.Parallel()
	exp := keptSpans{tracetest.NewInMemoryExporter()}
	shutdown, err := telemetry.SetupTracing(context.Background(), telemetry.TracingOptions{Exporter: exp, SampleRatio: 1})
	if err != nil {
		t.Fatal(err)
	}
	sys, c := instrumented(t)
	tm := c.setup()
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	r := map[string]any{"id": "TRACE-1", "channel": "hall", "level": "dissatisfied", "department_code": deptA}
	h := map[string][]string{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}}
	if res := c.do("POST", "/api/v1/ratings", tm.channel, r, h); res.Status != 201 {
		t.Fatalf("rating: %d %s", res.Status, res.Raw)
	}
	eventually(t, 10*time.Second, "the workflow never wrote its first event", func() bool {
		var tk struct{ Events []struct{ Type string } }
		rating, err := sys.Store.GetRating(context.Background(), "TRACE-1")
		if err != nil || rating.TicketNumber == "" {
			return false
		}
		c.must(200, "GET", "/api/v1/tickets/"+rating.TicketNumber, tm.supervisor, nil).Decode(t, &tk)
		return len(tk.Events) > 0
	})
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range exp.GetSpans() {
		if s.SpanContext.TraceID().String() == traceID {
			names[s.Name] = true
		}
	}
	// The workflow's own span (RunWorkflow) ends with the workflow; its activities'
	// spans, its children, are in the trace already.
	// A ticket's write computes its stage deadlines too (RectificationV2 and V3, issue 18).
	for _, want := range []string{"POST /api/v1/ratings", "StartWorkflow:RectificationV3", "StartActivity:Write",
		"RunActivity:Write"} {
		if !names[want] {
			t.Errorf("no span %q in the rating's trace; it has %v", want, names)
		}
	}
}

// keptSpans keeps the spans past Shutdown, which flushes the batch first.
type keptSpans struct{ *tracetest.InMemoryExporter }

func (keptSpans) Shutdown(context.Context) error { return nil }

// GET /metrics serves the named series: HTTP by route and status, ratings by
// channel and level, tickets by status, overdue, action latencies, the outbox
// backlog, the Go runtime and the Temporal SDK's own.
func TestMetricsScrape(t *testing.T) {
	t.Parallel()
	_, c := instrumented(t)
	tm := c.setup()
	number := c.negative(tm.channel, "METRICS-1", deptA, true)
	c.must(200, "POST", "/api/v1/tickets/"+number+"/sign", tm.deptA, map[string]any{})
	c.must(409, "POST", "/api/v1/tickets/"+number+"/sign", tm.deptA, map[string]any{})
	c.must(404, "GET", "/api/v1/tickets/NO-SUCH-TICKET", tm.supervisor, nil)

	r := c.must(200, "GET", "/metrics", "", nil)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want the Prometheus text format", ct)
	}
	body := string(r.Raw)
	for _, want := range []string{
		`rectify_http_requests_total{method="POST",route="/api/v1/ratings",status="201"} 1`,
		`rectify_http_requests_total{method="GET",route="/api/v1/tickets/:number",status="404"} 1`,
		`rectify_http_request_duration_seconds_bucket{method="POST",route="/api/v1/tickets/:number/:action",le="+Inf"} 2`,
		`rectify_ratings_ingested_total{channel="web",level="very_dissatisfied"} 1`,
		`rectify_ticket_action_duration_seconds_count{action="sign",outcome="ok",source="api"} 1`,
		`rectify_ticket_action_duration_seconds_count{action="sign",outcome="rejected",source="api"} 1`,
		`rectify_tickets{status="rectifying"} 1`,
		`rectify_tickets{status="closed"} 0`,
		`rectify_tickets_overdue 0`,
		`rectify_outbox_backlog `,
		`rectify_outbox_oldest_seconds `,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The Temporal SDK's own series, through the OpenTelemetry exporter.
	for _, re := range []string{`(?m)^temporal_request_total\{`, `(?m)^temporal_workflow_task_execution_latency_seconds_bucket\{`,
		`(?m)^temporal_activity_execution_latency_seconds_bucket\{`} {
		if !regexp.MustCompile(re).MatchString(body) {
			t.Errorf("/metrics lacks the Temporal SDK series %s", re)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grep(body, "rectify_", "temporal_"))
	}
}

func grep(s string, prefixes ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
