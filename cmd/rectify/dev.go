//go:build !release

// Everything here exists only in the developer build: `make release` (-tags
// release) leaves out the in-process Temporal server, SQLite and the benchmark
// harness, so the production binary carries production only (release.go).

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"rectify/app"
	"rectify/config"
	"rectify/temporaldev"
	"rectify/workflows"
)

// devAdminToken is used by `rectify dev` when none is configured; it is printed at
// start. Production has no default.
const devAdminToken = "dev-admin-token-not-for-production"

func devCommands() []*cobra.Command {
	return []*cobra.Command{
		{Use: "dev", Short: "run everything in one process (in-process Temporal on SQLite, worker, HTTP) with demo data", RunE: runDev},
		// temporal runs only the in-process Temporal server of `rectify dev`. It is
		// hidden: tests and experiments use it to run `rectify server` and `rectify
		// worker` as separate processes against one durable (SQLite) Temporal.
		{Use: "temporal", Hidden: true, RunE: runTemporal,
			Short: "run only the dev Temporal server (for tests: server and worker as separate processes)"},
		benchCommand(),
	}
}

func startDevTemporal(cmd *cobra.Command, cfg config.Config) (*temporaldev.Server, error) {
	ts, err := temporaldev.Start(cmd.Context(), temporaldev.Options{Address: cfg.Temporal.Address,
		DataDir: filepath.Join(cfg.DataDir, "temporal"), Namespace: cfg.Temporal.Namespace, Logger: app.NewLogger(cfg),
		SearchAttributes: workflows.SearchAttributes})
	if err != nil {
		return nil, fmt.Errorf("in-process Temporal: %w", err)
	}
	return ts, nil
}

func runDev(cmd *cobra.Command, _ []string) error {
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return err
	}
	if cfg.Auth.BootstrapAdminToken == "" {
		cfg.Auth.BootstrapAdminToken = devAdminToken
	}
	ts, err := startDevTemporal(cmd, cfg)
	if err != nil {
		return err
	}
	sys, cleanup, err := connect(cmd.Context(), cfg, true, func() { _ = ts.Stop() })
	if err != nil {
		_ = ts.Stop()
		return err
	}
	defer cleanup()
	if cfg.Temporal.UIAddr != "" {
		ui, err := temporaldev.StartUI(cfg.Temporal.UIAddr, ts.Address(), cfg.Temporal.Namespace)
		if err != nil {
			return err
		}
		defer ui.Stop()
		fmt.Printf("Temporal Web UI: http://%s/namespaces/%s/workflows (find a ticket: %s=\"GD…\")\n",
			cfg.Temporal.UIAddr, cfg.Temporal.Namespace, workflows.SATicket)
	}
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
	if err := app.SeedDemo(cmd.Context(), sys, base, sys.Config.Auth.BootstrapAdminToken, os.Stdout); err != nil {
		return err
	}
	return sys.Serve(cmd.Context())
}

func runTemporal(cmd *cobra.Command, _ []string) error {
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return err
	}
	ts, err := startDevTemporal(cmd, cfg)
	if err != nil {
		return err
	}
	app.NewLogger(cfg).Info("dev Temporal server ready", "address", ts.Address())
	<-cmd.Context().Done()
	return ts.Stop()
}
