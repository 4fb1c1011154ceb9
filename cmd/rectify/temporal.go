package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"rectify/app"
	"rectify/config"
	"rectify/temporaldev"
	"rectify/workflows"
)

// temporalCmd runs only the in-process Temporal server of `rectify dev` (SQLite
// under data_dir/temporal, frontend on temporal.address). It is hidden: it exists
// so that tests and local experiments can run `rectify server` and `rectify worker`
// as separate processes, and kill one of them, against one durable Temporal.
var temporalCmd = &cobra.Command{Use: "temporal", Hidden: true,
	Short: "run only the dev Temporal server (for tests: server and worker as separate processes)",
	RunE:  runTemporal}

func runTemporal(cmd *cobra.Command, _ []string) error {
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	ts, err := temporaldev.Start(cmd.Context(), temporaldev.Options{Address: cfg.Temporal.Address,
		DataDir: filepath.Join(cfg.DataDir, "temporal"), Namespace: cfg.Temporal.Namespace, Logger: log,
		SearchAttributes: workflows.SearchAttributes})
	if err != nil {
		return fmt.Errorf("in-process Temporal: %w", err)
	}
	log.Info("dev Temporal server ready", "address", ts.Address())
	<-cmd.Context().Done()
	return ts.Stop()
}
