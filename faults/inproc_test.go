package faults

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"rectify/activities"
	"rectify/app"
	"rectify/config"
	"rectify/internal/testdb"
	"rectify/internal/testenv"
	"rectify/notify"
	"rectify/worker"
)

// inproc is a whole rectify in the test process, like testenv.NewSystem, but with
// a hook into the activities and every log line kept for inspection.
type inproc struct {
	*app.System
	api   *api
	logs  *logBuffer
	inbox *notify.Inbox // the SMS handed over: the only place a survey link is kept
	// tokens for the users every inproc has
	channel, department, supervisor string
}

// newInproc starts a system on the package's Temporal server with its own
// database and task queue; afterWrite, if not nil, becomes Activities.AfterWrite.
func newInproc(t *testing.T, afterWrite func(context.Context, activities.Change) error, tweak ...func(*config.Config)) *inproc {
	t.Helper()
	ctx := context.Background()
	ts := temporal()
	st, dbURL := testdb.NewWithURL(t)
	cfg := testenv.Config(t, ts, dbURL, tweak...)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sys, err := app.Build(ctx, cfg, st, ts.GetDefaultClient(), log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sys.NewServer().Echo)
	sys.Config.HTTP.BaseURL = hs.URL
	acts := &activities.Activities{Store: st, Schedule: app.Schedule(cfg, sys.Calendar),
		Render: notify.Renderer{BaseURL: hs.URL, Zone: cfg.Location()}, SurveyTTL: cfg.Survey.TTL, AfterWrite: afterWrite}
	w := worker.New(ts.GetDefaultClient(), cfg.Temporal.TaskQueue, acts, cfg.Temporal.StickyCacheSize)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	inbox := testenv.RunBackground(t, sys, hs.Close, w.Stop)

	p := &inproc{System: sys, api: newAPI(hs.URL), logs: logs, inbox: inbox}
	p.api.must(t, http.MethodPost, "/api/v1/departments", adminToken, map[string]string{"code": dept, "name": "南京市市场监督管理局"}, http.StatusCreated)
	for _, u := range []map[string]string{
		{"username": "portal", "password": "faults-password", "role": "channel"},
		{"username": "scjg", "password": "faults-password", "role": "department", "department_code": dept},
		{"username": "sup", "password": "faults-password", "role": "supervisor"},
	} {
		p.api.must(t, http.MethodPost, "/api/v1/users", adminToken, u, http.StatusCreated)
	}
	p.channel, p.department, p.supervisor = p.api.tokenFor(t, adminToken, "portal"), p.api.tokenFor(t, adminToken, "scjg"), p.api.tokenFor(t, adminToken, "sup")
	return p
}

// surveyLink finds the survey token in the ticket's SMS as handed to the gateway
// (what the citizen gets; the outbox keeps no usable link).
func (p *inproc) surveyLink(t *testing.T, ticket string) string {
	t.Helper()
	var token string
	err := waitFor(context.Background(), func() (bool, string) {
		for _, n := range p.inbox.Messages(ticket) {
			if n.Kind == "survey" {
				if m := surveyPath.FindStringSubmatch(n.Body); m != nil {
					token = m[1]
					return true, ""
				}
			}
		}
		return false, "no survey SMS for " + ticket
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

var surveyPath = regexp.MustCompile(`/s/([A-Za-z0-9_-]{43})`)

// logBuffer keeps everything the system logged; safe for concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// assertNoPhones fails if a log line holds a phone number.
func (l *logBuffer) assertNoPhones(t *testing.T) {
	t.Helper()
	lines := bytes.Split([]byte(l.String()), []byte("\n"))
	for _, line := range lines {
		if m := phoneLike.FindSubmatch(line); m != nil {
			t.Errorf("a log line holds a phone number (%s…): %.200s", m[2][:3], line)
		}
	}
	t.Logf("%d log lines (debug level) checked for phone numbers", len(lines))
}
