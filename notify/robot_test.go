package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"rectify/internal/robotfake"
	"rectify/internal/testdb"
	"rectify/notify"
	"rectify/store"
)

// robotRow is an outbox row's delivery state.
type robotRow struct {
	attempts  int
	sent      bool
	lastError string
	next      time.Time
}

func robotOutbox(t *testing.T, st *store.Store, key string) robotRow {
	t.Helper()
	var r robotRow
	if err := st.Pool().QueryRow(context.Background(), `SELECT attempts, sent_at IS NOT NULL, last_error, next_attempt_at
		FROM notifications WHERE idempotency_key = $1`, key).Scan(&r.attempts, &r.sent, &r.lastError, &r.next); err != nil {
		t.Fatal(err)
	}
	return r
}

// robotSetup is a database with department D1, its robot, and a sender to the fake.
func robotSetup(t *testing.T, rb store.Robot) (*store.Store, *notify.RobotSender) {
	t.Helper()
	st := testdb.New(t)
	ctx := context.Background()
	if _, err := st.Pool().Exec(ctx, `INSERT INTO departments (code, name) VALUES ('D1', '南京市市场监督管理局')`); err != nil {
		t.Fatal(err)
	}
	rb.DepartmentCode, rb.UpdatedBy = "D1", "admin"
	if err := st.SetRobot(ctx, rb); err != nil {
		t.Fatal(err)
	}
	return st, notify.NewRobotSender(st, 5*time.Second)
}

// wecomSetup is robotSetup with a 企业微信 robot of the key on a fake, closed
// after the test.
func wecomSetup(t *testing.T, key string) (*robotfake.Server, *store.Store, *notify.RobotSender) {
	t.Helper()
	fake := robotfake.New(key, "", "")
	t.Cleanup(fake.Close)
	st, rs := robotSetup(t, store.Robot{Kind: "wecom", WebhookURL: fake.WeComURL()})
	return fake, st, rs
}

func queueRobot(t *testing.T, st *store.Store, key, md string) {
	t.Helper()
	if _, err := st.Pool().Exec(context.Background(), `INSERT INTO notifications (idempotency_key, ticket_number, kind, channel, recipient, body)
		VALUES ($1, 'GD1', 'urged', 'robot', 'D1', $2)`, key, md); err != nil {
		t.Fatal(err)
	}
}

// due makes every waiting message due now, as if its backoff had passed.
func due(t *testing.T, st *store.Store) {
	t.Helper()
	if _, err := st.Pool().Exec(context.Background(), `UPDATE notifications SET next_attempt_at = now() WHERE sent_at IS NULL`); err != nil {
		t.Fatal(err)
	}
}

const md = "### 【督办催办】工单 GD1\n> 责任单位：南京市市场监督管理局\n\n督办人员催办此工单，请尽快处理。\n\n[查看工单](https://rectify.example.gov.cn/tickets/GD1)"

// 企业微信: an errcode answer and a 5xx are failures, retried with backoff and
// recorded without the webhook's key; the third attempt is accepted once.
func TestRobotWeComRetriesErrcodeAnd5xx(t *testing.T) {
	fake, st, rs := wecomSetup(t, "wecom-key-123456")
	ctx := context.Background()
	queueRobot(t, st, "GD1:4:urged:1", md)

	fake.FailNext("93000", "500")
	for i, want := range []string{"errcode 93000", "answered 500"} {
		if n, err := st.DeliverDue(ctx, 10, rs.Send); n != 0 || err != nil {
			t.Fatalf("attempt %d: DeliverDue = %d, %v", i+1, n, err)
		}
		r := robotOutbox(t, st, "GD1:4:urged:1")
		if r.sent || r.attempts != i+1 || !strings.Contains(r.lastError, want) || !r.next.After(time.Now()) {
			t.Fatalf("attempt %d: %+v, want unsent, %d attempts, error with %q, retry later", i+1, r, i+1, want)
		}
		if strings.Contains(r.lastError, "wecom-key") {
			t.Errorf("the stored error shows the webhook's key: %q", r.lastError)
		}
		due(t, st)
	}
	if n, err := st.DeliverDue(ctx, 10, rs.Send); n != 1 || err != nil {
		t.Fatalf("third attempt: DeliverDue = %d, %v", n, err)
	}
	if n, _ := st.DeliverDue(ctx, 10, rs.Send); n != 0 {
		t.Errorf("a sent message went out again")
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].Kind != "wecom" || got[0].Text != md {
		t.Fatalf("the robot got %+v, want the markdown once", got)
	}
	if fake.Requests() != 3 {
		t.Errorf("%d requests, want 3", fake.Requests())
	}
}

