// Command rectify is the whole product in one binary: `dev` runs everything in one
// process on embedded defaults; `server`, `worker` and `migrate` run production
// against a Temporal cluster and Postgres.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	sdkworker "go.temporal.io/sdk/worker"

	"rectify/app"
	"rectify/config"
	"rectify/engine"
	"rectify/store"
	"rectify/workflows"
)

func main() {
	root := &cobra.Command{Use: "rectify", Short: "rectify: the rectification workflow engine of the 好差评 platform",
		SilenceUsage: true}
	config.Flags(root.PersistentFlags())
	root.AddCommand(
		&cobra.Command{Use: "server", Short: "run the HTTP API against Temporal and Postgres", RunE: runServer},
		&cobra.Command{Use: "worker", Short: "run the Temporal worker and the outbox dispatcher", RunE: runWorker},
		&cobra.Command{Use: "migrate", Short: "apply database migrations, prepare the Temporal namespace, and exit", RunE: runMigrate},
		doctorCommand(),
		seedCommand(),
	)
	root.AddCommand(devCommands()...) // dev, bench and the hidden temporal; none in a release build (dev.go)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		os.Exit(1)
	}
}

func runMigrate(cmd *cobra.Command, _ []string) error {
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	st, err := store.Open(cmd.Context(), cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(cmd.Context())
	if err != nil {
		return err
	}
	log.Info("migrations applied", "applied", applied)
	return prepareTemporal(cmd.Context(), cfg, log)
}

// prepareTemporal registers the namespace and rectify's search attributes, so
// that no deployment depends on a step a human must remember.
func prepareTemporal(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute) // a new namespace takes one cache refresh (~10 s)
	defer cancel()
	tc, err := app.DialTemporal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	did, err := engine.PrepareNamespace(ctx, tc, cfg.Temporal.Namespace, cfg.Temporal.NamespaceRetention, workflows.SearchAttributes)
	if err != nil {
		return err
	}
	if len(did.Added) > 0 {
		log.Info("search attributes added; waiting for every Temporal service to see them",
			"namespace", cfg.Temporal.Namespace, "added", did.Added, "wait", engine.NamespaceRefresh)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(engine.NamespaceRefresh):
		}
	}
	log.Info("temporal namespace ready", "namespace", cfg.Temporal.Namespace, "registered", did.Registered,
		"search_attributes_added", did.Added)
	return nil
}

// open loads the configuration and connects to Postgres and Temporal.
func open(cmd *cobra.Command) (*app.System, func(), error) {
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return nil, nil, err
	}
	return connect(cmd.Context(), cfg, false, nil)
}

// connect connects to Postgres (migrating it first if asked; refusing a schema
// that is behind) and Temporal. The returned func closes it all, and stopLast
// after everything else (dev: the in-process Temporal the client dialed).
func connect(ctx context.Context, cfg config.Config, migrate bool, stopLast func()) (*app.System, func(), error) {
	log := app.NewLogger(cfg)
	st, err := store.Open(ctx, cfg.Database.URL)
	if err != nil {
		return nil, nil, err
	}
	closers := []func(){st.Close}
	if stopLast != nil {
		closers = []func(){stopLast, st.Close}
	}
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) (*app.System, func(), error) { closeAll(); return nil, nil, err }
	if migrate {
		if _, err := st.Migrate(ctx); err != nil {
			return fail(err)
		}
	}
	if err := st.CheckSchema(ctx); err != nil {
		return fail(err)
	}
	stopTracing, err := app.SetupTracing(ctx, cfg) // before dialing: the client carries the tracing interceptor
	if err != nil {
		return fail(err)
	}
	closers = append(closers, func() { _ = stopTracing(context.Background()) })
	tc, err := app.DialTemporal(ctx, cfg, log)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, tc.Close)
	sys, err := app.Build(ctx, cfg, st, tc, log)
	if err != nil {
		return fail(err)
	}
	return sys, closeAll, nil
}

func runServer(cmd *cobra.Command, _ []string) error {
	sys, cleanup, err := open(cmd)
	if err != nil {
		return err
	}
	defer cleanup()
	sys.NewServer()
	sys.RunStarts(cmd.Context()) // the workflows of the ratings this process stores
	sys.Log.Info("rectify server listening", "addr", sys.Config.HTTP.Addr)
	return sys.Serve(cmd.Context())
}

func runWorker(cmd *cobra.Command, _ []string) error {
	sys, cleanup, err := open(cmd)
	if err != nil {
		return err
	}
	defer cleanup()
	// Without its search attributes every workflow task would fail and retry
	// forever; refuse to poll instead, and say how to fix it.
	missing, err := engine.MissingSearchAttributes(cmd.Context(), sys.Temporal, sys.Config.Temporal.Namespace, workflows.SearchAttributes)
	if err != nil {
		return fmt.Errorf("worker: cannot check Temporal namespace %q: %w (run `rectify migrate` to prepare it)", sys.Config.Temporal.Namespace, err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("worker: Temporal namespace %q lacks search attributes %s: run `rectify migrate` (it registers them), then start the worker again",
			sys.Config.Temporal.Namespace, strings.Join(missing, ", "))
	}
	w := sys.NewWorker()
	sys.RunBackground(cmd.Context())
	go func() {
		if err := sys.ServeMetrics(cmd.Context()); err != nil {
			sys.Log.Error("metrics listener", "err", err)
		}
	}()
	sys.Log.Info("rectify worker polling", "task_queue", sys.Config.Temporal.TaskQueue, "temporal", sys.Config.Temporal.Address)
	return w.Run(sdkworker.InterruptCh())
}
