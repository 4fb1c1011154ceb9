package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"rectify/app"
	"rectify/config"
	"rectify/stats/seed"
	"rectify/store"
)

// seedCommand is `rectify seed`: realistic ratings and tickets loaded with COPY,
// for demos and for benchmarking the statistics at scale.
func seedCommand() *cobra.Command {
	var o seed.Options
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "load realistic ratings and tickets into the database (COPY), for demos and benchmarks",
		Long: `Generates --ratings ratings over the last --days days across --departments departments
(skewed volumes, uneven quality, about 2% negative), a ticket for every negative rating in
every status with its events, and loads them with COPY; the statistics rollups are kept
current as they load. Migrates the database first.

Seeded tickets have no Temporal workflow: they are marked workflow_started so the
reconciler leaves them alone, and ticket actions on them fail. Use an idle database.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSeed(cmd, o) },
	}
	f := cmd.Flags()
	f.IntVar(&o.Ratings, "ratings", 100_000, "how many ratings")
	f.IntVar(&o.Departments, "departments", 300, fmt.Sprintf("how many departments (at most %d)", seed.MaxDepartments))
	f.IntVar(&o.Days, "days", 365, "spread over this many days up to now")
	f.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed gives the same data")
	f.IntVar(&o.Writers, "writers", 2, "concurrent COPY transactions")
	f.IntVar(&o.Chunk, "chunk", 50_000, "ratings per transaction")
	f.StringVar(&o.IDPrefix, "id-prefix", "SEED-", "rating ids are this prefix and a number")
	return cmd
}

func runSeed(cmd *cobra.Command, o seed.Options) error {
	ctx := cmd.Context()
	cfg, err := config.Load(cmd.Flags())
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg)
	st, err := store.Open(ctx, cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	cal, err := app.NewCalendar(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	o.Progress = os.Stderr
	start := time.Now()
	res, err := seed.Run(ctx, st.Pool(), cal, o)
	if err != nil {
		return err
	}
	log.Info("seeded", "ratings", res.Ratings, "tickets", res.Tickets, "events", res.Events,
		"departments", res.Departments, "load", res.Load.Round(time.Millisecond),
		"rebuild", res.Rebuild.Round(time.Millisecond), "total", time.Since(start).Round(time.Millisecond),
		"ratings_per_s", int(float64(res.Ratings)/time.Since(start).Seconds()))
	return nil
}