// 钉钉: the address is signed with timestamp and sign, which the fake checks;
// a wrong secret is refused (errcode 310000) and retried, never accepted.
func TestRobotDingTalkSigned(t *testing.T) {
	fake := robotfake.New("", "ding-token", "SECabc+/=secret")
	defer fake.Close()
	st, rs := robotSetup(t, store.Robot{Kind: "dingtalk", WebhookURL: fake.DingTalkURL(), Secret: "SECabc+/=secret"})
	ctx := context.Background()
	queueRobot(t, st, "GD1:4:urged:1", md)
	if n, err := st.DeliverDue(ctx, 10, rs.Send); n != 1 || err != nil {
		t.Fatalf("DeliverDue = %d, %v; %+v", n, err, robotOutbox(t, st, "GD1:4:urged:1"))
	}
	got := fake.Messages()
	if len(got) != 1 || got[0].Title != "【督办催办】工单 GD1" || got[0].Text != md {
		t.Fatalf("the robot got %+v", got)
	}

	// The same robot with a wrong secret: refused by the fake's verification.
	if err := st.SetRobot(ctx, store.Robot{DepartmentCode: "D1", Kind: "dingtalk", WebhookURL: fake.DingTalkURL(), Secret: "SECwrong"}); err != nil {
		t.Fatal(err)
	}
	queueRobot(t, st, "GD1:5:urged:1", md)
	if n, _ := st.DeliverDue(ctx, 10, rs.Send); n != 0 {
		t.Fatalf("a badly signed message was accepted")
	}
	r := robotOutbox(t, st, "GD1:5:urged:1")
	if r.sent || r.attempts != 1 || !strings.Contains(r.lastError, "errcode 310000") || strings.Contains(r.lastError, "SECwrong") {
		t.Fatalf("wrong sign: %+v", r)
	}
	if len(fake.Messages()) != 1 {
		t.Errorf("the fake accepted a bad sign")
	}
}

// The sign is the platform's documented scheme: base64(HMAC-SHA256(secret,
// timestamp+"\n"+secret)), URL-encoded into the address.
func TestDingTalkSignKnownValue(t *testing.T) {
	// Computed independently: printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
	if got, want := notify.DingTalkSign("SECtest", "1700000000000"), "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="; got != want {
		t.Errorf("DingTalkSign = %s, want %s", got, want)
	}
	target, _, err := notify.RobotRequest(store.Robot{Kind: "dingtalk", WebhookURL: "https://oapi.dingtalk.com/robot/send?access_token=T", Secret: "SECtest"},
		md, time.UnixMilli(1700000000000))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(target, "timestamp=1700000000000") || !strings.Contains(target, "sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D") ||
		!strings.Contains(target, "access_token=T") {
		t.Errorf("signed address %s", target)
	}
}

