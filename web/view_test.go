package web

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"rectify/calendar"
	"rectify/domain"
)

func TestLightOf(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	w := &Web{Deps: Deps{Calendar: calendar.New(loc, 18*time.Hour)}}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, loc) // a Wednesday
	at := func(m time.Month, d, h int) *time.Time { t := time.Date(2026, m, d, h, 0, 0, 0, loc); return &t }
	tests := []struct {
		name  string
		t     domain.Ticket
		color string
		text  string
	}{
		{"no deadline", domain.Ticket{Status: domain.StatusPendingDispatch}, "none", "—"},
		{"closed", domain.Ticket{Status: domain.StatusClosed, DueAt: at(11, 20, 18)}, "none", "—"},
		{"due today", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 25, 18)}, "yellow", "今日到期"},
		{"due tomorrow", domain.Ticket{Status: domain.StatusAwaitingSign, DueAt: at(11, 26, 18)}, "yellow", "剩余 1 个工作日"},
		{"weekend not counted", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(12, 1, 18)}, "green", "剩余 4 个工作日"},
		{"follow-up: the survey window is no deadline of the department", domain.Ticket{Status: domain.StatusFollowingUp, DueAt: at(12, 2, 18)}, "none", "—"},
		{"past due before the flag", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 25, 9)}, "red", "超期不足 1 个工作日"},
		{"overdue by the flag", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 25, 9), Overdue: true}, "red", "超期不足 1 个工作日"},
		{"overdue two working days", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 23, 18), Overdue: true}, "red", "超期 2 个工作日"},
		{"overdue over a weekend", domain.Ticket{Status: domain.StatusRectifying, DueAt: at(11, 20, 18), Overdue: true}, "red", "超期 3 个工作日"},
	}
	for _, tt := range tests {
		got := w.lightOf(Zh, tt.t, now)
		if got.Color != tt.color || got.Text != tt.text {
			t.Errorf("%s: got %s %q, want %s %q", tt.name, got.Color, got.Text, tt.color, tt.text)
		}
	}
	if got := w.lightOf(En, tests[4].t, now).Text; got != "4 working days left" {
		t.Errorf("English countdown: got %q", got)
	}
}

func TestLocalPath(t *testing.T) {
	tests := map[string]string{
		"/tickets?q=1": "/tickets?q=1", "/": "/", "": "", "//evil.example": "", "/\\evil.example": "",
		"https://evil.example/": "", "tickets": "", "/login?next=/x": "", "/a\r\nSet-Cookie: x": "",
		// Browsers drop tab, CR and LF and read '\\' as '/': each of these is //evil.example to them.
		"/\t/evil.example": "", "/\n/evil.example": "", "/\r/evil.example": "", "\t//evil.example": "",
		"/\\/evil.example": "", "/x\\..\\..\\": "", "/\x00/evil.example": "", "/\x7f/evil": "",
		"/tickets/GD1?tab=events#e3": "/tickets/GD1?tab=events#e3",
	}
	for in, want := range tests {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPagesParse fails on a template that does not parse or names a missing
// static file, as Register would at start.
func TestPagesParse(t *testing.T) {
	w := &Web{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	w.static = loadStatic()
	pages := mustParsePages(w.funcs())
	for _, name := range []string{"login", "error", "dept", "callcenter", "supervisor", "tickets", "ticket", "rating",
		"admin_departments", "admin_users", "admin_calendar", "survey"} {
		if pages[name] == nil {
			t.Errorf("no page %q", name)
		}
	}
	for _, f := range []string{"app.css", "app.js"} {
		if w.staticURL(f) == "" {
			t.Errorf("no static %s", f)
		}
	}
}

// Every key has both languages.
func TestCatalog(t *testing.T) {
	for k, v := range catalog {
		if v[0] == "" || v[1] == "" {
			t.Errorf("catalog %q lacks a language: %q", k, v)
		}
	}
}
