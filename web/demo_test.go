package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"rectify/app"
	"rectify/internal/testenv"
)

// demoSite is a fresh system with the demo of `rectify dev` seeded into it.
func demoSite(t *testing.T) *site {
	t.Helper()
	s := &site{t: t, sys: testenv.NewSystem(t, ts), tokens: map[string]string{}}
	var out bytes.Buffer
	start := time.Now()
	if err := app.SeedDemo(context.Background(), s.sys.System, s.sys.URL, testenv.AdminToken, &out); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("seeded in %s:\n%s", took, out.String())
	if !strings.Contains(out.String(), "Demo data:") || strings.Contains(out.String(), "not seeded") {
		t.Fatalf("the banner does not report the seeded demo:\n%s", out.String())
	}
	if took > 30*time.Second {
		t.Errorf("seeding took %s; it should take seconds", took)
	}
	return s
}

// TestDemoSeed seeds the demo into a fresh database through the real workflow
// and checks that every ticket state of the process is there, that every
// workbench page lists rows at once, and that a restart seeds nothing more.
func TestDemoSeed(t *testing.T) {
	s := demoSite(t)
	ctx := context.Background()
	count := func(where string) int {
		t.Helper()
		var n int
		if err := s.sys.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM tickets WHERE `+where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	states := []struct{ name, where string }{
		{"to dispatch", `status = 'pending_dispatch'`},
		{"to sign, on time", `status = 'awaiting_sign' AND NOT overdue`},
		{"rectifying, on time", `status = 'rectifying' AND NOT overdue`},
		{"overdue at level 1, to sign", `overdue AND escalation_level = 1 AND status = 'awaiting_sign'`},
		{"overdue at level 1, rectifying", `overdue AND escalation_level = 1 AND status = 'rectifying'`},
		{"overdue at level 2, to sign", `overdue AND escalation_level = 2 AND status = 'awaiting_sign'`},
		{"overdue at level 2, rectifying", `overdue AND escalation_level = 2 AND status = 'rectifying'`},
		{"waiting for the SMS survey", `status = 'following_up' AND NOT call_task`},
		{"call task (survey unanswered)", `status = 'following_up' AND call_task`},
		{"pending extension", `pending_request->>'type' = 'extension'`},
		{"pending appeal", `pending_request->>'type' = 'appeal'`},
		{"awaiting a supervisor", `status = 'awaiting_supervisor'`},
		{"closed, satisfied", `status = 'closed' AND resolution = 'satisfied'`},
		{"closed, satisfied in round 2", `status = 'closed' AND resolution = 'satisfied' AND round = 2`},
		{"closed by a supervisor", `status = 'closed' AND resolution = 'closed_by_supervisor'`},
		{"closed, appeal upheld", `status = 'closed' AND resolution = 'appeal_upheld'`},
		{"closed, unreachable", `status = 'closed' AND resolution = 'unreachable'`},
		{"closed, no follow-up", `status = 'closed' AND resolution = 'no_followup'`},
		{"urged", `EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_number = tickets.number AND e.type = 'urged')`},
		{"extension approved", `EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_number = tickets.number AND e.type = 'extension_approved')`},
		{"returned", `EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_number = tickets.number AND e.type = 'returned')`},
	}
	for _, st := range states {
		if n := count(st.where); n == 0 {
			t.Errorf("no demo ticket %s", st.name)
		}
	}
	// Every state came from the workflow: each ticket's row is at the version of
	// its last event, written by the workflow's Apply, and none is left unstarted.
	if n := count(`NOT workflow_started`); n != 0 {
		t.Errorf("%d demo tickets without a workflow", n)
	}
	if n := count(`version <> (SELECT max(seq) FROM ticket_events e WHERE e.ticket_number = tickets.number)`); n != 0 {
		t.Errorf("%d demo tickets whose row is not their last event's", n)
	}
	var channels, depts, days, queued int
	if err := s.sys.Store.Pool().QueryRow(ctx, `SELECT count(DISTINCT channel), count(DISTINCT department_code),
		count(DISTINCT rated_at::date) FROM ratings`).Scan(&channels, &depts, &days); err != nil {
		t.Fatal(err)
	}
	if channels < 5 || depts < 5 || days < 14 {
		t.Errorf("ratings cover %d channels, %d departments, %d days: want all 5 channels, the 5 demo departments, weeks", channels, depts, days)
	}
	if err := s.sys.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM callbacks WHERE status = 'queued' AND next_call_at <= now()`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued == 0 {
		t.Errorf("no call-back queued")
	}

	// Every workbench page lists rows, as the role that uses it.
	ticketLink := regexp.MustCompile(`href="/tickets/GD[0-9-]+"`)
	pages := []struct {
		user, path string
		rows       *regexp.Regexp
	}{
		{"scjg", "/dept?tab=to_sign", ticketLink},
		{"scjg", "/dept?tab=rectifying", ticketLink},
		{"scjg", "/dept?tab=overdue", ticketLink},
		{"scjg", "/dept?tab=following", ticketLink},
		{"scjg", "/dept?tab=closed", ticketLink},
		{"rsj", "/dept?tab=overdue", ticketLink},
		{"gaj", "/dept?tab=to_sign", ticketLink},
		{"callcenter", "/callcenter?tab=calls", ticketLink},
		{"callcenter", "/callcenter?tab=sms", ticketLink},
		{"callcenter", "/callcenter?tab=dispatch", ticketLink},
		{"callcenter", "/callcenter/callbacks", regexp.MustCompile(`href="/callcenter/callbacks/[0-9]+"`)},
		{"supervisor", "/supervisor?tab=overdue", ticketLink},
		{"supervisor", "/supervisor?tab=decisions", ticketLink},
		{"supervisor", "/supervisor?tab=awaiting", ticketLink},
		{"supervisor", "/tickets", ticketLink},
		{"supervisor", "/analytics", regexp.MustCompile(`href="/tickets\?dept=320100-SCJG"`)},
		{"supervisor", "/analytics", regexp.MustCompile(`id="callback-figures"`)},
	}
	browsers := map[string]*browser{}
	for _, p := range pages {
		b := browsers[p.user]
		if b == nil {
			b = s.browser()
			if res := b.login(p.user, app.DemoPassword); res.Status != http.StatusSeeOther {
				t.Fatalf("sign in as %s: %d", p.user, res.Status)
			}
			browsers[p.user] = b
		}
		res := b.get(p.path)
		if res.Status != http.StatusOK || !p.rows.MatchString(res.Body) {
			t.Errorf("%s as %s: status %d, no rows (%s)", p.path, p.user, res.Status, p.rows)
		}
	}

	// A restart finds ratings and seeds nothing.
	before := count(`true`)
	var out bytes.Buffer
	if err := app.SeedDemo(ctx, s.sys.System, s.sys.URL, testenv.AdminToken, &out); err != nil {
		t.Fatal(err)
	}
	if after := count(`true`); after != before || !strings.Contains(out.String(), "not seeded") {
		t.Errorf("second start: %d tickets (was %d), banner:\n%s", after, before, out.String())
	}
}

