package ecosystem

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"rectify/config"
	"rectify/hotline"
	"rectify/internal/testenv"
)

// fakePlatform is a 12345 work-order platform: it checks each push's signature,
// dedupes on the idempotency key and, while down, answers 503.
type fakePlatform struct {
	*fakeEndpoint
	orders map[string]hotline.WorkOrder // by idempotency key
	keys   []string                     // in arrival order, first arrivals only
}

func newFakePlatform(t *testing.T, down int) *fakePlatform {
	p := &fakePlatform{orders: map[string]hotline.WorkOrder{}}
	p.fakeEndpoint = newFakeEndpoint(t, down, "push", func(w http.ResponseWriter, r *http.Request, body []byte) {
		key := r.Header.Get("Idempotency-Key")
		var o hotline.WorkOrder
		if err := json.Unmarshal(body, &o); err != nil || key == "" {
			t.Errorf("push %q: %v %s", key, err, body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if _, seen := p.orders[key]; !seen {
			p.keys = append(p.keys, key)
		}
		p.orders[key] = o
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"order_id":"WO-` + key + `"}`))
	})
	return p
}

func (p *fakePlatform) pushes() []hotline.WorkOrder {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []hotline.WorkOrder
	for _, k := range p.keys {
		out = append(out, p.orders[k])
	}
	return out
}

func external(p *fakePlatform) func(*config.Config) {
	return func(c *config.Config) {
		c.Ticketing.Mode, c.Ticketing.ExternalURL, c.Ticketing.WebhookSecret = "external", p.URL, secret
	}
}

// externalSystem starts a system in external mode on a fake platform that is
// down for its first down pushes, with the usual team.
func externalSystem(t *testing.T, down int) (*fakePlatform, client, team) {
	t.Helper()
	platform := newFakePlatform(t, down)
	c := client{t, testenv.NewSystem(t, ts, external(platform)).URL}
	return platform, c, c.setup()
}

// In external mode a dispatched ticket is pushed to the platform, through its
// outage; the platform's signed webhook events become the same ticket actions as
// the workbench's; a retried event is applied once; a forged one is refused.
func TestExternalPlatformRoundTrip(t *testing.T) {
	t.Parallel()
	platform, c, tm := externalSystem(t, 2)

	number := c.negative(tm.channel, "EXT-"+t.Name(), deptA, true)
	eventually(t, 20*time.Second, "the work order was never pushed", func() bool { return len(platform.pushes()) == 1 })
	o := platform.pushes()[0]
	if o.Event != "dispatched" || o.Number != number || o.DepartmentCode != deptA || o.DepartmentName != "市场监督管理局" ||
		o.Round != 1 || o.DueAt == nil || o.Level != "very_dissatisfied" || o.CitizenName != "王小明" {
		t.Errorf("pushed work order %+v", o)
	}
	if raw, _ := json.Marshal(o); contains(string(raw), "13812345678") {
		t.Errorf("the push carries the citizen's phone: %s", raw)
	}
	if platform.attempts < 3 {
		t.Errorf("%d push attempts, want the two refused during the outage and the one accepted", platform.attempts)
	}

	hook := "/api/v1/webhooks/12345"
	ev := func(id, typ string, extra map[string]any) map[string]any {
		m := map[string]any{"event_id": id, "ticket_number": number, "type": typ, "operator": "张三"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	var out struct {
		Status       string `json:"status"`
		TicketStatus string `json:"ticket_status"`
	}
	r := c.signed(hook, secret, ev("E1", "sign", nil))
	if r.Status != 200 {
		t.Fatalf("sign event: %d %s", r.Status, r.Raw)
	}
	r.Decode(t, &out)
	if out.Status != "applied" || out.TicketStatus != "rectifying" {
		t.Errorf("sign event answered %+v, want applied and rectifying", out)
	}
	if r := c.signed(hook, secret, ev("E1", "sign", nil)); r.Status != 200 || !contains(string(r.Raw), `"duplicate"`) {
		t.Errorf("the same event again: %d %s, want 200 duplicate", r.Status, r.Raw)
	}
	if r := c.signed(hook, "not-the-secret-0000000", ev("E9", "resolve", map[string]any{"report": "x"})); r.Status != 401 {
		t.Errorf("forged event: %d %s, want 401", r.Status, r.Raw)
	}
	if r := c.signed(hook, secret, ev("E2", "extension", map[string]any{"working_days": 3, "reason": "需要采购设备"})); r.Status != 200 {
		t.Errorf("extension event: %d %s", r.Status, r.Raw)
	}
	if tk := c.ticket(tm.supervisor, number); tk.PendingRequest == nil || tk.PendingRequest.Type != "extension" {
		t.Errorf("after the extension event the ticket has no pending extension: %+v", tk)
	}
	if r := c.signed(hook, secret, ev("E3", "resolve", map[string]any{"report": "已增设窗口"})); r.Status != 200 {
		t.Errorf("resolve event: %d %s", r.Status, r.Raw)
	}
	// The ticket is following up: the platform's return comes too late.
	if r := c.signed(hook, secret, ev("E4", "return", map[string]any{"reason": "不属于本单位"})); r.Status != 409 ||
		!contains(string(r.Raw), "invalid_transition") {
		t.Errorf("return after resolve: %d %s, want 409 invalid_transition", r.Status, r.Raw)
	}
	if r := c.signed(hook, secret, map[string]any{"event_id": "E5", "ticket_number": number, "type": "sign", "surprise": 1}); r.Status != 400 {
		t.Errorf("event with an unknown field: %d %s, want 400", r.Status, r.Raw)
	}
	tk := c.ticket(tm.supervisor, number)
	var got []string
	for _, e := range tk.Events {
		got = append(got, e.Type+" by "+e.Actor)
	}
	want := []string{"dispatched by system", "signed by 12345:张三", "extension_requested by 12345:张三", "resolved by 12345:张三"}
	if tk.Status != "following_up" || len(got) != len(want) || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Errorf("ticket %s with events %v, want following_up with %v", tk.Status, got, want)
	}
}

// A ticket returned on the platform goes back to dispatch; the re-dispatch made in
// rectify is pushed again, as a new order for the new department.
func TestExternalPlatformRedispatchIsPushedAgain(t *testing.T) {
	t.Parallel()
	platform, c, tm := externalSystem(t, 0)
	number := c.negative(tm.channel, "EXT-"+t.Name(), deptA, false)
	eventually(t, 10*time.Second, "first push", func() bool { return len(platform.pushes()) == 1 })
	if r := c.signed("/api/v1/webhooks/12345", secret, map[string]any{"event_id": "R1", "ticket_number": number,
		"type": "return", "reason": "不属于本单位职责"}); r.Status != 200 {
		t.Fatalf("return event: %d %s", r.Status, r.Raw)
	}
	if r := c.signed("/api/v1/webhooks/12345", secret, map[string]any{"event_id": "R2", "ticket_number": number,
		"type": "sign", "department_code": deptA}); r.Status != 409 {
		t.Errorf("sign naming the department that returned it: %d %s, want 409", r.Status, r.Raw)
	}
	c.must(200, "POST", "/api/v1/tickets/"+number+"/dispatch", tm.supervisor, map[string]any{"department_code": deptB})
	eventually(t, 10*time.Second, "the re-dispatch was never pushed", func() bool { return len(platform.pushes()) == 2 })
	if o := platform.pushes()[1]; o.DepartmentCode != deptB || o.Number != number {
		t.Errorf("second push %+v, want the same ticket for %s", o, deptB)
	}
}

// In builtin mode the webhook does not exist and nothing is pushed.
func TestBuiltinHasNoPlatformWebhook(t *testing.T) {
	t.Parallel()
	sys := testenv.NewSystem(t, ts)
	c := client{t, sys.URL}
	if r := c.signed("/api/v1/webhooks/12345", secret, map[string]any{"event_id": "X", "ticket_number": "T", "type": "sign"}); r.Status != 404 {
		t.Errorf("webhook in builtin mode: %d %s, want 404", r.Status, r.Raw)
	}
}
