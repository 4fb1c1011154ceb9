package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"rectify/internal/testenv"
)

type noticeOut struct {
	ID           int64   `json:"id"`
	TicketNumber string  `json:"ticket_number"`
	Kind         string  `json:"kind"`
	Channel      string  `json:"channel"`
	Body         string  `json:"body"`
	Recipient    *string `json:"recipient"`
	ReadAt       *string `json:"read_at"`
}

type noticesOut struct {
	Notifications []noticeOut `json:"notifications"`
	UnreadCount   int         `json:"unread_count"`
	NextCursor    *string     `json:"next_cursor"`
}

func (s *site) notices(user, query string) noticesOut {
	s.t.Helper()
	var out noticesOut
	s.decode(s.api(s.tokens[user], "GET", "/api/v1/notifications"+query, nil, 200), &out)
	return out
}

// waitNotice waits until user's notices hold one of kind about ticket.
func (s *site) waitNotice(user, ticket, kind string) noticeOut {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, n := range s.notices(user, "?ticket_number="+ticket).Notifications {
			if n.Kind == kind {
				return n
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s never got a %s notice about %s: %+v", user, kind, ticket, s.notices(user, ""))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Issue 17 item 1: GET /api/v1/notifications serves each role its own notices;
// a department only its department's, about the tickets assigned to it, never a
// citizen's SMS; read marks are per user.
func TestNoticesPerRole(t *testing.T) {
	s := newSite(t)
	tk := s.rate(deptA, "窗口态度差", "attitude")
	s.waitNotice("scjg", tk, "dispatched")
	s.api(s.tokens["sup"], "POST", "/api/v1/tickets/"+tk+"/urge", map[string]any{"note": "请今天内签收"}, 200)
	urge := s.waitNotice("scjg", tk, "urged")
	if urge.Channel != "department" || !strings.Contains(urge.Body, "催办") || urge.ReadAt != nil || urge.Recipient != nil {
		t.Errorf("the department's urge notice: %+v", urge)
	}
	a := s.notices("scjg", "")
	if a.UnreadCount != 2 || len(a.Notifications) != 2 {
		t.Fatalf("scjg: %d unread of %d, want 2 of 2: %+v", a.UnreadCount, len(a.Notifications), a)
	}
	for _, n := range a.Notifications {
		if n.Channel != "department" || strings.Contains(n.Body, phone) {
			t.Errorf("a department reads %+v", n)
		}
	}
	if b := s.notices("gaj", ""); len(b.Notifications) != 0 || b.UnreadCount != 0 {
		t.Errorf("another department reads %+v", b)
	}
	if cc := s.notices("cc", ""); len(cc.Notifications) != 0 {
		t.Errorf("the call center reads %+v", cc)
	}

	// Marking is per user: scjg's mark leaves a second clerk's count alone.
	s.api(testenv.AdminToken, "POST", "/api/v1/users", map[string]any{"username": "scjg2", "password": password,
		"role": "department", "department_code": deptA}, 201)
	var tok struct{ Token string }
	s.decode(s.api(testenv.AdminToken, "POST", "/api/v1/users/scjg2/tokens", nil, 201), &tok)
	s.tokens["scjg2"] = tok.Token
	s.api(s.tokens["scjg"], "POST", fmt.Sprintf("/api/v1/notifications/%d/read", urge.ID), nil, 204)
	s.api(s.tokens["scjg"], "POST", fmt.Sprintf("/api/v1/notifications/%d/read", urge.ID), nil, 204) // twice: still fine
	if got := s.notices("scjg", ""); got.UnreadCount != 1 {
		t.Errorf("scjg after marking one: %d unread, want 1", got.UnreadCount)
	}
	if got := s.notices("scjg", "?unread=true"); len(got.Notifications) != 1 || got.Notifications[0].Kind != "dispatched" {
		t.Errorf("scjg's unread list: %+v", got.Notifications)
	}
	if got := s.notices("scjg2", ""); got.UnreadCount != 2 {
		t.Errorf("a second clerk: %d unread, want 2 (marks are per user)", got.UnreadCount)
	}
	// Another department's notice does not exist for gaj; neither do supervisors'.
	s.api(s.tokens["gaj"], "POST", fmt.Sprintf("/api/v1/notifications/%d/read", urge.ID), nil, 404)
	s.api(s.tokens["sup"], "POST", fmt.Sprintf("/api/v1/notifications/%d/read", urge.ID), nil, 404)
	var all struct{ Marked int }
	s.decode(s.api(s.tokens["scjg2"], "POST", "/api/v1/notifications/read-all", nil, 200), &all)
	if all.Marked != 2 || s.notices("scjg2", "").UnreadCount != 0 {
		t.Errorf("read-all marked %d, want 2", all.Marked)
	}
	s.api(s.tokens["scjg"], "GET", "/api/v1/notifications?unread=maybe", nil, 400)

	// The page in English: its words come from the catalogue too.
	en := s.signedIn("scjg")
	en.get("/lang/en?next=/notices")
	if p := en.get("/notices"); p.Status != 200 || !strings.Contains(p.Body, "Notices") || !strings.Contains(p.Body, "Urged") ||
		!strings.Contains(p.Body, "Mark read") || !strings.Contains(p.Body, `id="unread-count">1<`) {
		t.Errorf("the English notice page (%d) lacks its words or scjg's count of 1:\n%.2000s", p.Status, p.Body)
	}

	// Returned and dispatched to gaj: its notices go with it, out of scjg's sight.
	s.api(s.tokens["scjg"], "POST", "/api/v1/tickets/"+tk+"/return", map[string]any{"reason": "不属于本单位职责"}, 200)
	s.waitNotice("sup", tk, "returned")
	s.api(s.tokens["sup"], "POST", "/api/v1/tickets/"+tk+"/dispatch", map[string]any{"department_code": deptB}, 200)
	s.waitNotice("gaj", tk, "dispatched")
	if got := s.notices("scjg", ""); len(got.Notifications) != 0 || got.UnreadCount != 0 {
		t.Errorf("scjg still reads notices of a ticket it returned: %+v", got)
	}
	for _, n := range s.notices("gaj", "").Notifications {
		if n.Kind == "urged" {
			t.Errorf("gaj reads scjg's urge: %+v", n)
		}
	}
	// Admins keep the operators' view of the whole outbox, SMS phones masked.
	var ops struct {
		Notifications []struct{ Channel, Recipient string }
	}
	s.decode(s.api(testenv.AdminToken, "GET", "/api/v1/notifications?ticket_number="+tk, nil, 200), &ops)
	if len(ops.Notifications) < 4 {
		t.Errorf("the admins' outbox listing has %d messages", len(ops.Notifications))
	}
}

// The robot API: validation in the contract's shape, credentials never read
// back (masked), an empty address or secret keeps the stored one, every change
// audited without the credentials.
func TestRobotAPI(t *testing.T) {
	s := newSite(t)
	admin := testenv.AdminToken
	const key = "0123456789abcdef-KEY9"
	path := "/api/v1/departments/" + deptB + "/robot"
	for _, bad := range []map[string]any{
		{"kind": "slack", "webhook_url": "https://hooks.example.com/x"},
		{"kind": "wecom"}, // no address yet
		{"kind": "wecom", "webhook_url": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key}, // not https
		{"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key, "secret": "SECx"},
	} {
		var e struct {
			Error struct {
				Code   string
				Fields []struct{ Field string }
			}
		}
		s.decode(s.api(admin, "PUT", path, bad, 422), &e)
		if e.Error.Code != "invalid_robot" || len(e.Error.Fields) != 1 {
			t.Errorf("%v: %+v", bad, e)
		}
	}
	s.api(admin, "PUT", "/api/v1/departments/NO-SUCH/robot", map[string]any{"kind": "wecom",
		"webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key}, 404)
	s.api(s.tokens["sup"], "PUT", path, map[string]any{"kind": "wecom"}, 403)

	type view struct {
		Kind       string `json:"kind"`
		WebhookURL string `json:"webhook_url"`
		SecretSet  bool   `json:"secret_set"`
	}
	var v view
	b := s.api(admin, "PUT", path, map[string]any{"kind": "dingtalk",
		"webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=" + key, "secret": "SECsecret-value"}, 200)
	s.decode(b, &v)
	if v.WebhookURL != "https://oapi.dingtalk.com/robot/send?access_token=****KEY9" || !v.SecretSet || strings.Contains(string(b), "SECsecret") {
		t.Errorf("PUT answered %s", b)
	}
	// Only the address changes: the secret stays.
	s.api(admin, "PUT", path, map[string]any{"kind": "dingtalk", "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=other-token-0000"}, 200)
	rb, err := s.sys.Store.GetRobot(context.Background(), deptB)
	if err != nil || rb.Secret != "SECsecret-value" || !strings.HasSuffix(rb.WebhookURL, "other-token-0000") {
		t.Errorf("after changing the address: %+v, %v", rb, err)
	}
	// Switching to 企业微信 drops the 钉钉 secret.
	s.api(admin, "PUT", path, map[string]any{"kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + key}, 200)
	s.decode(s.api(admin, "GET", path, nil, 200), &v)
	if v.Kind != "wecom" || v.SecretSet || strings.Contains(v.WebhookURL, key) {
		t.Errorf("GET after switching: %+v", v)
	}
	s.api(admin, "DELETE", path, nil, 204)
	s.api(admin, "GET", path, nil, 404)
	s.api(admin, "DELETE", path, nil, 404)
	audit := string(s.api(admin, "GET", "/api/v1/audit?limit=50", nil, 200))
	for _, want := range []string{"robot.create", "robot.update", "robot.delete", "department:" + deptB} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log has no %q", want)
		}
	}
	if strings.Contains(audit, key) || strings.Contains(audit, "SECsecret") || strings.Contains(audit, "other-token") {
		t.Errorf("the audit log shows a robot's credentials: %.600s", audit)
	}
}
