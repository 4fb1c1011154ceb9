// Command rectify is the whole product in one binary: `dev` runs everything in one
// process on embedded defaults; `server`, `worker` and `migrate` run production
// against a Temporal cluster and Postgres.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	sdkworker "go.temporal.io/sdk/worker"

	"rectify/app"
	"rectify/config"
	"rectify/store"
	"rectify/temporaldev"
	"rectify/workflows"
)

func main() {
	root := &cobra.Command{Use: "rectify", Short: "rectify: the rectification workflow engine of the 好差评 platform",
		SilenceUsage: true}
	config.Flags(root.PersistentFlags())
	root.AddCommand(
		&cobra.Command{Use: "dev", Short: "run everything in one process (in-process Temporal on SQLite, worker, HTTP) with demo data", RunE: runDev},
		&cobra.Command{Use: "server", Short: "run the HTTP API against Temporal and Postgres", RunE: runServer},
		&cobra.Command{Use: "worker", Short: "run the Temporal worker and the outbox dispatcher", RunE: runWorker},
		&cobra.Command{Use: "migrate", Short: "apply database migrations and exit", RunE: runMigrate},
		temporalCmd,
	)
	root.AddCommand(benchCommand())
	root.AddCommand(doctorCommand())
	root.AddCommand(seedCommand())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		os.Exit(1)
	}
}

// devAdminToken is used by `rectify dev` when none is configured; it is printed at
// start. Production has no default.
const devAdminToken = "dev-admin-token-not-for-production"

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
	return nil
}

// open connects to Postgres (refusing a schema that is behind) and Temporal.
func open(cmd *cobra.Command, migrate bool) (*app.System, func(), error) {
	ctx := cmd.Context()
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return nil, nil, err
	}
	if cmd.Name() == "dev" && cfg.Auth.BootstrapAdminToken == "" {
		cfg.Auth.BootstrapAdminToken = devAdminToken
	}
	log := app.NewLogger(cfg)
	st, err := store.Open(ctx, cfg.Database.URL)
	if err != nil {
		return nil, nil, err
	}
	closers := []func(){st.Close}
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) (*app.System, func(), error) { cleanup(); return nil, nil, err }
	if migrate {
		if _, err := st.Migrate(ctx); err != nil {
			return fail(err)
		}
	}
	if err := st.CheckSchema(ctx); err != nil {
		return fail(err)
	}
	if cmd.Name() == "dev" {
		ts, err := temporaldev.Start(ctx, temporaldev.Options{Address: cfg.Temporal.Address,
			DataDir: filepath.Join(cfg.DataDir, "temporal"), Namespace: cfg.Temporal.Namespace, Logger: log,
			SearchAttributes: workflows.SearchAttributes})
		if err != nil {
			return fail(fmt.Errorf("in-process Temporal: %w", err))
		}
		closers = append(closers, func() { _ = ts.Stop() })
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
	return sys, cleanup, nil
}

func runDev(cmd *cobra.Command, _ []string) error {
	sys, cleanup, err := open(cmd, true)
	if err != nil {
		return err
	}
	defer cleanup()
	w := sys.NewWorker()
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	sys.NewServer()
	sys.RunBackground(cmd.Context())
	base := sys.Config.HTTP.BaseURL
	if base == "" {
		base = "http://" + sys.Config.HTTP.Addr
	}
	if err := app.SeedDemo(cmd.Context(), sys.Store, base, sys.Config.Auth.BootstrapAdminToken, os.Stdout); err != nil {
		return err
	}
	return sys.Serve(cmd.Context())
}

func runServer(cmd *cobra.Command, _ []string) error {
	sys, cleanup, err := open(cmd, false)
	if err != nil {
		return err
	}
	defer cleanup()
	sys.NewServer()
	sys.Log.Info("rectify server listening", "addr", sys.Config.HTTP.Addr)
	return sys.Serve(cmd.Context())
}

func runWorker(cmd *cobra.Command, _ []string) error {
	sys, cleanup, err := open(cmd, false)
	if err != nil {
		return err
	}
	defer cleanup()
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
