// Package robotfake is a fake of the two group-robot platforms rectify posts to,
// for tests: 企业微信's group robot (POST /cgi-bin/webhook/send?key=…) and 钉钉's
// custom robot (POST /robot/send?access_token=…&timestamp=…&sign=…), checking
// what the real ones check (the key or token, the body's shape, 钉钉's 加签) and
// answering as they do (HTTP 200 with errcode). GET / shows the received
// messages rendered as a chat would, for screenshots (GET /?last=N: the newest N).
package robotfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Message is one message a robot accepted.
type Message struct {
	Kind  string // wecom | dingtalk
	Title string // dingtalk only
	Text  string // the markdown
	At    time.Time
}

// Server is a running fake of both platforms.
type Server struct {
	*httptest.Server
	WeComKey       string // the key in 企业微信's webhook address
	DingTalkToken  string // access_token in 钉钉's address
	DingTalkSecret string // the 加签 secret

	mu       sync.Mutex
	msgs     []Message
	requests int
	failures []string // answers to give before accepting: "500", or an errcode
}

// New starts a fake with the given credentials.
func New(wecomKey, dingToken, dingSecret string) *Server {
	f := &Server{WeComKey: wecomKey, DingTalkToken: dingToken, DingTalkSecret: dingSecret}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cgi-bin/webhook/send", f.wecom)
	mux.HandleFunc("POST /robot/send", f.dingtalk)
	mux.HandleFunc("GET /", f.page)
	f.Server = httptest.NewServer(mux)
	return f
}

// WeComURL is the webhook address of the fake 企业微信 robot.
func (f *Server) WeComURL() string { return f.URL + "/cgi-bin/webhook/send?key=" + f.WeComKey }

// DingTalkURL is the webhook address of the fake 钉钉 robot (unsigned).
func (f *Server) DingTalkURL() string { return f.URL + "/robot/send?access_token=" + f.DingTalkToken }

// FailNext makes the next requests fail, one answer each: "500" answers HTTP
// 500, a number answers HTTP 200 with that errcode.
func (f *Server) FailNext(answers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, answers...)
}

// Messages returns the accepted messages, oldest first.
func (f *Server) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.msgs...)
}

// Requests is how many requests reached the fake, failed ones included.
func (f *Server) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func answer(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": msg})
}

// failure takes the next planned failure and answers it; false: none planned.
func (f *Server) failure(w http.ResponseWriter) bool {
	f.mu.Lock()
	f.requests++
	if len(f.failures) == 0 {
		f.mu.Unlock()
		return false
	}
	a := f.failures[0]
	f.failures = f.failures[1:]
	f.mu.Unlock()
	if a == "500" {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return true
	}
	code, _ := strconv.Atoi(a)
	answer(w, code, "planned failure")
	return true
}

type body struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
		Title   string `json:"title"`
		Text    string `json:"text"`
	} `json:"markdown"`
}

func (f *Server) wecom(w http.ResponseWriter, r *http.Request) {
	if f.failure(w) {
		return
	}
	if r.URL.Query().Get("key") != f.WeComKey {
		answer(w, 93000, "invalid webhook url")
		return
	}
	var b body
	raw, _ := io.ReadAll(r.Body)
	if json.Unmarshal(raw, &b) != nil || b.MsgType != "markdown" {
		answer(w, 40008, "invalid message type")
		return
	}
	if b.Markdown.Content == "" || len(b.Markdown.Content) > 4096 {
		answer(w, 40058, "markdown.content exceed max length 4096 or empty")
		return
	}
	f.keep(Message{Kind: "wecom", Text: b.Markdown.Content})
	answer(w, 0, "ok")
}

