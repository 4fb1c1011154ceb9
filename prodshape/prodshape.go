// Package prodshape runs rectify's production shape on one machine, without
// Docker: a real Temporal server built from the go.temporal.io/server module that
// go.mod pins (the same code as the temporalio/server image docker-compose.yml
// runs), on Postgres, with `rectify migrate`, `rectify server` and workers as
// separate processes. `make prod-local` (cmd/prod-local) and the production-shape
// test (faults/prodshape_test.go) both start it from here, so what CI proves is
// what an operator runs.
package prodshape

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// Binaries are the programs of the shape.
type Binaries struct {
	Rectify        string // built with -tags release: the production binary
	TemporalServer string // go.temporal.io/server/cmd/server
	SQLTool        string // go.temporal.io/server/cmd/tools/sql (temporal-sql-tool)
}

// Build compiles the three programs into dir. The first build of the Temporal
// server takes minutes on 2 cores; the Go build cache makes later ones quick.
func Build(ctx context.Context, dir string) (Binaries, error) {
	b := Binaries{Rectify: filepath.Join(dir, "rectify"), TemporalServer: filepath.Join(dir, "temporal-server"),
		SQLTool: filepath.Join(dir, "temporal-sql-tool")}
	for _, p := range []struct{ out, pkg, tags string }{
		{b.Rectify, "rectify/cmd/rectify", "release"},
		{b.TemporalServer, "go.temporal.io/server/cmd/server", ""},
		{b.SQLTool, "go.temporal.io/server/cmd/tools/sql", ""},
	} {
		args := []string{"build", "-o", p.out}
		if p.tags != "" {
			args = append(args, "-tags", p.tags)
		}
		if out, err := exec.CommandContext(ctx, "go", append(args, p.pkg)...).CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w\n%s", p.pkg, err, out)
		}
	}
	return b, nil
}

// Postgres is where Temporal keeps its two databases, parsed from a postgres:// URL.
type Postgres struct {
	Host, Port, User, Password string
}

// ParsePostgres reads host, port, user and password from a postgres:// URL.
func ParsePostgres(raw string) (Postgres, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return Postgres{}, fmt.Errorf("prodshape: %q is not a postgres:// URL", raw)
	}
	pg := Postgres{Host: u.Hostname(), Port: u.Port(), User: u.User.Username()}
	pg.Password, _ = u.User.Password()
	if pg.Port == "" {
		pg.Port = "5432"
	}
	if pg.User == "" {
		pg.User = "postgres"
	}
	return pg, nil
}

// URL is the postgres:// URL of database db on this server.
func (pg Postgres) URL(db string) string {
	u := url.URL{Scheme: "postgres", Host: pg.Host + ":" + pg.Port, Path: "/" + db, RawQuery: "sslmode=disable"}
	u.User = url.User(pg.User)
	if pg.Password != "" {
		u.User = url.UserPassword(pg.User, pg.Password)
	}
	return u.String()
}

// Temporal is one Temporal server of the shape: its databases and ports.
type Temporal struct {
	Postgres Postgres
	Database string // its persistence; visibility is Database + "_visibility"
	Port     int    // frontend gRPC; the server also takes the next 8 ports
	Dir      string // config files are written here
}

// Address is the frontend's host:port.
func (t Temporal) Address() string { return fmt.Sprintf("127.0.0.1:%d", t.Port) }

// SetupSchemas creates Temporal's two databases if missing and brings their
// schemas to the module's version, from the module's own schema files. Running
// it again changes nothing.
func (t Temporal) SetupSchemas(ctx context.Context, b Binaries) error {
	dir, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/server").Output()
	if err != nil {
		return fmt.Errorf("prodshape: locating the go.temporal.io/server module: %w", err)
	}
	schemas := filepath.Join(strings.TrimSpace(string(dir)), "schema", "postgresql", "v12")
	for _, db := range []struct{ name, schema string }{
		{t.Database, "temporal"}, {t.Database + "_visibility", "visibility"},
	} {
		tool := func(args ...string) ([]byte, error) {
			base := []string{"--plugin", "postgres12", "--ep", t.Postgres.Host, "-p", t.Postgres.Port,
				"-u", t.Postgres.User, "--db", db.name}
			if t.Postgres.Password != "" {
				base = append(base, "--pw", t.Postgres.Password)
			}
			return exec.CommandContext(ctx, b.SQLTool, append(base, args...)...).CombinedOutput()
		}
		if out, err := tool("create"); err != nil && !bytes.Contains(out, []byte("already exists")) {
			return fmt.Errorf("prodshape: create database %s: %w\n%s", db.name, err, out)
		}
		// setup-schema -v 0.0 only creates the version table when it is missing;
		// update-schema applies the versions the database lacks.
		if out, err := tool("setup-schema", "-v", "0.0"); err != nil {
			return fmt.Errorf("prodshape: setup-schema %s: %w\n%s", db.name, err, out)
		}
		if out, err := tool("update-schema", "-d", filepath.Join(schemas, db.schema, "versioned")); err != nil {
			return fmt.Errorf("prodshape: update-schema %s: %w\n%s", db.name, err, out)
		}
	}
	return nil
}

