// Package app wires configuration into running components: the store, the
// calendar, the Temporal client, the worker and the HTTP server. cmd/rectify and
// the integration tests both build the system through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"rectify/activities"
	"rectify/calendar"
	"rectify/config"
	"rectify/engine"
	"rectify/notify"
	"rectify/server"
	"rectify/stats"
	"rectify/store"
	"rectify/telemetry"
	"rectify/topics"
	"rectify/web"
	"rectify/worker"
	"rectify/workflows"
)

// NewLogger builds the process logger from the configuration.
func NewLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	// telemetry.LogHandler: request_id, trace_id and workflow_id on every line that has them.
	if cfg.Log.Format == "json" {
		return slog.New(telemetry.LogHandler(slog.NewJSONHandler(os.Stderr, opts)))
	}
	return slog.New(telemetry.LogHandler(slog.NewTextHandler(os.Stderr, opts)))
}

// Policy is the workflow rules from the configuration.
func Policy(cfg config.Config) workflows.Policy {
	r := cfg.Rules
	return workflows.Policy{SignDays: r.SignDays, RectifyDays: r.RectifyDays, SurveyDays: r.SurveyDays,
		MaxRounds: r.MaxRounds, MaxCallAttempts: r.MaxCallAttempts, ExtensionsPerRound: r.ExtensionsPerRound,
		MaxExtensionDays: r.MaxExtensionDays, Ticketing: cfg.Ticketing.Mode}
}

// NewCalendar builds the working-day calendar with the stored overrides, and warns
// loudly when this year or the next has no holiday data.
func NewCalendar(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) (*calendar.Calendar, error) {
	cal := calendar.New(cfg.Location(), cfg.EndOfDay())
	if err := st.LoadCalendarOverrides(ctx, cal); err != nil {
		return nil, err
	}
	year := time.Now().In(cfg.Location()).Year()
	for _, y := range []int{year, year + 1} {
		if !cal.HasData(y) {
			log.Warn("NO HOLIDAY DATA for this year: deadlines falling in it will fail until an admin adds the holidays (PUT /api/v1/calendar/days/{date}) or the lunar-go module is updated", "year", y)
		}
	}
	return cal, nil
}

// Schedule is the stage clock: real working days, or compressed for demos.
func Schedule(cfg config.Config, cal *calendar.Calendar) calendar.Schedule {
	s := calendar.Schedule{Cal: cal, Policy: calendar.Policy{RemindBefore: cfg.Rules.RemindBeforeDays, EscalateAfter: cfg.Rules.EscalateAfterDays}}
	if cfg.Calendar.Mode == "compressed" {
		s.Compressed = cfg.Calendar.CompressedDay
	}
	return s
}

// DialTemporal connects to the Temporal frontend.
func DialTemporal(ctx context.Context, cfg config.Config, log *slog.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{HostPort: cfg.Temporal.Address, Namespace: cfg.Temporal.Namespace,
		Logger:         sdklog.NewStructuredLogger(log.With("component", "temporal-sdk")),
		MetricsHandler: telemetry.TemporalMetrics(), Interceptors: telemetry.TemporalInterceptors()})
	if err != nil {
		return nil, fmt.Errorf("temporal at %s: %w", cfg.Temporal.Address, err)
	}
	return c, nil
}

// System is a running rectify: any of its parts may be nil when a command runs
// only some of them.
type System struct {
	Config   config.Config
	Log      *slog.Logger
	Store    *store.Store
	Calendar *calendar.Calendar
	Temporal client.Client
	Engine   *engine.Engine
	Server   *server.Server
	Worker   sdkworker.Worker
	Metrics  *telemetry.Metrics // served at /metrics (ecosystem.go)
	SMS      notify.Sender      // nil: as sms.mode says; tests put a notify.Inbox here
	demo     demoBack           // stages the demo seed counts from the past (demodata.go); empty otherwise
}

// Build wires the parts shared by every command.
func Build(ctx context.Context, cfg config.Config, st *store.Store, tc client.Client, log *slog.Logger) (*System, error) {
	cal, err := NewCalendar(ctx, cfg, st, log)
	if err != nil {
		return nil, err
	}
	sched := Schedule(cfg, cal)
	eng := &engine.Engine{Client: tc, TaskQueue: cfg.Temporal.TaskQueue, Store: st, Policy: Policy(cfg), Log: log, Schedule: &sched}
	sys := &System{Config: cfg, Log: log, Store: st, Calendar: cal, Temporal: tc, Engine: eng, Metrics: newMetrics(st)}
	eng.StageStart = sys.demoStageStart
	return sys, nil
}

