package notify_test

import (
	"context"
	"strings"
	"testing"

	"rectify/internal/testdb"
	"rectify/notify"
	"rectify/store"
)

// The survey link is the citizen's credential: the outbox never lists it, and
// once the SMS is handed to the gateway the stored body no longer holds it
// (issue 15 item 3). The phone got the link.
func TestSurveyLinkKeptOnlyUntilHandedOver(t *testing.T) {
	st := testdb.New(t)
	ctx := context.Background()
	token := strings.Repeat("Ab1_-", 8) + "xyz" // 43 characters, as issued
	link := "https://rectify.example.gov.cn/s/" + token
	body := "【政务服务好差评】您反映的问题（工单GD1）已整改完毕，请评价整改结果：" + link
	if _, err := st.Pool().Exec(ctx, `INSERT INTO notifications (idempotency_key, ticket_number, kind, channel, recipient, body)
		VALUES ('GD1:3:survey:0', 'GD1', 'survey', 'sms', '13812341234', $1)`, body); err != nil {
		t.Fatal(err)
	}
	noLink := func(where string, ns []store.Notification) {
		t.Helper()
		if len(ns) != 1 {
			t.Fatalf("%s: %d messages, want 1", where, len(ns))
		}
		if strings.Contains(ns[0].Body, token) || !strings.Contains(ns[0].Body, store.RedactedSurveyLink) {
			t.Errorf("%s: body %q still holds the token (or lost its place)", where, ns[0].Body)
		}
	}
	ns, err := st.ListNotifications(ctx, "GD1", 10)
	if err != nil {
		t.Fatal(err)
	}
	noLink("listing before hand-off", ns)

	inbox := &notify.Inbox{}
	if n, err := st.DeliverDue(ctx, 10, inbox.Send); err != nil || n != 1 {
		t.Fatalf("DeliverDue = %d, %v", n, err)
	}
	if got := inbox.Messages("GD1"); len(got) != 1 || got[0].Body != body {
		t.Fatalf("the gateway got %+v, want the body with its link", got)
	}
	var stored string
	if err := st.Pool().QueryRow(ctx, `SELECT body FROM notifications WHERE ticket_number = 'GD1'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, token) {
		t.Errorf("stored body after hand-off still holds the token: %q", stored)
	}
	ns, err = st.ListNotifications(ctx, "GD1", 10)
	if err != nil {
		t.Fatal(err)
	}
	noLink("listing after hand-off", ns)
}
