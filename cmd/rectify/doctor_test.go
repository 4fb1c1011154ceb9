package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"rectify/config"
	"rectify/internal/testdb"
	"rectify/internal/testenv"
	"rectify/store"
)

func doctorConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.HTTP.BaseURL = "https://rectify.example.gov.cn"
	return cfg
}

// runDoctor runs every check as of a fixed day, so the calendar checks do not
// depend on the year the test runs in.
func runDoctor(t *testing.T, cfg config.Config, day time.Time) (*doctor, string) {
	t.Helper()
	var out bytes.Buffer
	d := &doctor{out: &out, now: day}
	d.run(context.Background(), cfg, cfg.Validate())
	t.Logf("doctor output:\n%s", out.String())
	return d, out.String()
}

func TestDoctorHealthy(t *testing.T) {
	ts := testenv.StartTemporal()
	defer ts.Stop()
	_, dbURL := testdb.NewWithURL(t)
	cfg := doctorConfig(t)
	cfg.Database.URL = dbURL
	cfg.Temporal.Address, cfg.Temporal.Namespace = ts.GetFrontendHostPort(), ts.GetDefaultNamespace()

	d, out := runDoctor(t, cfg, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	if d.problems != 0 {
		t.Errorf("problems = %d, want 0", d.problems)
	}
	for _, want := range []string{"ok    database", "ok    migrations", "ok    calendar 2026", "ok    calendar 2027",
		"ok    search attributes", "warn  workers", "warn  sms.mode"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestDoctorProblems(t *testing.T) {
	cfg := doctorConfig(t)
	u, _ := url.Parse(testdb.BaseURL())
	u.Path = "/rectify_doctor_missing_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	cfg.Database.URL = u.String()
	cfg.Temporal.Address = "127.0.0.1:1" // nothing listens there

	tests := []struct {
		name     string
		day      time.Time
		wantFail []string // lines that must be failures
		wantFix  []string
	}{
		// 2028 has no built-in holiday data (lunar-go v1.4.7 ends with 2027).
		{"next year missing in June", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
			[]string{"FAIL  database", "FAIL  temporal 127.0.0.1:1"}, []string{"rectify migrate", "temporal.address"}},
		{"next year missing in December", time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC),
			[]string{"FAIL  database", "FAIL  temporal 127.0.0.1:1", "FAIL  calendar 2028"}, []string{"PUT /api/v1/calendar/days"}},
		{"this year missing", time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC),
			[]string{"FAIL  calendar 2028"}, []string{"warn  calendar 2029"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, out := runDoctor(t, cfg, tt.day)
			for _, w := range append(tt.wantFail, tt.wantFix...) {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if d.problems < len(tt.wantFail) {
				t.Errorf("problems = %d, want at least %d", d.problems, len(tt.wantFail))
			}
		})
	}
	// The doctor changes nothing: the database it found missing is still missing.
	if _, out := runDoctor(t, cfg, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)); !strings.Contains(out, "the database does not exist") {
		t.Error("after three runs the missing database exists: the doctor created it")
	}
}

func TestDoctorInvalidConfig(t *testing.T) {
	cfg := doctorConfig(t)
	cfg.Ticketing.Mode = "external" // without a URL or a secret
	d, out := runDoctor(t, cfg, time.Now())
	if d.problems < 2 || !strings.Contains(out, "ticketing.external_url") || !strings.Contains(out, "ticketing.webhook_secret") {
		t.Errorf("problems = %d, want the two missing ticketing keys named", d.problems)
	}
}

// Group robots whose messages keep failing are a warning naming the error, never
// the webhook's key.
func TestDoctorRobots(t *testing.T) {
	st, dbURL := testdb.NewWithURL(t)
	ctx := context.Background()
	if _, err := st.Pool().Exec(ctx, `INSERT INTO departments (code, name) VALUES ('D1', '南京市市场监督管理局')`); err != nil {
		t.Fatal(err)
	}
	if err := st.SetRobot(ctx, store.Robot{DepartmentCode: "D1", Kind: "wecom", WebhookURL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY"}); err != nil {
		t.Fatal(err)
	}
	cfg := doctorConfig(t)
	cfg.Database.URL = dbURL
	cfg.Temporal.Address = "127.0.0.1:1"
	if _, out := runDoctor(t, cfg, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)); !strings.Contains(out, "ok    group robots") {
		t.Errorf("a healthy robot is not reported ok")
	}
	if _, err := st.Pool().Exec(ctx, `INSERT INTO notifications (idempotency_key, ticket_number, kind, channel, recipient, body, attempts, last_error)
		VALUES ('GD1:1:urged:1', 'GD1', 'urged', 'robot', 'D1', '### x', 3, 'wecom robot errcode 93000: invalid webhook url')`); err != nil {
		t.Fatal(err)
	}
	_, out := runDoctor(t, cfg, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	if !strings.Contains(out, "warn  group robots") || !strings.Contains(out, "errcode 93000") || strings.Contains(out, "SECRET-KEY") {
		t.Errorf("failing robot messages: the doctor says\n%s", out)
	}
}
