package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"rectify/internal/testdb"
	"rectify/prodshape"
	"rectify/workflows"
)

// TestProductionShape runs what a province deploys, as separate OS processes on
// fresh databases: a Temporal server built from the pinned module on Postgres,
// `rectify migrate` (which prepares the namespace: nothing by hand), `rectify
// server` and two `rectify worker` processes of the release build. While 300
// ratings arrive from 8 clients, one worker is killed -9, the server is killed -9
// and started again, and the Temporal server is stopped and started again. Then
// every ticket is driven to closed over HTTP, one through an unsatisfied round.
func TestProductionShape(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	started := time.Now()
	bin, err := prodshape.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built rectify (release), Temporal server and SQL tool in %s", time.Since(started).Round(time.Second))

	st, dbURL := testdb.NewWithURL(t)
	pg, err := prodshape.ParsePostgres(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	port, err := prodshape.FreePortRun(9) // below 32768: Temporal's Postgres schema keeps membership ports in a smallint
	if err != nil {
		t.Fatal(err)
	}
	tmp := prodshape.Temporal{Postgres: pg, Database: fmt.Sprintf("rectify_prodshape_%d", rand.Uint32()),
		Port: port, Dir: t.TempDir()}
	t.Cleanup(func() { dropDatabases(t, dbURL, tmp.Database, tmp.Database+"_visibility") })
	if err := tmp.SetupSchemas(ctx, bin); err != nil {
		t.Fatal(err)
	}
	dynamic, err := os.ReadFile(filepath.Join("..", "deploy", "temporal-dynamicconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := tmp.WriteConfig(dynamic)
	if err != nil {
		t.Fatal(err)
	}
	temporalArgs := tmp.Command(bin, conf).Args[1:]
	server := newProgram(t, "temporal", bin.TemporalServer, nil, temporalArgs...)
	if err := prodshape.WaitTCP(ctx, tmp.Address()); err != nil {
		server.tail(40)
		t.Fatal(err)
	}

	httpAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	env := prodshape.RectifyEnv(dbURL, tmp.Address(), httpAddr, t.TempDir(), adminToken)
	env["RECTIFY_LOG_LEVEL"] = "debug" // the more is logged, the stronger the no-phone check
	// The worker refuses to poll a namespace that lacks rectify's search
	// attributes, naming them and the fix, instead of failing tasks forever.
	refused := newProgram(t, "worker-before-migrate", bin.Rectify, env, "worker")
	refused.waitLog(ctx, "run `rectify migrate`")
	refused.stop()

	migrate := newProgram(t, "migrate", bin.Rectify, env, "migrate")
	migrate.waitLog(ctx, "temporal namespace ready")
	api := newProgram(t, "server", bin.Rectify, env, "server")
	var workers []*proc
	for i := range 2 {
		workers = append(workers, newProgram(t, fmt.Sprintf("worker-%d", i+1), bin.Rectify, env, "worker"))
	}
	base := "http://" + httpAddr
	api.waitReady(ctx, base)
	for _, w := range workers {
		w.waitLog(ctx, "rectify worker polling")
	}
	t.Logf("shape up after %s", time.Since(started).Round(time.Second))

	a := newAPI(base)
	a.must(t, http.MethodPost, "/api/v1/departments", adminToken, map[string]string{"code": dept, "name": "南京市市场监督管理局"}, http.StatusCreated)
	for _, u := range []struct{ name, role, dept string }{
		{"web-portal", "channel", ""}, {"supervisor", "supervisor", ""}, {"clerk", "department", dept}, {"agent", "callcenter", ""},
	} {
		user := map[string]string{"username": u.name, "password": "prodshape-password", "role": u.role}
		if u.dept != "" {
			user["department_code"] = u.dept
		}
		a.must(t, http.MethodPost, "/api/v1/users", adminToken, user, http.StatusCreated)
	}
	channel, clerk, agent := a.tokenFor(t, adminToken, "web-portal"), a.tokenFor(t, adminToken, "clerk"), a.tokenFor(t, adminToken, "agent")

	// The faults strike at set points of the load, one after the other.
	rs := makeRatings("PRODSHAPE", 300)
	var faults sync.WaitGroup
	var step atomic.Int32
	progress := func(n int) {
		switch {
		case n >= 60 && step.CompareAndSwap(0, 1):
			faults.Go(func() { workers[0].kill(); t.Logf("worker-1 killed -9 at %d answers", n) })
		case n >= 120 && step.CompareAndSwap(1, 2):
			faults.Go(func() {
				api.kill()
				time.Sleep(time.Second)
				api.start()
				api.waitReady(ctx, base)
				t.Logf("server killed -9 at %d answers and ready again", n)
			})
		case n >= 200 && step.CompareAndSwap(2, 3):
			faults.Go(func() {
				server.stop()
				down := time.Now()
				time.Sleep(2 * time.Second)
				server.start()
				if err := prodshape.WaitTCP(ctx, tmp.Address()); err != nil {
					t.Error(err)
				}
				t.Logf("Temporal server stopped at %d answers, listening again after %s", n, time.Since(down).Round(100*time.Millisecond))
			})
		}
	}
	l := runLoadWith(ctx, t, a, channel, rs, 8, progress, faults.Wait)
	if step.Load() != 3 {
		t.Errorf("only %d of 3 faults struck during the load", step.Load())
	}
	workers[0].start() // the killed worker comes back, as a supervisor would restart it
	workers[0].waitLog(ctx, "rectify worker polling")

	// Every rating stored once, one ticket per negative rating.
	numbers := map[string]string{} // ticket number -> rating id
	for _, r := range rs {
		ans := l.Final[r.ID]
		if ans.Status != http.StatusCreated && ans.Status != http.StatusOK {
			t.Errorf("rating %s: final answer %d %s", r.ID, ans.Status, ans.Body)
		}
		if r.Negative {
			numbers[ans.Ticket] = r.ID
		}
	}
	var ratings, tickets int
	if err := st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM ratings WHERE id LIKE 'PRODSHAPE-%'),
		(SELECT count(*) FROM tickets WHERE rating_id LIKE 'PRODSHAPE-%')`).Scan(&ratings, &tickets); err != nil {
		t.Fatal(err)
	}
	if ratings != len(rs) || tickets != len(rs)/5 || len(numbers) != len(rs)/5 {
		t.Fatalf("stored %d ratings and %d tickets, answered %d ticket numbers; want %d, %d, %d",
			ratings, tickets, len(numbers), len(rs), len(rs)/5, len(rs)/5)
	}

	// Every ticket to closed: sign → resolve → log_call (satisfied), and one
	// through an unsatisfied call first. Actions are chosen from the ticket's
	// status, so a retried action that had applied is not sent twice.
	var unsatisfied string
	for n := range numbers {
		unsatisfied = n
		break
	}
	var (
		mu       sync.Mutex
		actions  int
		retried  int
		failures []string
		wg       sync.WaitGroup
		queue    = make(chan string)
	)
	for range 8 {
		wg.Go(func() {
			for n := range queue {
				sent, again, err := driveToClosed(ctx, a, n, clerk, agent, n == unsatisfied)
				mu.Lock()
				actions, retried = actions+sent, retried+again
				if err != nil {
					failures = append(failures, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	for n := range numbers {
		queue <- n
	}
	close(queue)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("%d actions sent, %d of them again after no answer; %d ratings, %d tickets, %d first answers lost to faults and retried",
		actions, retried, len(rs), len(numbers), l.NoAnswer)
	if retried > 0 {
		t.Errorf("%d actions got no answer after the faults were over; every Update must be answered", retried)
	}
	var open int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE rating_id LIKE 'PRODSHAPE-%' AND status <> 'closed'`).Scan(&open); err != nil || open > 0 {
		t.Errorf("%d tickets not closed in Postgres (err %v)", open, err)
	}

	// Temporal agrees: its visibility store counts every ticket closed, and no
	// workflow task failed anywhere.
	tc := dialTemporal(t, tmp.Address())
	if err := waitFor(ctx, func() (bool, string) {
		// A closed ticket's workflow completed (V3 keeps no RectifyStatus: Temporal's
		// ExecutionStatus says open or closed, issue 18).
		c, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: `WorkflowType = "RectificationV3" AND ExecutionStatus = "Completed"`})
		return err == nil && int(c.GetCount()) == len(numbers), fmt.Sprintf("visibility counts %d closed (err %v), want %d", c.GetCount(), err, len(numbers))
	}); err != nil {
		t.Error(err)
	}
	for n, id := range numbers {
		if failed := workflowTaskFailures(ctx, tc, workflows.WorkflowID(id)); len(failed) > 0 {
			t.Errorf("ticket %s: workflow task failed: %s", n, strings.Join(failed, "; "))
		}
	}
	for _, w := range workers {
		b, _ := os.ReadFile(w.log)
		for _, bad := range []string{"BadSearchAttributes", "Workflow panic", "Failed to process workflow task"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s logged %q", w.name, bad)
			}
		}
	}
	for _, p := range append([]*proc{api}, workers...) {
		p.assertNoPhones()
	}
	t.Logf("production shape: whole test %s", time.Since(started).Round(time.Second))
}

