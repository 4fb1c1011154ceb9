// Package testenv gives tests a whole started rectify: a shared in-process
// Temporal server per test package and, per test, a fresh database (internal/testdb)
// with a worker and the HTTP API wired on top, every exchange checked against
// server/openapi.yaml. It imports app (and so server and web): their tests use it
// from external test packages (package server_test, web_test).
package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"rectify/app"
	"rectify/config"
	"rectify/engine"
	"rectify/internal/testdb"
	"rectify/notify"
	"rectify/workflows"
)

// AdminToken is the bootstrap admin token of every test system.
const AdminToken = "test-admin-token-0123456789"

// StartTemporal starts the package's in-process Temporal server (call from
// TestMain; one per package keeps `make test` quick) with rectify's search attributes.
func StartTemporal() *temporaltest.TestServer {
	ts := temporaltest.NewServer()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := engine.PrepareNamespace(ctx, ts.GetDefaultClient(), ts.GetDefaultNamespace(), 0, workflows.SearchAttributes); err != nil {
		panic(fmt.Sprintf("register search attributes: %v", err))
	}
	return ts
}

// Main is the TestMain of a package whose tests start systems: it starts the
// package's Temporal server into *ts, runs the tests and stops it.
func Main(m *testing.M, ts **temporaltest.TestServer) {
	*ts = StartTemporal()
	code := m.Run()
	(*ts).Stop()
	os.Exit(code)
}

// Config is the configuration of a test system on ts with its database at
// dbURL: AdminToken as the bootstrap admin token, a task queue of its own, a
// temporary data folder; tweak adjusts it. The caller validates it.
func Config(tb testing.TB, ts *temporaltest.TestServer, dbURL string, tweak ...func(*config.Config)) config.Config {
	tb.Helper()
	cfg, err := config.Load(nil)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Database.URL = dbURL
	cfg.Auth.BootstrapAdminToken = AdminToken
	cfg.Temporal.Address = ts.GetFrontendHostPort()
	cfg.Temporal.Namespace = ts.GetDefaultNamespace()
	cfg.Temporal.TaskQueue = "rectify-" + strings.TrimPrefix(dbURL[strings.LastIndex(dbURL, "/")+1:], "rectify_test_")
	cfg.DataDir = tb.TempDir()
	for _, f := range tweak {
		f(&cfg)
	}
	return cfg
}

// System is a running rectify for one test: its own database and task queue on
// the shared Temporal server, a started worker, and the API on an httptest server.
type System struct {
	*app.System
	URL   string        // base URL of the HTTP server
	Inbox *notify.Inbox // the SMS handed to the gateway (sms.mode dev): where survey links are read
}

// NewSystem builds and starts a system; tweak adjusts the configuration.
func NewSystem(tb testing.TB, ts *temporaltest.TestServer, tweak ...func(*config.Config)) *System {
	tb.Helper()
	ctx := context.Background()
	st, dbURL := testdb.NewWithURL(tb)
	cfg := Config(tb, ts, dbURL, tweak...)
	// Listen first so the survey links the worker writes point at this server.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	cfg.HTTP.BaseURL = "http://" + l.Addr().String()
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	// stderr, not t.Log: background loops may log after the test returned.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	tc := ts.GetDefaultClient()
	sys, err := app.Build(ctx, cfg, st, tc, log)
	if err != nil {
		tb.Fatal(err)
	}
	w := sys.NewWorker()
	if err := w.Start(); err != nil {
		tb.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{
		Handler: Contract(tb, sys.NewServer().Echo), // every exchange checked against server/openapi.yaml
	}}
	srv.Start()
	inbox := RunBackground(tb, sys, srv.Close, w.Stop)
	return &System{System: sys, URL: srv.URL, Inbox: inbox}
}

// RunBackground runs sys's background loops, with SMS handed to the returned
// inbox (sms.mode dev), until the test ends; then it stops them and calls each
// of stop (closing what the test started around sys), in order.
func RunBackground(tb testing.TB, sys *app.System, stop ...func()) *notify.Inbox {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(func() {
		cancel()
		for _, f := range stop {
			f()
		}
	})
	inbox := &notify.Inbox{}
	sys.SMS = inbox
	sys.RunBackground(ctx)
	return inbox
}

// Count runs a SELECT count(*) against the system's own database.
func (s *System) Count(tb testing.TB, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := s.Store.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}
