package temporaldev

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"rectify/engine"
)

var (
	statusKey  = temporal.NewSearchAttributeKeyKeyword("RectifyStatus")
	overdueKey = temporal.NewSearchAttributeKeyBool("RectifyOverdue")
	dueKey     = temporal.NewSearchAttributeKeyTime("RectifyDueAt")
	deptKey    = temporal.NewSearchAttributeKeyKeyword("RectifyDepartment")
)

// ticketWorkflow marks itself open, waits for a "close" signal carrying a
// department, records it in a search attribute and returns it.
func ticketWorkflow(ctx workflow.Context) (string, error) {
	due := workflow.Now(ctx).Add(48 * time.Hour)
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		statusKey.ValueSet("open"), overdueKey.ValueSet(true), dueKey.ValueSet(due)); err != nil {
		return "", err
	}
	var dept string
	workflow.GetSignalChannel(ctx, "close").Receive(ctx, &dept)
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		statusKey.ValueSet("closed"), deptKey.ValueSet(dept)); err != nil {
		return "", err
	}
	return dept, nil
}

func ticketAttrs() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		"RectifyStatus":     enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		"RectifyOverdue":    enumspb.INDEXED_VALUE_TYPE_BOOL,
		"RectifyDueAt":      enumspb.INDEXED_VALUE_TYPE_DATETIME,
		"RectifyDepartment": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
}

func quietLogger() sdklog.Logger { return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)) }

// freeAddresses returns n addresses 127.0.0.1:P, each with P..P+3 free (Start
// uses the three ports after the frontend's) and no two ranges overlapping.
func freeAddresses(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	var taken []int
	for try := 0; len(addrs) < n; try++ {
		if try > 100 {
			t.Fatal("no 4 consecutive free ports")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		ls := []net.Listener{l}
		for i := 1; i <= 3 && port+i <= 65535; i++ {
			if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+i))); err == nil {
				ls = append(ls, l)
			}
		}
		for _, l := range ls {
			l.Close()
		}
		ok := len(ls) == 4
		for _, p := range taken {
			ok = ok && (port+3 < p || p+3 < port)
		}
		if ok {
			taken = append(taken, port)
			addrs = append(addrs, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		}
	}
	return addrs
}

// start starts a server that the test stops at the end; it may run on any goroutine.
func start(t *testing.T, opts Options) (*Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	begin := time.Now()
	s, err := Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	t.Logf("Start(%s) took %v", s.Address(), time.Since(begin))
	t.Cleanup(func() { _ = s.Stop() })
	return s, nil
}

