package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"rectify/app"
	"rectify/config"
	"rectify/server"
	"rectify/store"
	"rectify/temporaldev"
	"rectify/workflows"
)

// AdminToken is the bootstrap admin token of every benchmarked system.
const AdminToken = "bench-admin-token-0123456789"

// Env is what all scenarios of one run share: an in-process Temporal server (SQLite
// in a temporary folder) and a client of it. Each scenario builds its own System
// with a fresh database and task queue on top.
type Env struct {
	Dir        string // temporary folder, removed by Close
	Temporal   *temporaldev.Server
	TC         client.Client
	Log        *slog.Logger
	BaseDB     string // Postgres server URL the databases are created on
	RectifyBin string // the rectify binary, for worker and server child processes
}

// NewEnv starts the Temporal server on free ports.
func NewEnv(ctx context.Context, rectifyBin string, log *slog.Logger) (env *Env, err error) {
	dir, err := os.MkdirTemp("", "rectify-bench-")
	if err != nil {
		return nil, err
	}
	env = &Env{Dir: dir, Log: log, BaseDB: BaseDatabaseURL(), RectifyBin: rectifyBin}
	// temporaldev needs four consecutive free ports; try a few random bases.
	for try := 0; try < 20; try++ {
		port := 20000 + rand.IntN(20000)
		env.Temporal, err = temporaldev.Start(ctx, temporaldev.Options{Address: "127.0.0.1:" + strconv.Itoa(port),
			DataDir: filepath.Join(dir, "temporal"), Namespace: "default", Logger: log,
			SearchAttributes: workflows.SearchAttributes})
		if err == nil || !strings.Contains(err.Error(), "port") {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("in-process Temporal: %w", err)
	}
	env.TC, err = client.DialContext(ctx, client.Options{HostPort: env.Temporal.Address(), Namespace: "default",
		Logger: sdklog.NewStructuredLogger(log.With("component", "temporal-sdk"))})
	if err != nil {
		env.Close()
		return nil, err
	}
	return env, nil
}

// Close stops Temporal and removes the folder.
func (e *Env) Close() {
	if e.TC != nil {
		e.TC.Close()
	}
	if e.Temporal != nil {
		_ = e.Temporal.Stop()
	}
	os.RemoveAll(e.Dir)
}

// SystemOptions says how a rectify system is laid out for a scenario.
type SystemOptions struct {
	Name            string // names the database, task queue and log files
	InProcessWorker bool   // run the worker (and its outbox loop) in this process
	WorkerProcs     int    // plus this many `rectify worker` child processes
	ServerProc      bool   // serve the API from a `rectify server` child process
	StickyCache     int    // worker workflow cache size; 0 keeps the configured default
}

// System is one running rectify under test.
type System struct {
	Env       *Env
	Store     *store.Store
	DBURL     string
	TaskQueue string
	URL       string // base URL of the HTTP API
	App       *app.System
	Workers   []*Proc
	Server    *Proc
	closers   []func()
}

// StartSystem builds a rectify on a fresh database, as internal/testenv does for
// tests: app.Build + worker + server on a real listener (keep-alive HTTP), or child
// processes where the options ask for them.
func (e *Env) StartSystem(ctx context.Context, o SystemOptions) (s *System, err error) {
	st, dbURL, drop, err := store.OpenScratch(ctx, e.BaseDB, "rectify_bench_"+o.Name+"_")
	if err != nil {
		return nil, err
	}
	s = &System{Env: e, Store: st, DBURL: dbURL, TaskQueue: "bench-" + o.Name + "-" + dbURL[len(dbURL)-10:]}
	s.closers = append(s.closers, drop)
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	cfg, err := config.Load(nil)
	if err != nil {
		return nil, err
	}
	cfg.Database.URL = dbURL
	cfg.Auth.BootstrapAdminToken = AdminToken
	cfg.Temporal.Address = e.Temporal.Address()
	cfg.Temporal.Namespace = "default"
	cfg.Temporal.TaskQueue = s.TaskQueue
	cfg.DataDir = filepath.Join(e.Dir, o.Name)
	if o.StickyCache > 0 {
		cfg.Temporal.StickyCacheSize = o.StickyCache
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sys, err := app.Build(ctx, cfg, st, e.TC, e.Log)
	if err != nil {
		return nil, err
	}
	s.App = sys
	bctx, cancel := context.WithCancel(context.Background())
	s.closers = append(s.closers, cancel)

	if o.ServerProc {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		s.URL = "http://" + addr
		s.Server, err = e.startProc(ctx, o.Name+"-server", "server", cfg, addr, s.URL)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, s.Server.Stop)
		if err := waitHealthy(ctx, s.URL); err != nil {
			return nil, fmt.Errorf("rectify server process: %w (log: %s)", err, s.Server.LogPath)
		}
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		s.URL = "http://" + l.Addr().String()
		sys.Config.HTTP.BaseURL = s.URL
		srv := server.HTTPServer("", sys.NewServer().Echo) // the production timeouts
		go func() { _ = srv.Serve(l) }()
		s.closers = append(s.closers, func() { _ = srv.Close() })
	}
	sys.Config.HTTP.BaseURL = s.URL
	if o.InProcessWorker {
		w := sys.NewWorker()
		if err := w.Start(); err != nil {
			return nil, err
		}
		s.closers = append(s.closers, w.Stop)
		sys.RunBackground(bctx)
	} else if !o.ServerProc {
		sys.RunStarts(bctx) // the in-process API's start queue
	}
	for i := 0; i < o.WorkerProcs; i++ {
		p, err := e.startProc(ctx, fmt.Sprintf("%s-worker%d", o.Name, i+1), "worker", cfg, "127.0.0.1:0", s.URL)
		if err != nil {
			return nil, err
		}
		s.Workers = append(s.Workers, p)
		s.closers = append(s.closers, p.Stop)
	}
	return s, nil
}

// Close stops everything the system started and drops its database.
func (s *System) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// Proc is a rectify child process.
type Proc struct {
	Name    string
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
}

func (e *Env) startProc(ctx context.Context, name, sub string, cfg config.Config, httpAddr, baseURL string) (*Proc, error) {
	if e.RectifyBin == "" {
		return nil, errors.New("no rectify binary to start child processes with")
	}
	return e.startCmd(name, exec.Command(e.RectifyBin, sub),
		"RECTIFY_DATABASE_URL="+cfg.Database.URL,
		"RECTIFY_TEMPORAL_ADDRESS="+cfg.Temporal.Address,
		"RECTIFY_TEMPORAL_NAMESPACE="+cfg.Temporal.Namespace,
		"RECTIFY_TEMPORAL_TASK_QUEUE="+cfg.Temporal.TaskQueue,
		"RECTIFY_TEMPORAL_STICKY_CACHE_SIZE="+strconv.Itoa(cfg.Temporal.StickyCacheSize),
		"RECTIFY_AUTH_BOOTSTRAP_ADMIN_TOKEN="+cfg.Auth.BootstrapAdminToken,
		"RECTIFY_HTTP_ADDR="+httpAddr,
		"RECTIFY_HTTP_BASE_URL="+baseURL,
		"RECTIFY_DATA_DIR="+cfg.DataDir,
		"RECTIFY_LOG_LEVEL=warn",
	)
}

// startCmd starts cmd with env added to this process's environment, its output
// in e.Dir/name.log.
func (e *Env) startCmd(name string, cmd *exec.Cmd, env ...string) (*Proc, error) {
	logPath := filepath.Join(e.Dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &Proc{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

// Stop interrupts the process and waits for it (killing it after 10 s).
func (p *Proc) Stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Exited says whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// CPU is the processor time the process has used so far (0 once it is gone).
func (p *Proc) CPU() time.Duration { return procCPU(p.cmd.Process.Pid) }

// Memory reads the process's resident set (VmRSS) and its peak (VmHWM), in bytes.
func (p *Proc) Memory() (rss, peak int64, err error) {
	return procMemory(strconv.Itoa(p.cmd.Process.Pid))
}

// SelfMemory is Memory for this process.
func SelfMemory() (rss, peak int64, err error) { return procMemory("self") }

func procMemory(pid string) (rss, peak int64, err error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%s/status %s: %w", pid, k, err)
		}
		if k == "VmRSS" {
			rss = n << 10
		} else {
			peak = n << 10
		}
	}
	return rss, peak, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
