package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"rectify/workflows"
)

// dept is registered in every system under test (the demo data of `rectify dev`
// has it), so negative ratings open tickets awaiting its signature.
const dept = "320100-SCJG"

// ratingReq is one rating of the load with its exact request body: a retry must
// send the same bytes, or it would be a conflict rather than a retry.
type ratingReq struct {
	ID       string
	Negative bool
	Body     []byte
}

// makeRatings returns n ratings, every fifth negative, each with a real-name
// citizen and a phone (which must never reach a log).
func makeRatings(prefix string, n int) []ratingReq {
	rs := make([]ratingReq, n)
	for i := range rs {
		level := []string{"very_satisfied", "satisfied", "basically_satisfied", "satisfied"}[i%4]
		neg := i%5 == 0
		if neg {
			level = []string{"dissatisfied", "very_dissatisfied"}[i/5%2]
		}
		id := fmt.Sprintf("%s-%05d", prefix, i)
		body, _ := json.Marshal(map[string]any{
			"id": id, "channel": "web", "level": level, "department_code": dept,
			"comment": fmt.Sprintf("第%d条评价：窗口排队时间长", i),
			"citizen": map[string]any{"name": "张三", "phone": fmt.Sprintf("139%08d", i), "anonymous": false},
		})
		rs[i] = ratingReq{ID: id, Negative: neg, Body: body}
	}
	return rs
}

// answer is what one request got: Status 0 means no answer at all.
type answer struct {
	Status int
	Ticket string
	Body   string
}

// answered says the server decided: a 2xx or a 4xx. Transport errors and 5xx
// (faults, never verdicts on the input) are retried.
func (a answer) answered() bool { return a.Status >= 200 && a.Status < 500 }

// api is a client of one rectify HTTP server.
type api struct {
	base string
	hc   *http.Client
}

func newAPI(base string) *api {
	return &api{base: base, hc: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (a *api) do(ctx context.Context, method, path, token string, body []byte) answer {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{} // cut off mid-answer: the client cannot know the outcome
	}
	out := answer{Status: resp.StatusCode, Body: string(b)}
	var v struct {
		TicketNumber string `json:"ticket_number"`
	}
	_ = json.Unmarshal(b, &v)
	out.Ticket = v.TicketNumber
	return out
}

// must sends a request that has to succeed with want and decodes its JSON answer.
func (a *api) must(t testing.TB, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	if body == nil {
		b = nil
	}
	ans := a.do(context.Background(), method, path, token, b)
	if ans.Status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, ans.Status, ans.Body, want)
	}
	var v map[string]any
	_ = json.Unmarshal([]byte(ans.Body), &v)
	return v
}

// tokenFor issues an API token for an existing user.
func (a *api) tokenFor(t testing.TB, admin, username string) string {
	t.Helper()
	v := a.must(t, http.MethodPost, "/api/v1/users/"+username+"/tokens", admin, nil, http.StatusCreated)
	return v["token"].(string)
}

// load is the outcome of submitting a set of ratings through faults.
type load struct {
	Sent          int // ratings sent (each once in the first pass)
	AnsweredFirst int // answered in the first pass
	NoAnswer      int // got no answer (or a 5xx) the first time and were sent again
	Retries       int // requests sent again, all rounds
	RetriedDup    int // retries answered 200: stored before the fault, answer lost
	Final         map[string]answer
}

// submit sends every rating with conc concurrent clients. onProgress sees the
// number answered so far after each answer (the test injects its fault there).
func submit(ctx context.Context, a *api, token string, rs []ratingReq, conc int, onProgress func(answered int)) map[string]answer {
	out := make(map[string]answer, len(rs))
	var (
		mu       sync.Mutex
		answered atomic.Int64
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(rs) || ctx.Err() != nil {
					return
				}
				ans := a.do(ctx, http.MethodPost, "/api/v1/ratings", token, rs[i].Body)
				mu.Lock()
				out[rs[i].ID] = ans
				mu.Unlock()
				if ans.answered() {
					n := answered.Add(1)
					if onProgress != nil {
						onProgress(int(n))
					}
				} else {
					time.Sleep(250 * time.Millisecond) // a client backs off from a dead server
				}
			}
		})
	}
	wg.Wait()
	return out
}