func dial(t *testing.T, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.Address(), Namespace: "default", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func runWorker(t *testing.T, c client.Client, queue string) worker.Worker {
	t.Helper()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(ticketWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestRestartKeepsRunningWorkflow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	dir, addr := t.TempDir(), freeAddresses(t, 1)[0]
	attrs := ticketAttrs()
	delete(attrs, "RectifyDepartment") // added after the restart
	opts := Options{Address: addr, DataDir: dir, Namespace: "default", SearchAttributes: attrs,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}

	s, err := start(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	// WAL must really be on: ask SQLite itself, through a second connection.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "temporal.sqlite")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	db.Close()

	c := dial(t, s)
	w := runWorker(t, c, "tickets")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ticket-1", TaskQueue: "tickets"}, ticketWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the first workflow task (the upsert) is done, so it is persisted.
	for {
		d, err := c.DescribeWorkflow(ctx, run.GetID(), "")
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := d.TypedSearchAttributes.GetKeyword(statusKey); ok && v == "open" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	// Restart on the same folder; one more attribute goes through the OperatorService.
	opts.SearchAttributes = map[string]enumspb.IndexedValueType{"RectifyDepartment": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	if s, err = start(t, opts); err != nil {
		t.Fatal(err)
	}
	c = dial(t, s)
	defer c.Close()
	d, err := c.DescribeWorkflow(ctx, "ticket-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status after restart = %v", d.Status)
	}
	if v, _ := d.TypedSearchAttributes.GetBool(overdueKey); !v {
		t.Fatal("RectifyOverdue lost across restart")
	}
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	attrs["RectifyDepartment"] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	for name, typ := range attrs {
		if got := list.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got, typ)
		}
	}
	// Registering again is a no-op; a type clash is reported.
	if did, err := engine.PrepareNamespace(ctx, c, "default", 0, attrs); err != nil || did.Registered || len(did.Added) > 0 {
		t.Fatalf("second prepare = %+v, %v; want nothing done", did, err)
	}
	if _, err := engine.PrepareNamespace(ctx, c, "default", 0,
		map[string]enumspb.IndexedValueType{"RectifyStatus": enumspb.INDEXED_VALUE_TYPE_INT}); err == nil {
		t.Error("type clash not reported")
	}

	w = runWorker(t, c, "tickets")
	defer w.Stop()
	if err := c.SignalWorkflow(ctx, "ticket-1", "", "close", "plumbing"); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := c.GetWorkflow(ctx, "ticket-1", "").Get(ctx, &got); err != nil || got != "plumbing" {
		t.Fatalf("result = %q, %v", got, err)
	}
	// The attribute added at restart must work at once: a stale namespace cache in
	// history would fail the workflow task (BadSearchAttributes) and retry it later.
	it := c.GetWorkflowHistory(ctx, "ticket-1", "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if f := e.GetWorkflowTaskFailedEventAttributes(); f != nil {
			t.Errorf("workflow task failed: %v", f.GetFailure().GetMessage())
		}
	}
	// Visibility (eventually consistent) sees the attribute registered after the restart.
	query := `RectifyDepartment = "plumbing" AND RectifyStatus = "closed"`
	for {
		n, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: "default", Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if n.GetCount() == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("visibility never showed the closed ticket")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTwoServersSideBySide(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	servers, errs := make([]*Server, 2), make([]error, 2)
	var wg sync.WaitGroup
	for i, addr := range freeAddresses(t, 2) {
		opts := Options{Address: addr, DataDir: filepath.Join(t.TempDir(), "data"), SearchAttributes: ticketAttrs()}
		wg.Go(func() { servers[i], errs[i] = start(t, opts) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A taken address is an error, not a crash inside the server.
	if s, err := Start(ctx, Options{Address: servers[0].Address(), DataDir: t.TempDir()}); err == nil {
		s.Stop()
		t.Fatal("second server on a busy address started")
	}
	for i, s := range servers {
		c := dial(t, s)
		defer c.Close()
		w := runWorker(t, c, "tickets")
		defer w.Stop()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ticket", TaskQueue: "tickets"}, ticketWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SignalWorkflow(ctx, run.GetID(), "", "close", fmt.Sprint("dept", i)); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := run.Get(ctx, &got); err != nil || got != fmt.Sprint("dept", i) {
			t.Fatalf("server %d: result = %q, %v", i, got, err)
		}
	}
}

// syncBuffer is a bytes.Buffer the server's goroutines may write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// A start logs no Nexus warning: the server has no HTTP API port on purpose.
// Other warnings still pass, so the filter drops that one line only.
func TestStartLogsNoNexusWarning(t *testing.T) {
	var out syncBuffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	s, err := start(t, Options{Address: freeAddresses(t, 1)[0], DataDir: t.TempDir(), Logger: log,
		SearchAttributes: ticketAttrs()})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the frontend logs it just after it starts serving
	_ = s.Stop()
	if got := out.String(); strings.Contains(got, "Nexus") {
		t.Errorf("the server logged the Nexus warning:\n%s", got)
	}
	l := slogLogger{l: log, stopping: new(atomic.Bool)}
	l.Warn("something else went wrong")
	if !strings.Contains(out.String(), "something else went wrong") {
		t.Errorf("another warning was dropped too")
	}
}
