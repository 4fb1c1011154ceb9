// Package temporaldev runs a complete Temporal server inside the rectify process,
// persisted to a SQLite file, so that `rectify dev` needs no external Temporal
// cluster and keeps its workflows across restarts. It is built from the server's
// public packages the same way the Temporal CLI's dev server is (no UI, gRPC only).
package temporaldev

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"rectify/engine"
)

// Options configures Start.
type Options struct {
	Address          string                              // host:port for the frontend gRPC, e.g. 127.0.0.1:7233
	DataDir          string                              // folder; the SQLite file is DataDir/temporal.sqlite (created if missing)
	Namespace        string                              // created if missing; "" means "default"
	Logger           *slog.Logger                        // server logs go here at WARN and above; nil = discard
	SearchAttributes map[string]enumspb.IndexedValueType // custom attributes added if missing, on every start
}

// Server is a running in-process Temporal server.
type Server struct {
	srv      temporal.Server
	address  string
	stopping *atomic.Bool // silences the warnings every service logs while shutting down
	stopOnce sync.Once
	stopErr  error
}

const (
	clusterName = "active"
	nsRefresh   = time.Second
)

// Start creates the database and namespace if missing, starts all Temporal
// services and returns once the frontend answers for the namespace and the
// search attributes are registered. The frontend listens on opts.Address; history,
// matching and worker take the next three ports, so instances with different
// addresses (at least 4 ports apart) can run side by side.
func Start(ctx context.Context, opts Options) (*Server, error) {
	host, portStr, err := net.SplitHostPort(opts.Address)
	if err != nil {
		return nil, fmt.Errorf("temporaldev: address: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port+3 > 65535 {
		return nil, fmt.Errorf("temporaldev: bad port in %q", opts.Address)
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1" // the server binds to IPs only
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return nil, fmt.Errorf("temporaldev: host %q must be an IP address", host)
	}
	dialHost := host
	if ip.IsUnspecified() {
		dialHost = "127.0.0.1"
	}
	frontend := net.JoinHostPort(dialHost, portStr)
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.DataDir == "" {
		return nil, errors.New("temporaldev: DataDir is required")
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("temporaldev: %w", err)
	}

	dbFile := filepath.Join(opts.DataDir, "temporal.sqlite")
	sqlConf := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbFile,
		// mode and setup are URI parameters; the plugin turns every other attribute
		// into a pragma. setup creates the schema on a new file and tolerates an
		// existing one. WAL + synchronous=normal roughly triples write throughput.
		ConnectAttributes: map[string]string{
			"mode": "rwc", "setup": "true", "journal_mode": "wal", "synchronous": "normal",
		},
	}
	// Inserting the namespace directly works before the server runs (and a new
	// namespace gets its search attributes at once); an existing one is left as is.
	nsConf, err := sqliteschema.NewNamespaceConfig(clusterName, opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("temporaldev: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(sqlConf, nsConf); err != nil {
		return nil, fmt.Errorf("temporaldev: %w", err)
	}
	// An unknown pragma would be ignored silently; SQLite keeps a -wal file next
	// to the database while a connection is open only in WAL mode.
	if _, err := os.Stat(dbFile + "-wal"); err != nil {
		return nil, fmt.Errorf("temporaldev: SQLite WAL mode is not on: %w", err)
	}

	// Internal services listen on loopback only, whatever the frontend binds to.
	services := map[string]config.Service{}
	for i, name := range []string{"frontend", "history", "matching", "worker"} {
		bind := "127.0.0.1"
		if i == 0 {
			bind = host
		}
		// A busy port makes the server log Fatal and then crash the process with a
		// nil listener, so check first and return an error instead.
		l, err := net.Listen("tcp", net.JoinHostPort(bind, strconv.Itoa(port+i)))
		if err != nil {
			return nil, fmt.Errorf("temporaldev: %s port: %w", name, err)
		}
		l.Close()
		services[name] = config.Service{RPC: config.RPC{GRPCPort: port + i, BindOnIP: bind}}
	}
	local := func(port int) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	}
	cfg := &config.Config{
		Persistence: config.Persistence{
			DefaultStore:     "sqlite",
			VisibilityStore:  "sqlite",
			NumHistoryShards: 1, // one process, one SQLite writer: more shards only add overhead
			DataStores:       map[string]config.DataStore{"sqlite": {SQL: sqlConf}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
				Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend,
			}},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		// The worker service (system workflows) dials the frontend through this.
		PublicClient: config.PublicClient{HostPort: frontend},
	}
	cfg.Global.Membership.MaxJoinDuration = 30 * time.Second
	cfg.Global.Membership.BroadcastAddress = "127.0.0.1"

	var logger log.Logger = log.NewNoopLogger()
	stopping := new(atomic.Bool)
	if opts.Logger != nil {
		logger = slogLogger{opts.Logger, stopping}
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		// Static hosts instead of ringpop: no gossip ports, no join delay.
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(frontend),
			primitives.HistoryService:  local(port + 1),
			primitives.MatchingService: local(port + 2),
			primitives.WorkerService:   local(port + 3),
		}),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dynamicconfig.StaticClient{
			// As the CLI dev server: a smaller mutable-state cache (memory) and more
			// visibility RPS (dashboards list a lot).
			dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
			dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
			// One process, few pollers: a single task queue partition avoids tasks
			// waiting in a partition no poller is on.
			dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
			dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
			// SQL visibility keeps custom search attributes as namespace aliases and
			// every service polls namespaces; until history has refreshed, upserting a
			// new attribute fails the workflow task (retried ~10 s later). Poll often
			// (a tiny query) so Start need wait only briefly after adding attributes.
			dynamicconfig.NamespaceCacheRefreshInterval.Key(): nsRefresh,
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("temporaldev: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("temporaldev: start: %w", err)
	}
	s := &Server{srv: srv, address: frontend, stopping: stopping}
	if err := s.ready(ctx, opts.Namespace, opts.SearchAttributes); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("temporaldev: %w", err)
	}
	return s, nil
}