// runLoad submits rs once while fault may strike (called with the count answered so
// far), then, once recovered() returns, sends again every rating that got no answer
// until all are answered or ctx ends.
func runLoad(ctx context.Context, t *testing.T, a *api, token string, rs []ratingReq, fault func(answered int), recovered func()) load {
	t.Helper()
	return runLoadWith(ctx, t, a, token, rs, 32, fault, recovered)
}

// runLoadWith is runLoad with conc clients in the first pass.
func runLoadWith(ctx context.Context, t *testing.T, a *api, token string, rs []ratingReq, conc int, fault func(answered int), recovered func()) load {
	t.Helper()
	l := load{Sent: len(rs)}
	l.Final = submit(ctx, a, token, rs, conc, fault)
	var pending []ratingReq
	for _, r := range rs {
		if l.Final[r.ID].answered() {
			l.AnsweredFirst++
		} else {
			pending = append(pending, r)
		}
	}
	l.NoAnswer = len(pending)
	recovered()
	for round := 1; len(pending) > 0; round++ {
		if ctx.Err() != nil {
			t.Fatalf("%d ratings still unanswered after %d retry rounds: %v", len(pending), round-1, ctx.Err())
		}
		l.Retries += len(pending)
		got := submit(ctx, a, token, pending, 16, nil)
		var still []ratingReq
		for _, r := range pending {
			ans := got[r.ID]
			l.Final[r.ID] = ans
			switch {
			case !ans.answered():
				still = append(still, r)
			case ans.Status == http.StatusOK:
				l.RetriedDup++
			}
		}
		pending = still
		if len(pending) > 0 {
			time.Sleep(500 * time.Millisecond)
		}
	}
	return l
}

// figures are what a fault test measured; the README's reliability section lists them.
type figures struct {
	load
	Accepted, Stored, Negatives, Tickets, WorkflowsRunning, ActionsOK, Duplicates, Lost int
}

func (f figures) String() string {
	return fmt.Sprintf("sent=%d answered_first=%d no_answer_retried=%d retried_dup=%d accepted=%d stored=%d negatives=%d tickets=%d workflows_running=%d actions_ok=%d duplicates=%d lost=%d",
		f.Sent, f.AnsweredFirst, f.NoAnswer, f.RetriedDup, f.Accepted, f.Stored, f.Negatives, f.Tickets,
		f.WorkflowsRunning, f.ActionsOK, f.Duplicates, f.Lost)
}