// driveToClosed takes one ticket to closed, choosing each action from its status.
// It returns the actions sent, how many were sent again after no answer, and why
// it gave up.
func driveToClosed(ctx context.Context, a *api, number, clerk, agent string, unsatisfiedFirst bool) (sent, again int, err error) {
	for range 20 {
		ans := a.do(ctx, http.MethodGet, "/api/v1/tickets/"+number, clerk, nil)
		if ans.Status != http.StatusOK {
			return sent, again, fmt.Errorf("ticket %s: GET answered %d %s", number, ans.Status, ans.Body)
		}
		var tk struct {
			Status string `json:"status"`
			Round  int    `json:"round"`
		}
		if err := json.Unmarshal([]byte(ans.Body), &tk); err != nil {
			return sent, again, err
		}
		action, token, body := "", clerk, map[string]any{}
		switch tk.Status {
		case "closed":
			return sent, again, nil
		case "awaiting_sign":
			action = "sign"
		case "rectifying":
			action, body = "resolve", map[string]any{"report": "已整改：增开窗口，缩短排队时间"}
		case "following_up":
			level := "satisfied"
			if unsatisfiedFirst && tk.Round == 1 {
				level = "dissatisfied"
			}
			action, token, body = "log_call", agent, map[string]any{"reached": true, "level": level, "note": "回访"}
		default:
			return sent, again, fmt.Errorf("ticket %s: unexpected status %s", number, tk.Status)
		}
		b, _ := json.Marshal(body)
		for try := 0; ; try++ {
			sent++
			got := a.do(ctx, http.MethodPost, "/api/v1/tickets/"+number+"/"+action, token, b)
			if got.Status == http.StatusOK {
				break
			}
			if got.answered() {
				return sent, again, fmt.Errorf("ticket %s: %s answered %d %s", number, action, got.Status, got.Body)
			}
			if try == 5 || ctx.Err() != nil {
				return sent, again, fmt.Errorf("ticket %s: %s got no answer %d times", number, action, try+1)
			}
			again++
			time.Sleep(500 * time.Millisecond)
		}
	}
	return sent, again, fmt.Errorf("ticket %s: not closed after 20 actions", number)
}

// workflowTaskFailures lists the failure messages of every failed workflow task
// in the workflow's history.
func workflowTaskFailures(ctx context.Context, tc client.Client, id string) []string {
	var out []string
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return append(out, err.Error())
		}
		if f := e.GetWorkflowTaskFailedEventAttributes(); f != nil {
			out = append(out, f.GetCause().String()+": "+f.GetFailure().GetMessage())
		}
	}
	return out
}

// dropDatabases removes the Temporal databases the test created.
func dropDatabases(t *testing.T, dbURL string, names ...string) {
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Log(err)
		return
	}
	defer conn.Close(context.Background())
	for _, n := range names {
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Log(err)
		}
	}
}