// The rate limit: at most PerWindow sends in any window per robot; the excess
// waits (no attempt counted, no error) and goes out when a slot frees, none lost.
func TestRobotRateLimitWaits(t *testing.T) {
	fake, st, rs := wecomSetup(t, "k")
	rs.PerWindow, rs.Window = 3, 2*time.Second
	ctx := context.Background()
	for i := range 7 {
		queueRobot(t, st, fmt.Sprintf("GD1:%d:urged:1", i), fmt.Sprintf("### 【督办催办】工单 GD1 #%d", i))
	}
	start := time.Now()
	n, err := st.DeliverDue(ctx, 100, rs.Send)
	if n != 3 || err != nil {
		t.Fatalf("first pass: DeliverDue = %d, %v; want 3 sent", n, err)
	}
	var waiting int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM notifications WHERE sent_at IS NULL AND attempts = 0
		AND next_attempt_at > now() AND last_error LIKE '%rate limit%'`).Scan(&waiting); err != nil {
		t.Fatal(err)
	}
	if waiting != 4 {
		t.Fatalf("%d messages wait for the rate limit without an attempt counted, want 4", waiting)
	}
	for sent := n; sent < 7; {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("only %d of 7 sent in 20s", sent)
		}
		time.Sleep(100 * time.Millisecond)
		n, err := st.DeliverDue(ctx, 100, rs.Send)
		if err != nil {
			t.Fatal(err)
		}
		sent += n
	}
	got := fake.Messages()
	if len(got) != 7 {
		t.Fatalf("the robot got %d messages, want 7", len(got))
	}
	// No window of 2 s holds more than 3 sends.
	for i := 3; i < len(got); i++ {
		if d := got[i].At.Sub(got[i-3].At); d < 2*time.Second-50*time.Millisecond {
			t.Errorf("sends %d and %d are %s apart: 4 in one window", i-3, i, d)
		}
	}
	if el := time.Since(start); el < 4*time.Second {
		t.Errorf("7 sends at 3 per 2s took %s, want at least 4s", el)
	}
}

// A robot removed after its message was written: the message is closed as not
// sent, with the reason, and never retried.
func TestRobotRemovedSkips(t *testing.T) {
	fake, st, rs := wecomSetup(t, "k")
	ctx := context.Background()
	queueRobot(t, st, "GD1:4:urged:1", md)
	if err := st.DeleteRobot(ctx, "D1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DeliverDue(ctx, 10, rs.Send); err != nil {
		t.Fatal(err)
	}
	r := robotOutbox(t, st, "GD1:4:urged:1")
	if !r.sent || !strings.Contains(r.lastError, "no group robot") || fake.Requests() != 0 {
		t.Fatalf("removed robot: %+v, %d requests", r, fake.Requests())
	}
}

// The renderer adds a robot copy, last, for the kinds a department must act on,
// only when it has a robot; it names the ticket and links to it.
func TestRenderRobotCopy(t *testing.T) {
	r := notify.Renderer{BaseURL: "https://rectify.example.gov.cn", Zone: time.UTC}
	due := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	tc := store.TicketContext{Number: "GD20261203000001", DepartmentCode: "D1", DepartmentName: "南京市市场监督管理局",
		CitizenPhone: "13812341234", Comment: "态度差", Round: 1, DueAt: &due}
	for _, kind := range []string{"dispatched", "reminder", "urged", "overdue", "escalated", "returned", "survey"} {
		without := r.Render(kind, "K", tc, "")
		tc.Robot = true
		with := r.Render(kind, "K", tc, "")
		tc.Robot = false
		wantRobot := kind != "returned" && kind != "survey"
		if !wantRobot {
			if len(with) != len(without) {
				t.Errorf("%s: a robot copy for a kind robots do not get", kind)
			}
			continue
		}
		if len(with) != len(without)+1 {
			t.Fatalf("%s: %d messages with a robot, %d without", kind, len(with), len(without))
		}
		for i := range without {
			if with[i].IdempotencyKey != without[i].IdempotencyKey {
				t.Errorf("%s: the robot copy moved message %d's key", kind, i)
			}
		}
		rb := with[len(with)-1]
		if rb.Channel != "robot" || rb.Recipient != "D1" || !strings.HasPrefix(rb.Body, "### 【") ||
			!strings.Contains(rb.Body, "(https://rectify.example.gov.cn/tickets/GD20261203000001)") ||
			strings.Contains(rb.Body, "13812341234") || strings.Contains(rb.Body, "态度差") {
			t.Errorf("%s: robot copy %+v", kind, rb)
		}
	}
	// Level 2 (通报) reaches the department itself too.
	var toDept bool
	for _, n := range r.Render("escalated", "K", tc, "") {
		toDept = toDept || (n.Channel == "department" && n.Recipient == "D1")
	}
	if !toDept {
		t.Errorf("escalated: no notice to the department")
	}
}