// verify checks the promises after a fault: every rating answered 2xx is stored
// exactly once with the body sent; every negative one has exactly one ticket, the
// one its answers named; every ticket's workflow runs and answers an action (an
// urge by a supervisor, 200) with exactly one event and one message for it; and no
// transition or message was written twice.
func verify(ctx context.Context, t *testing.T, db *pgxpool.Pool, tc client.Client, a *api, supervisor, prefix string, rs []ratingReq, l load) figures {
	t.Helper()
	f := figures{load: l}
	accepted := map[string]bool{}
	for _, r := range rs {
		ans := l.Final[r.ID]
		if ans.Status != http.StatusCreated && ans.Status != http.StatusOK {
			t.Errorf("rating %s: final answer %d %s, want 201 or 200", r.ID, ans.Status, ans.Body)
			continue
		}
		accepted[r.ID] = true
		if r.Negative {
			f.Negatives++
		}
	}
	f.Accepted = len(accepted)

	// Ratings: each accepted id once, nothing that was not sent.
	type row struct {
		id, ticket string
		rows       int
	}
	rows, err := db.Query(ctx, `
		SELECT r.id, coalesce(min(t.number), ''), count(*)
		FROM ratings r LEFT JOIN tickets t ON t.rating_id = r.id
		WHERE r.id LIKE $1 || '-%' GROUP BY r.id`, prefix)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.ticket, &r.rows); err != nil {
			t.Fatal(err)
		}
		stored[r.id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	f.Stored = len(stored)
	byID := map[string]ratingReq{}
	for _, r := range rs {
		byID[r.ID] = r
	}
	tickets := map[string]string{} // number -> rating id
	for id, s := range stored {
		r, sent := byID[id]
		switch {
		case !sent:
			t.Errorf("rating %s is stored but was never sent", id)
			f.Duplicates++
		case s.rows > 1:
			t.Errorf("rating %s: %d rows (ratings × tickets), want 1", id, s.rows)
			f.Duplicates += s.rows - 1
		}
		if s.ticket != "" {
			tickets[s.ticket] = id
			if !r.Negative {
				t.Errorf("positive rating %s has ticket %s", id, s.ticket)
			}
		}
	}
	for id := range accepted {
		s, ok := stored[id]
		switch {
		case !ok:
			t.Errorf("rating %s was accepted but is not stored", id)
			f.Lost++
		case byID[id].Negative && s.ticket == "":
			t.Errorf("negative rating %s has no ticket", id)
			f.Lost++
		case byID[id].Negative && s.ticket != l.Final[id].Ticket:
			t.Errorf("rating %s: answered with ticket %q, stored ticket %q", id, l.Final[id].Ticket, s.ticket)
		}
	}
	f.Tickets = len(tickets)

	// The first transition of every ticket (dispatched) was written exactly once
	// and recorded that its workflow started.
	if err := waitFor(ctx, func() (bool, string) {
		var n int
		err := db.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE rating_id LIKE $1 || '-%' AND NOT workflow_started`, prefix).Scan(&n)
		return err == nil && n == 0, fmt.Sprintf("%d tickets without a started workflow (err %v)", n, err)
	}); err != nil {
		t.Error(err)
	}

	// Every workflow runs and takes an action.
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		numbers = make(chan string)
	)
	for range 8 {
		wg.Go(func() {
			for n := range numbers {
				id := tickets[n]
				d, err := tc.DescribeWorkflowExecution(ctx, workflows.WorkflowID(id), "")
				running := err == nil && d.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
				body, _ := json.Marshal(map[string]string{"note": "faults: 请尽快处理"})
				ans := a.do(ctx, http.MethodPost, "/api/v1/tickets/"+n+"/urge", supervisor, body)
				mu.Lock()
				if running {
					f.WorkflowsRunning++
				} else {
					t.Errorf("ticket %s: workflow not running (err %v)", n, err)
					f.Lost++
				}
				if ans.Status == http.StatusOK {
					f.ActionsOK++
				} else {
					t.Errorf("ticket %s: urge answered %d %s, want 200", n, ans.Status, ans.Body)
					f.Lost++
				}
				mu.Unlock()
			}
		})
	}
	for n := range tickets {
		numbers <- n
	}
	close(numbers)
	wg.Wait()

	// No transition or message twice: events are keyed by (ticket, seq), so a
	// duplicate would show as two events of one kind where there must be one.
	dups := []struct{ what, sql string }{
		{"events", `SELECT ticket_number || ' ' || type, count(*) FROM ticket_events
			WHERE ticket_number = ANY($1) AND type IN ('dispatched', 'urged') GROUP BY ticket_number, type`},
		{"notifications", `SELECT ticket_number || ' ' || kind || ' ' || channel, count(*) FROM notifications
			WHERE ticket_number = ANY($1) AND kind IN ('dispatched', 'urged') GROUP BY ticket_number, kind, channel`},
	}
	numbers2 := make([]string, 0, len(tickets))
	for n := range tickets {
		numbers2 = append(numbers2, n)
	}
	odd := map[string]int{} // ticket -> (ticket, kind) pairs seen
	for _, d := range dups {
		rows, err := db.Query(ctx, d.sql, numbers2)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for rows.Next() {
			var (
				key string
				n   int
			)
			if err := rows.Scan(&key, &n); err != nil {
				t.Fatal(err)
			}
			seen++
			number, _, _ := strings.Cut(key, " ")
			odd[number]++
			if n != 1 {
				t.Errorf("%s: %s written %d times, want once", d.what, key, n)
				f.Duplicates += n - 1
				odd[number] += 100
			}
		}
		rows.Close()
		if want := 2 * len(tickets); seen != want {
			t.Errorf("%s: %d (ticket, kind) pairs, want %d (dispatched and urged for each ticket)", d.what, seen, want)
			if d.what == "events" && seen < want {
				f.Lost += want - seen // an action answered 200 whose event is missing
			}
		}
	}
	for n := range tickets {
		if odd[n] != 4 { // two pairs, in events and in notifications
			dumpTrail(ctx, t, db, n)
			dumpHistory(ctx, t, tc, workflows.WorkflowID(tickets[n]))
		}
	}
	return f
}

// dumpTrail logs a ticket's events and messages, to see what went wrong.
func dumpTrail(ctx context.Context, t *testing.T, db *pgxpool.Pool, number string) {
	t.Helper()
	var b strings.Builder
	rows, err := db.Query(ctx, `SELECT seq, type, actor, at, note FROM ticket_events WHERE ticket_number = $1 ORDER BY seq`, number)
	if err == nil {
		for rows.Next() {
			var (
				seq              int
				typ, actor, note string
				at               time.Time
			)
			_ = rows.Scan(&seq, &typ, &actor, &at, &note)
			fmt.Fprintf(&b, "\n  event %d %s by %s at %s %q", seq, typ, actor, at.Format(time.RFC3339Nano), note)
		}
		rows.Close()
	}
	rows, err = db.Query(ctx, `SELECT idempotency_key, kind, channel, created_at FROM notifications WHERE ticket_number = $1 ORDER BY id`, number)
	if err == nil {
		for rows.Next() {
			var (
				key, kind, channel string
				at                 time.Time
			)
			_ = rows.Scan(&key, &kind, &channel, &at)
			fmt.Fprintf(&b, "\n  message %s %s %s at %s", key, kind, channel, at.Format(time.RFC3339Nano))
		}
		rows.Close()
	}
	var status string
	var version int
	var started bool
	_ = db.QueryRow(ctx, `SELECT status, version, workflow_started FROM tickets WHERE number = $1`, number).Scan(&status, &version, &started)
	t.Logf("ticket %s: status %s version %d workflow_started %v%s", number, status, version, started, b.String())
}

// waitFor polls cond every 200 ms until it holds or ctx ends; the error carries
// cond's last explanation.
func waitFor(ctx context.Context, cond func() (bool, string)) error {
	for {
		ok, why := cond()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", why, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// dialTemporal connects to a test's Temporal frontend, quietly.
func dialTemporal(t testing.TB, addr string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// report logs a test's figures in one greppable line.
func report(t *testing.T, f figures) {
	t.Helper()
	t.Logf("FIGURES %s: %s", strings.TrimPrefix(t.Name(), "Test"), f)
}

// dumpHistory logs every run of a workflow with its history's event types.
func dumpHistory(ctx context.Context, t *testing.T, tc client.Client, id string) {
	t.Helper()
	runs, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
	if err != nil {
		t.Logf("%s: list runs: %v", id, err)
		return
	}
	for _, r := range runs.GetExecutions() {
		var b strings.Builder
		it := tc.GetWorkflowHistory(ctx, id, r.GetExecution().GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				fmt.Fprintf(&b, " (%v)", err)
				break
			}
			fmt.Fprintf(&b, "\n    %d %s %s", e.GetEventId(), e.GetEventTime().AsTime().Format("15:04:05.000"), e.GetEventType())
			if m := e.GetMarkerRecordedEventAttributes(); m != nil {
				fmt.Fprintf(&b, " %s", m.GetMarkerName())
			}
			if f := e.GetWorkflowTaskFailedEventAttributes(); f != nil {
				fmt.Fprintf(&b, " cause=%s %.200s", f.GetCause(), f.GetFailure().GetMessage())
			}
			if u := e.GetWorkflowExecutionUpdateAcceptedEventAttributes(); u != nil {
				fmt.Fprintf(&b, " %s", u.GetAcceptedRequest().GetInput().GetName())
			}
		}
		t.Logf("%s run %s (%s, started %s):%s", id, r.GetExecution().GetRunId(), r.GetStatus(),
			r.GetStartTime().AsTime().Format("15:04:05.000"), b.String())
	}
}