func (f *Server) dingtalk(w http.ResponseWriter, r *http.Request) {
	if f.failure(w) {
		return
	}
	q := r.URL.Query()
	if q.Get("access_token") != f.DingTalkToken {
		answer(w, 300001, "token is not exist")
		return
	}
	if f.DingTalkSecret != "" {
		ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || time.Since(time.UnixMilli(ts)).Abs() > time.Hour {
			answer(w, 310000, "invalid timestamp")
			return
		}
		m := hmac.New(sha256.New, []byte(f.DingTalkSecret))
		m.Write([]byte(q.Get("timestamp") + "\n" + f.DingTalkSecret))
		// q.Get has URL-decoded the sign: compare the base64 itself.
		if !hmac.Equal([]byte(q.Get("sign")), []byte(base64.StdEncoding.EncodeToString(m.Sum(nil)))) {
			answer(w, 310000, "sign not match")
			return
		}
	}
	var b body
	raw, _ := io.ReadAll(r.Body)
	if json.Unmarshal(raw, &b) != nil || b.MsgType != "markdown" || b.Markdown.Title == "" || b.Markdown.Text == "" {
		answer(w, 40035, "缺少参数 markdown")
		return
	}
	f.keep(Message{Kind: "dingtalk", Title: b.Markdown.Title, Text: b.Markdown.Text})
	answer(w, 0, "ok")
}

func (f *Server) keep(m Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m.At = time.Now()
	f.msgs = append(f.msgs, m)
}

var (
	mdLink = regexp.MustCompile(`\[([^\]]+)\]\(([^)]+)\)`)
	mdBold = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// Render turns the markdown subset the robots display (headings, quotes, bold,
// links) into HTML, escaped.
func Render(md string) string {
	var b strings.Builder
	inQuote := false
	for _, line := range strings.Split(md, "\n") {
		quoted := strings.HasPrefix(line, ">")
		if quoted != inQuote {
			if quoted {
				b.WriteString("<blockquote>")
			} else {
				b.WriteString("</blockquote>")
			}
			inQuote = quoted
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, ">"))
		if line == "" {
			continue
		}
		tag := "p"
		if h := len(line) - len(strings.TrimLeft(line, "#")); h > 0 && h <= 6 {
			tag, line = fmt.Sprintf("h%d", h), strings.TrimSpace(line[h:])
		}
		s := html.EscapeString(line)
		s = mdBold.ReplaceAllString(s, "<strong>$1</strong>")
		s = mdLink.ReplaceAllString(s, `<a href="$2">$1</a>`)
		fmt.Fprintf(&b, "<%s>%s</%s>", tag, s, tag)
	}
	if inQuote {
		b.WriteString("</blockquote>")
	}
	return b.String()
}

// page shows the received messages as a group chat would.
func (f *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>工作群</title><style>
body{font:15px/1.6 "Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;background:#ededed;margin:0}
header{background:#2b2b2b;color:#fff;padding:12px 20px;font-size:17px}
.msg{display:flex;gap:10px;margin:18px 20px;align-items:flex-start}
.avatar{width:40px;height:40px;border-radius:6px;background:#1f7ae0;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:bold;flex:none}
.avatar.dingtalk{background:#3296fa}
.who{font-size:12px;color:#888}
.bubble{background:#fff;border-radius:6px;padding:10px 16px;max-width:560px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.bubble h3{margin:.2em 0 .4em;font-size:16px}
blockquote{margin:.3em 0;padding:0 10px;border-left:3px solid #ccc;color:#555}
blockquote p{margin:.1em 0}
a{color:#1f5fbf}
</style></head><body><header>差评整改工作群 · 群机器人</header>`)
	msgs := f.Messages()
	if n, err := strconv.Atoi(r.URL.Query().Get("last")); err == nil && n >= 0 && n < len(msgs) {
		msgs = msgs[len(msgs)-n:] // ?last=N: only the newest N, for a screenshot
	}
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		zone = time.Local
	}
	for _, m := range msgs {
		who := map[string]string{"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}[m.Kind]
		fmt.Fprintf(&b, `<div class="msg"><div class="avatar %s">机</div><div><div class="who">%s · %s</div><div class="bubble">%s</div></div></div>`,
			m.Kind, who, m.At.In(zone).Format("15:04:05"), Render(m.Text))
	}
	b.WriteString(`</body></html>`)
	_, _ = io.WriteString(w, b.String())
}