// ready polls until the frontend serves the namespace, then registers the
// search attributes (the server's Start returns before all handlers are usable).
func (s *Server) ready(ctx context.Context, namespace string, attrs map[string]enumspb.IndexedValueType) error {
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: s.address, Namespace: namespace, Logger: quiet})
		if err == nil {
			_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
			if err == nil {
				did, err := engine.PrepareNamespace(ctx, c, namespace, 0, attrs)
				c.Close()
				if len(did.Added) > 0 {
					// Let every service's namespace cache pick up the new aliases.
					select {
					case <-ctx.Done():
						return ctx.Err()
					case <-time.After(nsRefresh + 500*time.Millisecond):
					}
				}
				return err
			}
			c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("frontend %s not ready: %w (last error: %v)", s.address, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Address is the host:port clients dial.
func (s *Server) Address() string { return s.address }

// Stop stops all services; calling it again is a no-op. The SQLite connection
// stays in the server's process-wide pool, so Start can reopen the same file.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopping.Store(true)
		s.stopErr = s.srv.Stop()
	})
	return s.stopErr
}

// noNexusWarning begins the warning the frontend logs at every start when it has
// no HTTP API port ("... Nexus HTTP endpoints will not be available ..."). This
// server opens none on purpose: rectify uses no Nexus, and a fifth port would
// crowd the four of Options.Address. No setting silences the line
// (service/frontend/service.go logs it whenever the port is unset), so this one
// message, and no other warning, is dropped as the information it is.
const noNexusWarning = "HTTP API port has not been set."

// slogLogger forwards the server's logs at WARN and above (below that Temporal
// logs every shard, queue and membership step), and only errors while stopping.
type slogLogger struct {
	l        *slog.Logger
	stopping *atomic.Bool
}

func (s slogLogger) Debug(string, ...tag.Tag) {}
func (s slogLogger) Info(string, ...tag.Tag)  {}
func (s slogLogger) Warn(msg string, tags ...tag.Tag) {
	if !s.stopping.Load() && !strings.HasPrefix(msg, noNexusWarning) {
		s.log(slog.LevelWarn, msg, tags)
	}
}
func (s slogLogger) Error(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s slogLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }
func (s slogLogger) Panic(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s slogLogger) Fatal(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s slogLogger) log(lv slog.Level, msg string, tags []tag.Tag) {
	attrs := make([]slog.Attr, len(tags))
	for i, t := range tags {
		attrs[i] = slog.Any(t.Key(), t.Value())
	}
	s.l.LogAttrs(context.Background(), lv, msg, attrs...)
}
