package ecosystem

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"rectify/config"
	"rectify/internal/testenv"
	"rectify/notify"
)

// fakeGateway is an SMS gateway: it checks signatures, answers 503 while down,
// and keeps each message once per id.
type fakeGateway struct {
	*fakeEndpoint
	sms  map[string]notify.SMS
	keys map[string]string // id -> Idempotency-Key header
}

func newFakeGateway(t *testing.T, down int) *fakeGateway {
	g := &fakeGateway{sms: map[string]notify.SMS{}, keys: map[string]string{}}
	g.fakeEndpoint = newFakeEndpoint(t, down, "SMS", func(w http.ResponseWriter, r *http.Request, body []byte) {
		var m notify.SMS
		if err := json.Unmarshal(body, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		g.sms[m.ID], g.keys[m.ID] = m, r.Header.Get("Idempotency-Key")
		w.WriteHeader(http.StatusAccepted)
	})
	return g
}

func (g *fakeGateway) byTemplate(tpl string) (notify.SMS, string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, m := range g.sms {
		if m.Template == tpl {
			return m, g.keys[id], true
		}
	}
	return notify.SMS{}, "", false
}

// The survey SMS goes through the HTTP gateway with its template and link, is
// retried by the outbox while the gateway is down, and the gateway's signed
// delivery receipt is recorded on it.
func TestSMSGatewayDeliversAndRecordsReceipts(t *testing.T) {
	t.Parallel()
	gw := newFakeGateway(t, 1)
	sys := testenv.NewSystem(t, ts, func(c *config.Config) {
		c.SMS.Mode, c.SMS.URL, c.SMS.Secret = "http", gw.URL, secret
	})
	c := client{t, sys.URL}
	tm := c.setup()
	number := c.negative(tm.channel, "SMS-"+t.Name(), deptA, true)
	c.must(200, "POST", "/api/v1/tickets/"+number+"/sign", tm.deptA, map[string]any{})
	c.must(200, "POST", "/api/v1/tickets/"+number+"/resolve", tm.deptA, map[string]any{"report": "已增设两个窗口"})

	var sms notify.SMS
	var key string
	eventually(t, 20*time.Second, "the survey SMS never reached the gateway", func() bool {
		var ok bool
		sms, key, ok = gw.byTemplate("survey")
		return ok
	})
	if sms.To != "13812345678" || sms.TicketNumber != number || key != sms.ID ||
		!contains(sms.Text, "【政务服务好差评】", number, sys.URL+"/s/") || contains(sms.Text, "已增设两个窗口") {
		t.Errorf("survey SMS %+v (Idempotency-Key %q)", sms, key)
	}
	if gw.attempts < 2 {
		t.Errorf("%d gateway attempts, want the refused one and its retry", gw.attempts)
	}

	hook := "/api/v1/webhooks/sms-receipts"
	at := time.Now().Add(-time.Second).Truncate(time.Second)
	body := map[string]any{"receipts": []map[string]any{
		{"id": sms.ID, "status": "delivered", "at": at.Format(time.RFC3339), "message_id": "GW-1"},
		{"id": "no-such-message", "status": "failed"},
	}}
	r := c.signed(hook, secret, body)
	var out struct {
		Recorded int      `json:"recorded"`
		Unknown  []string `json:"unknown"`
	}
	if r.Status != 200 {
		t.Fatalf("receipts: %d %s", r.Status, r.Raw)
	}
	r.Decode(t, &out)
	if out.Recorded != 1 || len(out.Unknown) != 1 || out.Unknown[0] != "no-such-message" {
		t.Errorf("receipts answered %+v", out)
	}
	// An older receipt arriving late does not overwrite the newer one.
	c.signed(hook, secret, map[string]any{"receipts": []map[string]any{
		{"id": sms.ID, "status": "failed", "at": at.Add(-time.Minute).Format(time.RFC3339)}}})
	d, err := sys.Store.DeliveryOf(context.Background(), sms.ID)
	if err != nil || d.Status != "delivered" || d.SentAt == nil || d.At == nil || !d.At.Equal(at) {
		t.Errorf("delivery of the survey SMS: %+v, %v; want sent and delivered at %v", d, err, at)
	}
	if r := c.signed(hook, "not-the-secret-0000000", body); r.Status != 401 {
		t.Errorf("forged receipts: %d, want 401", r.Status)
	}
	if r := c.signed(hook, secret, map[string]any{"receipts": []map[string]any{{"id": sms.ID, "status": "read"}}}); r.Status != 422 {
		t.Errorf("receipt with an unknown status: %d %s, want 422", r.Status, r.Raw)
	}
}
