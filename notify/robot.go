package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rectify/domain"
	"rectify/store"
)

// Group robots (企业微信 group robot, 钉钉 custom robot): a department may have
// one, set by an admin; it gets a markdown copy of the notices the department
// must act on. The copies are outbox rows of channel "robot" (recipient: the
// department code), written with the notice in the transition's transaction,
// so they share its idempotency key scheme, retries and lease.

// robotKinds are the notices that go to a department's robot.
var robotKinds = map[string]string{
	"dispatched": "新工单",
	"reminder":   "即将到期",
	"urged":      "督办催办",
	"overdue":    "已超期",
	"escalated":  "二级通报",
}

// robotMarkdown is the robot's copy of a notice, or "" for kinds robots do not
// get. It names the ticket, never the citizen: a group chat is outside rectify.
// The first line is the title (钉钉 shows it in the chat list).
func (r Renderer) robotMarkdown(kind string, tc store.TicketContext, dept, due string) string {
	what, ok := robotKinds[kind]
	if !ok {
		return ""
	}
	line := map[string]string{
		"dispatched": fmt.Sprintf("新工单已派发至本单位，请于 %s 前签收。", due),
		"reminder":   fmt.Sprintf("工单将于 %s 到期，请及时办理。", due),
		"urged":      "督办人员催办此工单，请尽快处理。",
		"overdue":    "工单已超过办理期限，已上报督办。",
		"escalated":  "工单超期仍未办理，已二级通报，请立即办理。",
	}[kind]
	var b strings.Builder
	fmt.Fprintf(&b, "### 【%s】工单 %s\n", what, tc.Number)
	fmt.Fprintf(&b, "> 责任单位：%s\n>\n> 轮次：第 %d 轮\n>\n> 办理期限：%s\n\n", dept, tc.Round, due)
	b.WriteString(line + "\n\n")
	fmt.Fprintf(&b, "[查看工单](%s/tickets/%s)", strings.TrimRight(r.BaseURL, "/"), tc.Number)
	return b.String()
}

// RobotTitle is a robot message's first line without its markdown heading.
func RobotTitle(md string) string {
	first, _, _ := strings.Cut(md, "\n")
	return strings.TrimSpace(strings.TrimLeft(first, "#"))
}

// RobotStore is what RobotSender reads: the robot's address and secret, and its
// rate limit.
type RobotStore interface {
	GetRobot(ctx context.Context, department string) (store.Robot, error)
	ReserveRobotSend(ctx context.Context, department string, perWindow int, window time.Duration) (bool, time.Time, error)
}

// Robot rate limit: the platforms allow about 20 messages a minute per robot
// (企业微信 answers errcode 45009 beyond it, 钉钉 130101 and a 10-minute block).
const (
	RobotPerMinute = 20
	robotWindow    = time.Minute
)

// RobotSender posts outbox rows of channel "robot" to the department's robot.
type RobotSender struct {
	Robots    RobotStore
	HTTP      *http.Client
	PerWindow int              // sends per Window and robot; 0: RobotPerMinute
	Window    time.Duration    // 0: one minute
	Now       func() time.Time // nil: time.Now
}

// NewRobotSender returns a sender with timeout per attempt.
func NewRobotSender(robots RobotStore, timeout time.Duration) *RobotSender {
	return &RobotSender{Robots: robots, HTTP: &http.Client{Timeout: timeout}}
}

// robotAnswer is both platforms' reply: HTTP 200 and errcode 0 is success.
type robotAnswer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Send posts one message. Beyond the rate limit it returns *store.Deferred: the
// message waits for a free slot. A robot removed since the message was written
// is *store.Skipped. Errors never carry the webhook address (its key is a
// credential) and are retried by the outbox with backoff.
func (s *RobotSender) Send(ctx context.Context, n store.Notification) error {
	rb, err := s.Robots.GetRobot(ctx, n.Recipient)
	if errors.Is(err, domain.ErrNotFound) {
		return &store.Skipped{Reason: "the department has no group robot any more"}
	}
	if err != nil {
		return err
	}
	per, window := s.PerWindow, s.Window
	if per <= 0 {
		per = RobotPerMinute
	}
	if window <= 0 {
		window = robotWindow
	}
	ok, at, err := s.Robots.ReserveRobotSend(ctx, n.Recipient, per, window)
	if err != nil {
		return err
	}
	if !ok {
		return &store.Deferred{Until: at, Reason: fmt.Sprintf("robot rate limit (%d per %s)", per, window)}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	target, body, err := RobotRequest(rb, n.Body, now())
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return errors.New("robot webhook: bad address")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, err := s.HTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the address
		}
		return fmt.Errorf("%s robot: %w", rb.Kind, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s robot answered %d", rb.Kind, res.StatusCode)
	}
	var a robotAnswer
	if err := json.Unmarshal(raw, &a); err != nil || a.ErrCode == nil {
		return fmt.Errorf("%s robot: unreadable answer", rb.Kind)
	}
	switch *a.ErrCode {
	case 0:
		return nil
	case 45009, 130101, 410100: // the platform's own rate limit: wait a window
		return &store.Deferred{Until: now().Add(window), Reason: fmt.Sprintf("%s robot rate limited (errcode %d)", rb.Kind, *a.ErrCode)}
	}
	return fmt.Errorf("%s robot errcode %d: %s", rb.Kind, *a.ErrCode, short(a.ErrMsg, 120))
}

func short(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// RobotRequest is the address and body of one robot message: 企业微信
// {"msgtype":"markdown","markdown":{"content"}}; 钉钉 {"msgtype":"markdown",
// "markdown":{"title","text"}} to the address signed with timestamp and sign
// (base64 HMAC-SHA256 of "timestamp\nsecret" keyed by the secret) when the
// robot has a secret.
func RobotRequest(rb store.Robot, md string, now time.Time) (target string, body []byte, err error) {
	switch rb.Kind {
	case "wecom":
		body, err = json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": md}})
		return rb.WebhookURL, body, err
	case "dingtalk":
		body, err = json.Marshal(map[string]any{"msgtype": "markdown",
			"markdown": map[string]string{"title": RobotTitle(md), "text": md}})
		if err != nil || rb.Secret == "" {
			return rb.WebhookURL, body, err
		}
		u, perr := url.Parse(rb.WebhookURL)
		if perr != nil {
			return "", nil, errors.New("robot webhook: bad address")
		}
		ts := strconv.FormatInt(now.UnixMilli(), 10)
		q := u.Query()
		q.Set("timestamp", ts)
		q.Set("sign", DingTalkSign(rb.Secret, ts))
		u.RawQuery = q.Encode()
		return u.String(), body, nil
	}
	return "", nil, fmt.Errorf("robot kind %q", rb.Kind)
}

// DingTalkSign is 钉钉's 加签: base64 of HMAC-SHA256 over "timestamp\nsecret",
// keyed by the secret (the caller URL-encodes it into the address).
func DingTalkSign(secret, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

var _ Sender = (*RobotSender)(nil)
