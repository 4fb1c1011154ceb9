package faults

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"rectify/activities"
	"rectify/app"
	"rectify/domain"
	"rectify/internal/testdb"
	"rectify/internal/testenv"
	"rectify/notify"
	"rectify/worker"
	"rectify/workflows"
)

// deadSwitch cuts a client off from Temporal, as the death of its process would:
// after kill, every call it makes fails, so the task it is working on is never
// completed and the server gives it to another worker when it times out.
type deadSwitch struct{ dead atomic.Bool }

func (d *deadSwitch) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if d.dead.Load() {
		return status.Error(codes.Unavailable, "faults: this worker is dead")
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}

// Issue 16 item 1, end to end: the worker dies after an Update's write committed
// and before its workflow task completes, while the ticket's deadline timer
// fires. Another worker runs the retried task, whose path differs (the timer's
// event is in it; its clock differs). Afterwards Postgres equals the workflow:
// the snapshot equals the workflow's state, and the event trail is the one the
// surviving attempt wrote.
func TestWorkerKilledBetweenCommitAndTaskCompletion(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ts := temporal()
	st, dbURL := testdb.NewWithURL(t)
	cfg := testenv.Config(t, ts, dbURL)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	// A working day of 8 s: the sign deadline comes a few seconds after the ticket.
	cfg.Calendar.Mode, cfg.Calendar.CompressedDay = "compressed", 8*time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	sys, err := app.Build(ctx, cfg, st, ts.GetDefaultClient(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sys.NewServer().Echo)
	defer hs.Close()
	sys.RunStarts(ctx) // the API answers before the workflow starts; this starts it

	// Every write either worker makes, in order: the last one per seq is the
	// workflow's, since the dead worker's attempt never reached history.
	var (
		mu      sync.Mutex
		written []domain.Event
		killed  = make(chan struct{})
		fireAt  atomic.Pointer[time.Time]
	)
	sw := &deadSwitch{}
	hook := func(_ context.Context, ch activities.Change) error {
		mu.Lock()
		written = append(written, ch.Event)
		mu.Unlock()
		if ch.Event.Type == "urged" && sw.dead.CompareAndSwap(false, true) {
			close(killed)
			// The process is gone; the deadline timer fires while the task is in flight.
			if at := fireAt.Load(); at != nil {
				time.Sleep(time.Until(*at) + time.Second)
			}
		}
		return nil
	}
	newActs := func() *activities.Activities {
		return &activities.Activities{Store: st, Schedule: app.Schedule(cfg, sys.Calendar), SurveyTTL: cfg.Survey.TTL,
			Render: notify.Renderer{BaseURL: hs.URL, Zone: cfg.Location()}, AfterWrite: hook}
	}
	ca, err := client.Dial(client.Options{HostPort: ts.GetFrontendHostPort(), Namespace: ts.GetDefaultNamespace(),
		Logger: quietLogger(), ConnectionOptions: client.ConnectionOptions{
			DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(sw.unary)}}})
	if err != nil {
		t.Fatal(err)
	}
	wa := worker.New(ca, cfg.Temporal.TaskQueue, newActs(), cfg.Temporal.StickyCacheSize)
	if err := wa.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { wa.Stop(); ca.Close() }()

	a := newAPI(hs.URL)
	a.must(t, http.MethodPost, "/api/v1/departments", adminToken, map[string]string{"code": dept, "name": "南京市市场监督管理局"}, http.StatusCreated)
	for _, u := range []map[string]string{
		{"username": "portal", "password": "faults-password", "role": "channel"},
		{"username": "sup", "password": "faults-password", "role": "supervisor"},
	} {
		a.must(t, http.MethodPost, "/api/v1/users", adminToken, u, http.StatusCreated)
	}
	portal, sup := a.tokenFor(t, adminToken, "portal"), a.tokenFor(t, adminToken, "sup")
	ratingID := "SEAM-KILL-" + hex.EncodeToString(b)
	body := `{"id":"` + ratingID + `","channel":"hall","level":"very_dissatisfied","department_code":"` + dept +
		`","comment":"窗口无人","citizen":{"name":"王五","phone":"13912340000","anonymous":false}}`
	ans := a.do(ctx, http.MethodPost, "/api/v1/ratings", portal, []byte(body))
	if ans.Status != http.StatusCreated || ans.Ticket == "" {
		t.Fatalf("rating: %d %s", ans.Status, ans.Body)
	}
	number := ans.Ticket

	state := func(c client.Client) (workflows.State, error) {
		var s workflows.State
		v, err := c.QueryWorkflow(ctx, workflows.WorkflowID(ratingID), "", workflows.QueryState)
		if err == nil {
			err = v.Get(&s)
		}
		return s, err
	}
	// The next deadline at least 3 s away: urge 1.5 s before it.
	var (
		s    workflows.State
		next time.Time
	)
	if err := waitFor(ctx, func() (bool, string) {
		s, err = state(ts.GetDefaultClient())
		if err != nil || s.Seq == 0 {
			return false, fmt.Sprintf("the ticket is not open: %v", err)
		}
		next = nextDeadline(s)
		return !next.IsZero() && time.Until(next) > 3*time.Second, fmt.Sprintf("no deadline far enough ahead: %s", next)
	}); err != nil {
		t.Fatal(err)
	}
	fireAt.Store(&next)
	time.Sleep(time.Until(next) - 1500*time.Millisecond)

	urged := make(chan answer, 1)
	go func() {
		uctx, ucancel := context.WithTimeout(ctx, 90*time.Second)
		defer ucancel()
		urged <- a.do(uctx, http.MethodPost, "/api/v1/tickets/"+number+"/urge", sup, []byte(`{"note":"请尽快处理"}`))
	}()
	select {
	case <-killed:
	case <-time.After(30 * time.Second):
		t.Fatal("the urge never reached the first worker's write")
	}
	// The second process takes over: the server gives it the task when the dead
	// worker's attempt times out.
	wb := worker.New(ts.GetDefaultClient(), cfg.Temporal.TaskQueue, newActs(), cfg.Temporal.StickyCacheSize)
	if err := wb.Start(); err != nil {
		t.Fatal(err)
	}
	defer wb.Stop()
	u := <-urged
	t.Logf("the urge answered %d %s", u.Status, u.Body)

	// Settled: the workflow has met the deadline and Postgres has as many events.
	var pg domain.Ticket
	if err := waitFor(ctx, func() (bool, string) {
		s, err = state(ts.GetDefaultClient())
		if err != nil {
			return false, err.Error()
		}
		pg, err = st.GetTicket(ctx, number)
		return err == nil && nextDeadline(s) != next && len(pg.Events) == s.Seq && pg.Version == s.Version,
			fmt.Sprintf("workflow seq %d version %d next deadline %s; postgres %d events version %d", s.Seq, s.Version, nextDeadline(s), len(pg.Events), pg.Version)
	}); err != nil {
		t.Fatal(err)
	}

	wf := s.Ticket
	// Postgres keeps microseconds.
	us := func(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || us(*a).Equal(us(*b))) }
	if pg.Status != wf.Status || pg.Overdue != wf.Overdue || pg.EscalationLevel != wf.EscalationLevel ||
		pg.Version != s.Version || !same(pg.DueAt, wf.DueAt) || !us(pg.UpdatedAt).Equal(us(wf.UpdatedAt)) ||
		pg.DepartmentCode != wf.DepartmentCode || pg.Round != wf.Round {
		t.Errorf("snapshot differs:\npostgres %s overdue=%v level=%d v%d due=%v updated=%s\nworkflow %s overdue=%v level=%d v%d due=%v updated=%s",
			pg.Status, pg.Overdue, pg.EscalationLevel, pg.Version, pg.DueAt, pg.UpdatedAt,
			wf.Status, wf.Overdue, wf.EscalationLevel, s.Version, wf.DueAt, wf.UpdatedAt)
	}
	mu.Lock()
	last := map[int]domain.Event{}
	for _, e := range written {
		last[e.Seq] = e
	}
	mu.Unlock()
	var want, got []string
	for seq := 1; seq <= s.Seq; seq++ {
		e := last[seq]
		want = append(want, fmt.Sprintf("%d:%s:%s@%s", e.Seq, e.Type, e.Actor, us(e.At).UTC().Format(time.RFC3339Nano)))
	}
	for _, e := range pg.Events {
		got = append(got, fmt.Sprintf("%d:%s:%s@%s", e.Seq, e.Type, e.Actor, e.At.UTC().Format(time.RFC3339Nano)))
	}
	if !slices.Equal(got, want) {
		t.Errorf("event trail differs from the workflow's:\npostgres %v\nworkflow %v\nall writes %v", got, want, written)
	}
	t.Logf("workflow trail %v", want)
}

// nextDeadline is the workflow's next timer, as workflows.rectification.nextDeadline.
func nextDeadline(s workflows.State) time.Time {
	t := s.Ticket
	switch {
	case s.Remind != nil:
		return *s.Remind
	case t.DueAt != nil && !t.Overdue:
		return *t.DueAt
	case s.Escalate2 != nil && t.EscalationLevel < 2:
		return *s.Escalate2
	}
	return time.Time{}
}