// configTemplate is the module's config/development-postgres12.yaml without
// archival (it points at folders that do not exist), with every port derived from
// one base so that several servers can run on one machine, and no metrics or
// pprof listeners. At most 10 connections per store: `make test` runs this beside
// other packages on one Postgres (max_connections 100 by default).
var configTemplate = template.Must(template.New("temporal").
	Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).Parse(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
{{- range $name, $db := .Stores}}
    {{$name}}:
      sql:
        pluginName: postgres12
        databaseName: "{{$db}}"
        connectAddr: "{{$.PG.Host}}:{{$.PG.Port}}"
        connectProtocol: tcp
        user: "{{$.PG.User}}"
        password: "{{$.PG.Password}}"
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
{{- end}}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: {grpcPort: {{.Port}}, membershipPort: {{add .Port 4}}, httpPort: {{add .Port 8}}, bindOnLocalHost: true}
  history:
    rpc: {grpcPort: {{add .Port 1}}, membershipPort: {{add .Port 5}}, bindOnLocalHost: true}
  matching:
    rpc: {grpcPort: {{add .Port 2}}, membershipPort: {{add .Port 6}}, bindOnLocalHost: true}
  worker:
    rpc: {grpcPort: {{add .Port 3}}, membershipPort: {{add .Port 7}}, bindOnLocalHost: true}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:{{.Port}}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "{{.DynamicConfig}}"
  pollInterval: 10s
`))

// WriteConfig writes the server's configuration (and its dynamic configuration,
// deploy/temporal-dynamicconfig.yaml as the compose file uses it) under t.Dir and
// returns the configuration file's path.
func (t Temporal) WriteConfig(dynamicConfig []byte) (string, error) {
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return "", err
	}
	dc := filepath.Join(t.Dir, "dynamicconfig.yaml")
	if err := os.WriteFile(dc, dynamicConfig, 0o644); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	err := configTemplate.Execute(&buf, map[string]any{
		"PG":            t.Postgres,
		"Port":          t.Port,
		"DynamicConfig": dc,
		"Stores":        map[string]string{"default": t.Database, "visibility": t.Database + "_visibility"},
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(t.Dir, "temporal.yaml")
	return path, os.WriteFile(path, buf.Bytes(), 0o600) // it holds the database password
}

// Command is the server's command line for the configuration at path.
func (t Temporal) Command(b Binaries, path string) *exec.Cmd {
	return exec.Command(b.TemporalServer, "--config-file", path, "--allow-no-auth", "start")
}

// RectifyEnv is the configuration every rectify process of the shape shares.
func RectifyEnv(dbURL, temporalAddr, httpAddr, dataDir, adminToken string) map[string]string {
	return map[string]string{
		"RECTIFY_DATABASE_URL":               dbURL,
		"RECTIFY_TEMPORAL_ADDRESS":           temporalAddr,
		"RECTIFY_HTTP_ADDR":                  httpAddr,
		"RECTIFY_HTTP_BASE_URL":              "http://" + httpAddr,
		"RECTIFY_DATA_DIR":                   dataDir,
		"RECTIFY_AUTH_BOOTSTRAP_ADMIN_TOKEN": adminToken,
	}
}

// FreePortRun finds n consecutive free ports on 127.0.0.1 for a Temporal server
// (its frontend port and the next eight: n = 9). They all stay below 32768:
// Temporal's Postgres schema keeps membership ports in a smallint
// (cluster_membership.rpc_port), and a server whose port is past it dies at start
// with "value ... is out of range for type smallint".
func FreePortRun(n int) (int, error) {
	const lowest, highest = 20000, 32767
	for range 200 {
		base := lowest + rand.IntN(highest-lowest-n+2)
		var ls []net.Listener
		for i := range n {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if len(ls) == n {
			return base, nil
		}
	}
	return 0, fmt.Errorf("prodshape: no run of %d free ports below %d", n, highest+1)
}

// WaitTCP waits until addr accepts connections.
func WaitTCP(ctx context.Context, addr string) error {
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("prodshape: %s does not answer", addr), ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
