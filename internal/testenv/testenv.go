// Package testenv gives integration tests the real components: a fresh Postgres
// database per test and a shared in-process Temporal server per test package, with
// a whole rectify system (worker + HTTP API) wired on top.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/server/temporaltest"

	"rectify/app"
	"rectify/config"
	"rectify/engine"
	"rectify/notify"
	"rectify/store"
	"rectify/workflows"
)

// AdminToken is the bootstrap admin token of every test system.
const AdminToken = "test-admin-token-0123456789"

// BaseDatabaseURL is where test databases are created: RECTIFY_TEST_DATABASE_URL
// (set by `make test`) or the local default.
func BaseDatabaseURL() string {
	if u := os.Getenv("RECTIFY_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDatabase creates an empty, migrated database that is dropped after the test.
func NewDatabase(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "rectify_test_" + hex.EncodeToString(b)
	u, err := url.Parse(BaseDatabaseURL())
	if err != nil {
		tb.Fatalf("RECTIFY_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	st, err := store.Open(ctx, u.String()) // creates the database
	if err != nil {
		tb.Fatalf("open test database (is Postgres running? `make test` starts one): %v", err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	tb.Cleanup(func() {
		st.Close()
		admin := *u
		admin.Path = "/postgres"
		conn, err := pgx.Connect(context.Background(), admin.String())
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return st, u.String()
}

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
	st, dbURL := NewDatabase(tb)
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
	bctx, cancel := context.WithCancel(ctx)
	tb.Cleanup(func() {
		cancel()
		srv.Close()
		w.Stop()
	})
	inbox := &notify.Inbox{}
	sys.SMS = inbox
	sys.RunBackground(bctx)
	return &System{System: sys, URL: srv.URL, Inbox: inbox}
}
