package faults

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	sdklog "go.temporal.io/sdk/log"

	"rectify/internal/testdb"
	"rectify/internal/testenv"
)

// adminToken is the bootstrap admin token of the processes under test.
const adminToken = testenv.AdminToken

// size is the number of ratings per load: the 1,000, fewer under -short.
func size() int {
	if testing.Short() {
		return 200
	}
	return 1000
}

func quietLogger() sdklog.Logger { return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)) }

// site is one set of addresses and folders for the processes of a test.
type site struct {
	httpAddr, temporalAddr, dataDir, dbURL string
}

func newSite(t *testing.T, dbURL string) site {
	return site{
		httpAddr:     "127.0.0.1:" + strconv.Itoa(freePort(t)),
		temporalAddr: "127.0.0.1:" + strconv.Itoa(freePortRun(t, 4)),
		dataDir:      t.TempDir(),
		dbURL:        dbURL,
	}
}

// env is the configuration every process of the site gets. Debug logs: the more
// that is logged, the stronger the no-phone-in-logs check.
func (s site) env() map[string]string {
	return map[string]string{
		"RECTIFY_DATABASE_URL":               s.dbURL,
		"RECTIFY_HTTP_ADDR":                  s.httpAddr,
		"RECTIFY_HTTP_BASE_URL":              "http://" + s.httpAddr,
		"RECTIFY_TEMPORAL_ADDRESS":           s.temporalAddr,
		"RECTIFY_DATA_DIR":                   s.dataDir,
		"RECTIFY_AUTH_BOOTSTRAP_ADMIN_TOKEN": adminToken,
		"RECTIFY_CALENDAR_MODE":              "real",
		"RECTIFY_LOG_LEVEL":                  "debug",
	}
}

func (s site) base() string { return "http://" + s.httpAddr }

// faultAt returns a progress callback that runs fault once, in its own goroutine,
// when at ratings have been answered, and a wait for it to have finished.
func faultAt(at int, fault func()) (func(int), func()) {
	var once sync.Once
	done := make(chan struct{})
	return func(n int) {
			if n >= at {
				once.Do(func() { go func() { fault(); close(done) }() })
			}
		}, func() {
			once.Do(func() { close(done) }) // the load ended before the fault: nothing to wait for
			<-done
		}
}

// startDev starts `rectify dev` on dbURL and waits until it serves: its site,
// its process, its API and the tokens of the web-portal channel and the supervisor.
func startDev(ctx context.Context, t *testing.T, dbURL string) (s site, dev *proc, a *api, channel, supervisor string) {
	t.Helper()
	s = newSite(t, dbURL)
	dev = newProc(t, "dev", s.env(), "dev")
	dev.waitReady(ctx, s.base())
	a = newAPI(s.base())
	return s, dev, a, a.tokenFor(t, adminToken, "web-portal"), a.tokenFor(t, adminToken, "supervisor")
}

// TestKillDevMidLoad: kill -9 `rectify dev` while ratings pour in, start it again
// on the same data, and retry what got no answer.
func TestKillDevMidLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	st, dbURL := testdb.NewWithURL(t)
	s, dev, a, channel, supervisor := startDev(ctx, t, dbURL)

	rs := makeRatings("KILLDEV", size())
	var downAt, upAt time.Time
	fault, faultDone := faultAt(len(rs)*3/10, func() {
		dev.kill()
		downAt = time.Now()
		time.Sleep(time.Second) // the load goes on against a dead port meanwhile
		dev.start()
		dev.waitReady(ctx, s.base())
		upAt = time.Now()
	})
	l := runLoad(ctx, t, a, channel, rs, fault, faultDone)
	t.Logf("rectify dev killed at %d answers, ready again after %s", len(rs)*3/10, upAt.Sub(downAt).Round(100*time.Millisecond))

	f := verify(ctx, t, st.Pool(), dialTemporal(t, s.temporalAddr), a, supervisor, "KILLDEV", rs, l)
	report(t, f)
	dev.assertNoPhones()
}

// TestKillWorkerMidLoad: `rectify server` and `rectify worker` run as separate
// processes against one Temporal (`rectify temporal`); the worker alone is killed
// -9 while ratings pour in, and started again a few seconds later.
func TestKillWorkerMidLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	st, dbURL := testdb.NewWithURL(t)
	s := newSite(t, dbURL)
	tmp := newProc(t, "temporal", s.env(), "temporal")
	tmp.waitLog(ctx, "dev Temporal server ready")
	server := newProc(t, "server", s.env(), "server")
	server.waitReady(ctx, s.base())
	worker := newProc(t, "worker", s.env(), "worker")
	worker.waitLog(ctx, "rectify worker polling")

	a := newAPI(s.base())
	a.must(t, http.MethodPost, "/api/v1/departments", adminToken, map[string]string{"code": dept, "name": "南京市市场监督管理局"}, http.StatusCreated)
	for _, u := range []struct{ name, role string }{{"web-portal", "channel"}, {"supervisor", "supervisor"}} {
		a.must(t, http.MethodPost, "/api/v1/users", adminToken, map[string]string{"username": u.name, "password": "faults-password", "role": u.role}, http.StatusCreated)
	}
	channel, supervisor := a.tokenFor(t, adminToken, "web-portal"), a.tokenFor(t, adminToken, "supervisor")

	rs := makeRatings("KILLWORKER", size())
	var killedAt time.Time
	fault, faultDone := faultAt(len(rs)*3/10, func() {
		worker.kill()
		killedAt = time.Now()
		time.Sleep(3 * time.Second) // ratings keep coming with no worker at all
		worker.start()
		worker.waitLog(ctx, "rectify worker polling")
	})
	l := runLoad(ctx, t, a, channel, rs, fault, faultDone)
	t.Logf("worker killed at %d answers, polling again after %s", len(rs)*3/10, time.Since(killedAt).Round(100*time.Millisecond))

	f := verify(ctx, t, st.Pool(), dialTemporal(t, s.temporalAddr), a, supervisor, "KILLWORKER", rs, l)
	report(t, f)
	for _, p := range []*proc{tmp, server, worker} {
		p.assertNoPhones()
	}
}

// TestPostgresRestartMidLoad: the database under `rectify dev` crashes mid-load
// (pg_ctl stop -m immediate: no checkpoint, connections cut), stays down for 2 s
// and starts again with crash recovery. The shared Postgres is not ours to
// restart, so the test runs a private cluster.
func TestPostgresRestartMidLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	pg := newPrivatePostgres(t)
	dbURL := pg.url("rectify_faults")
	s, dev, a, channel, supervisor := startDev(ctx, t, dbURL)

	rs := makeRatings("PGRESTART", size())
	var took time.Duration
	fault, faultDone := faultAt(len(rs)*3/10, func() {
		start := time.Now()
		pg.restart(t, 2*time.Second)
		took = time.Since(start)
	})
	l := runLoad(ctx, t, a, channel, rs, fault, faultDone)
	t.Logf("Postgres crashed at %d answers and was back after %s; rectify dev still running: %v", len(rs)*3/10, took.Round(100*time.Millisecond), dev.alive())
	if !dev.alive() {
		t.Fatal("rectify dev exited when its database restarted")
	}

	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := verify(ctx, t, db, dialTemporal(t, s.temporalAddr), a, supervisor, "PGRESTART", rs, l)
	report(t, f)
	dev.assertNoPhones()
}
