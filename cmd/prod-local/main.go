// Command prod-local runs rectify's production shape on this machine, without
// Docker (`make prod-local`): a Temporal server of the pinned version built from
// the module, on Postgres; `rectify migrate`; `rectify server`; two `rectify
// worker` processes. Ctrl-C stops them all. Everything lives under
// data_dir/prod-local (binaries, Temporal's config, one log per process).
package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"rectify/prodshape"
)

const (
	temporalPort = 7433             // frontend; the server takes 7433–7441 (dev's in-process one uses 7233)
	httpAddr     = "127.0.0.1:8081" // dev uses 8080
	adminToken   = "prod-local-admin-token"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "prod-local:", err)
		os.Exit(1)
	}
}

type proc struct {
	name string
	cmd  *exec.Cmd
	done chan error
}

func run(ctx context.Context) error {
	dbURL := os.Getenv("RECTIFY_DATABASE_URL")
	if dbURL == "" {
		return errors.New("RECTIFY_DATABASE_URL is not set (make prod-local sets it from scripts/ensure-postgres.sh)")
	}
	pg, err := prodshape.ParsePostgres(dbURL)
	if err != nil {
		return err
	}
	dataDir := os.Getenv("RECTIFY_DATA_DIR")
	if dataDir == "" {
		dataDir = ".data"
	}
	dir, err := filepath.Abs(filepath.Join(dataDir, "prod-local"))
	if err != nil {
		return err
	}
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return err
	}

	step("building rectify (release), the Temporal server and temporal-sql-tool (the first time takes minutes)")
	bin, err := prodshape.Build(ctx, filepath.Join(dir, "bin"))
	if err != nil {
		return err
	}
	tmp := prodshape.Temporal{Postgres: pg, Database: "rectify_temporal", Port: temporalPort, Dir: filepath.Join(dir, "temporal")}
	step("Temporal schemas in databases rectify_temporal and rectify_temporal_visibility")
	if err := tmp.SetupSchemas(ctx, bin); err != nil {
		return err
	}
	dynamic, err := os.ReadFile("deploy/temporal-dynamicconfig.yaml")
	if err != nil {
		return err
	}
	conf, err := tmp.WriteConfig(dynamic)
	if err != nil {
		return err
	}

	var procs []*proc
	defer func() { // stop in reverse order: workers and server before Temporal
		for i := len(procs) - 1; i >= 0; i-- {
			p := procs[i]
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(20 * time.Second):
				_ = p.cmd.Process.Kill()
				<-p.done
			}
			fmt.Printf("stopped %s\n", p.name)
		}
	}()
	start := func(name string, cmd *exec.Cmd, env map[string]string) (*proc, error) {
		f, err := os.OpenFile(filepath.Join(logs, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = f, f
		cmd.Env = os.Environ()
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		// Its own process group: Ctrl-C reaches only prod-local, which then
		// stops the processes in order.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			f.Close()
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		p := &proc{name: name, cmd: cmd, done: make(chan error, 1)}
		go func() { p.done <- cmd.Wait(); f.Close() }()
		procs = append(procs, p)
		return p, nil
	}

	step("starting the Temporal server on " + tmp.Address())
	if _, err := start("temporal", tmp.Command(bin, conf), nil); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := prodshape.WaitTCP(wctx, tmp.Address()); err != nil {
		return fmt.Errorf("%w (see %s)", err, filepath.Join(logs, "temporal.log"))
	}

	env := prodshape.RectifyEnv(pg.URL("rectify_prod"), tmp.Address(), httpAddr, filepath.Join(dir, "rectify"), adminToken)
	step("rectify migrate: database rectify_prod, Temporal namespace and search attributes")
	migrate := exec.CommandContext(ctx, bin.Rectify, "migrate")
	migrate.Env = os.Environ()
	for k, v := range env {
		migrate.Env = append(migrate.Env, k+"="+v)
	}
	migrate.Stdout, migrate.Stderr = os.Stdout, os.Stderr
	if err := migrate.Run(); err != nil {
		return fmt.Errorf("rectify migrate: %w", err)
	}
	if _, err := start("server", exec.Command(bin.Rectify, "server"), env); err != nil {
		return err
	}
	for i := 1; i <= 2; i++ {
		wenv := maps.Clone(env)
		wenv["RECTIFY_METRICS_ADDR"] = fmt.Sprintf("127.0.0.1:%d", 9190+i) // each worker's /metrics
		if _, err := start(fmt.Sprintf("worker-%d", i), exec.Command(bin.Rectify, "worker"), wenv); err != nil {
			return err
		}
	}
	if err := prodshape.WaitTCP(wctx, httpAddr); err != nil {
		return fmt.Errorf("%w (see %s)", err, filepath.Join(logs, "server.log"))
	}
	fmt.Printf(`
rectify production shape is up (Ctrl-C stops it all):
  API and pages      http://%s            admin token: %s
  Temporal frontend  %s               (temporal CLI: --address %[3]s)
  worker metrics     http://127.0.0.1:9191/metrics  http://127.0.0.1:9192/metrics
  logs               %s
`, httpAddr, adminToken, tmp.Address(), logs)

	exited := make(chan *proc, len(procs))
	for _, p := range procs {
		go func() { err := <-p.done; p.done <- err; exited <- p }()
	}
	select {
	case <-ctx.Done():
		fmt.Println("\nstopping")
		return nil
	case p := <-exited:
		return fmt.Errorf("%s exited; its log: %s", p.name, filepath.Join(logs, p.name+".log"))
	}
}

func step(s string) { fmt.Printf("prod-local: %s\n", s) }
