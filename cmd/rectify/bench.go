//go:build !release

package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"rectify/bench"
)

// benchCommand runs the load benchmark. It parses its own flags with the standard
// flag package, so that `rectify bench -quick` reads as the docs write it.
func benchCommand() *cobra.Command {
	return &cobra.Command{Use: "bench [-quick] [-scenario ingest,batch,lifecycle,scale,prodshape,open] [-out BENCHMARKS.md]",
		Short:              "benchmark a system started here (fresh Postgres database, in-process Temporal; prodshape: Temporal on Postgres and rectify processes) against same-run baselines",
		DisableFlagParsing: true, RunE: runBench}
}

func runBench(cmd *cobra.Command, args []string) error {
	fs := flag.NewFlagSet("rectify bench", flag.ContinueOnError)
	quick := fs.Bool("quick", false, "small sizes for a CI smoke run (under 2 minutes)")
	scenarios := fs.String("scenario", "", "comma-separated scenarios to run alone: ingest, batch, lifecycle, scale, prodshape, open (default: all)")
	out := fs.String("out", "BENCHMARKS.md", "Markdown file whose benchmark sections are replaced (\"\": none; -quick writes none unless given)")
	openTickets := fs.Int("open-tickets", 0, "tickets the open scenario opens (default 100000; quick 500)")
	dbURL := fs.String("database-url", "", "Postgres server to create the benchmark databases on (default $RECTIFY_DATABASE_URL)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (API, in-process worker, Temporal server, load generator) here")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return err
	}
	outSet := false
	fs.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
	if *quick && !outSet {
		*out = "" // smoke figures must not replace the full ones
	}
	if *dbURL != "" {
		os.Setenv("RECTIFY_DATABASE_URL", *dbURL)
	}
	var keys []string
	if *scenarios != "" {
		keys = strings.Split(*scenarios, ",")
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ctx := cmd.Context()
	env, err := bench.NewEnv(ctx, bin, log)
	if err != nil {
		return err
	}
	defer env.Close()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	command := "make bench" // = go run ./cmd/rectify bench
	if len(args) > 0 {
		command = fmt.Sprintf("make bench BENCH_FLAGS=%q", strings.Join(args, " "))
	}
	h := bench.Header{Command: command, Started: time.Now(), Quick: *quick}
	fmt.Printf("rectify bench on %s\n", bench.Machine())
	r := &bench.Runner{Env: env, Opts: bench.Options{Quick: *quick, OpenTickets: *openTickets, Progress: os.Stdout, Log: log, RectifyBin: bin}}
	var secs []bench.Section
	err = r.RunScenarios(ctx, keys, func(s bench.Section) error {
		secs = append(secs, s)
		bench.PrintTable(os.Stdout, []bench.Section{s})
		if *out == "" {
			return nil
		}
		return bench.UpdateFile(*out, h, []bench.Section{s})
	})
	if len(secs) > 0 {
		fmt.Println()
		bench.PrintTable(os.Stdout, secs)
		if *out != "" {
			fmt.Printf("\nsections written to %s\n", *out)
		}
	}
	return err
}