// NewServer builds the HTTP API and the pages.
func (s *System) NewServer() *server.Server {
	s.Server = server.New(server.Deps{Store: s.Store, Engine: s.Engine, Temporal: s.Temporal, Calendar: s.Calendar,
		Log: s.Log, BootstrapAdminToken: s.Config.Auth.BootstrapAdminToken, Ecosystem: s.ecosystem()})
	var compressed time.Duration
	if s.Config.Calendar.Mode == "compressed" {
		compressed = s.Config.Calendar.CompressedDay
	}
	web.Register(s.Server.Echo, web.Deps{Store: s.Store, Calendar: s.Calendar, Log: s.Log, Services: s.Server.Services,
		Metrics:     s.Server.Ecosystem.Metrics,
		ServiceName: s.Config.Survey.ServiceName, CompressedDay: compressed, Policy: web.Policy{
			MaxFailedLogins: s.Config.Auth.MaxFailedLogins, LockFor: s.Config.Auth.LockFor,
			SessionTTL: s.Config.Auth.SessionTTL, IdleTimeout: s.Config.Auth.SessionIdle}})
	return s.Server
}

// NewWorker builds the Temporal worker.
func (s *System) NewWorker() sdkworker.Worker {
	base := s.Config.HTTP.BaseURL
	if base == "" {
		base = "http://" + s.Config.HTTP.Addr
	}
	acts := &activities.Activities{Store: s.Store, Schedule: Schedule(s.Config, s.Calendar),
		Render: notify.Renderer{BaseURL: base, Zone: s.Config.Location()}, SurveyTTL: s.Config.Survey.TTL,
		Platform: s.platform(), StageStart: s.demoStageStart}
	s.Worker = worker.New(s.Temporal, s.Config.Temporal.TaskQueue, acts, s.Config.Temporal.StickyCacheSize,
		worker.StopTimeout(s.Config.Worker.StopTimeout))
	return s.Worker
}

// RunBackground runs the loops every process with a worker needs: the outbox,
// the reconciler, the call-back campaign's start, and a periodic reload of
// calendar overrides made elsewhere, with the expiry of old Idempotency-Keys.
func (s *System) RunBackground(ctx context.Context) {
	go worker.Deliver(ctx, s.Store, s.sender(), s.Log)
	s.RunStarts(ctx)
	go s.keepCampaignStarted(ctx)
	// Folding keeps the statistics backlog small even when nobody reads them.
	go (&stats.Service{DB: s.Store.Pool()}).RunFolder(ctx, 2*time.Second, s.Log)
	// Segmenting comments into terms (topics), off the rating request's path.
	go (&topics.Service{DB: s.Store.Pool()}).RunDrainer(ctx, time.Second, s.Log)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Minute):
				if err := s.Store.LoadCalendarOverrides(ctx, s.Calendar); err != nil && ctx.Err() == nil {
					s.Log.Warn("reloading calendar overrides", "err", err)
				}
				if _, err := s.Store.ExpireIdempotencyKeys(ctx, store.IdempotencyKeyLifetime); err != nil && ctx.Err() == nil {
					s.Log.Warn("expiring idempotency keys", "err", err)
				}
			}
		}
	}()
}

// RunStarts runs what starts ticket workflows: the start queue the API fills as
// ratings are committed, and the reconciler (its first pass at once, for the
// tickets a killed process had queued; then every 30 s, for tickets 10 s old);
// and the deadline sweeper, which wakes the workflows whose deadline passed.
func (s *System) RunStarts(ctx context.Context) {
	go s.Engine.RunStarts(ctx)
	go s.Engine.RunReconciler(ctx, 30*time.Second, 10*time.Second)
	go s.Engine.RunDeadlineSweeper(ctx, SweepInterval(s.Config))
}

// SweepInterval is deadlines.sweep_interval, at most an eighth of a compressed
// day (calendar.mode compressed: the demo and tests), and no less than 50 ms.
func SweepInterval(cfg config.Config) time.Duration {
	d := cfg.Deadlines.SweepInterval
	if cfg.Calendar.Mode == "compressed" {
		d = min(d, cfg.Calendar.CompressedDay/8)
	}
	return max(d, 50*time.Millisecond)
}

// Serve runs the HTTP server until ctx ends, then drains in-flight requests.
func (s *System) Serve(ctx context.Context) error {
	srv := server.HTTPServer(s.Config.HTTP.Addr, s.Server.Echo)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.Config.Shutdown.Timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