// TestBrowserDemo opens every workbench page in Chromium right after the demo
// is seeded, as the role that uses it, and checks that none is empty.
func TestBrowserDemo(t *testing.T) {
	browserTest(t)
	s := demoSite(t)
	people := browserFor(t, s, 3*time.Minute)
	as := func(user string) *tab {
		b := people()
		b.open("/login")
		b.run(chromedp.WaitVisible(chromedp.CSS("#username")), chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), app.DemoPassword), chromedp.Click(chromedp.CSS("#signin")))
		b.run(chromedp.WaitVisible(chromedp.CSS("nav")))
		return b
	}
	// rows waits for a list with at least one row, and for the texts.
	rows := func(b *tab, path, sel string, want ...string) {
		t.Helper()
		b.open(path)
		b.run(chromedp.WaitVisible(chromedp.CSS(sel + " tbody tr")))
		b.waitText(sel, want...)
	}

	dept := as("scjg")
	rows(dept, "/dept", "table.list", "南京市市场监督管理局")
	dept.waitText(".tabs", "待签收", "整改中", "已超期")
	dept.shot("demo-dept-inbox")
	rows(dept, "/dept?tab=overdue", "table.list")
	dept.shot("demo-dept-overdue")
	rows(dept, "/analytics", "table.list", "南京市市场监督管理局")
	dept.shot("demo-dept-analytics")

	cc := as("callcenter")
	rows(cc, "/callcenter", "table.list")
	cc.shot("demo-callcenter-calls")
	rows(cc, "/callcenter?tab=dispatch", "table.list")
	rows(cc, "/callcenter/callbacks", "#callbacks")
	cc.shot("demo-callbacks")

	sup := as("supervisor")
	rows(sup, "/supervisor", "table.list")
	sup.waitText(".two", "南京市")
	sup.shot("demo-supervisor-board")
	rows(sup, "/supervisor?tab=decisions", "table.list", "延期", "申诉")
	sup.shot("demo-supervisor-decisions")
	rows(sup, "/supervisor?tab=awaiting", "table.list")
	rows(sup, "/tickets", "table.list")
	sup.shot("demo-tickets")
	rows(sup, "/analytics", "table.list", "南京市公安局", "玄武区政务服务中心")
	sup.run(chromedp.WaitVisible(chromedp.CSS("#chart-trend canvas")))
	sup.shot("demo-analytics")
}
